/**
 * Start worlds and the read-only world view checks read. A lesson (or hands-on challenge) world is a
 * scenario applied through the API, then the optional setup script; the mark taken afterwards splits
 * the trail into "the start world" and "what the learner did".
 */
import {
  applyScenario,
  createKms,
  MemoryStore,
  type CallTrace,
  type Kms,
  type Scenario,
} from '../kms/index.ts';
import { runScript, type ScriptResult } from './runtime.ts';
import type { Step, WorldView } from './types.ts';

/** Lessons start at a fixed simulated time, so that replays are deterministic. */
export const LESSON_EPOCH = new Date('2026-01-05T09:00:00Z');

export interface StartWorld {
  readonly world: Scenario;
  readonly setup?: string;
}

/** Where the learner's part of a world begins; `calls` fills as calls are made, until `stop()`. */
export interface Mark {
  readonly trailIndex: number;
  readonly calls: CallTrace[];
  stop(): void;
}

/** Loads a start world into `kms` (scenario, then setup) and starts recording the learner's calls. */
export async function loadStartWorld(kms: Kms, start: StartWorld): Promise<Mark> {
  await applyScenario(kms, start.world);
  if (start.setup) {
    const r = await runScript(kms, start.setup);
    if (r.error) throw new Error(`Lesson setup failed: ${r.error.name}: ${r.error.message}`);
  }
  const calls: CallTrace[] = [];
  const stop = kms.onEvent((e) => {
    if (e.type === 'call') calls.push(e.trace);
  });
  return { trailIndex: kms.trail().length, calls, stop };
}

/** A fresh in-memory world with the start world loaded (Node, tests, the lesson worker). */
export async function startSession(start: StartWorld): Promise<{ kms: Kms; mark: Mark }> {
  const kms = await createKms({ store: new MemoryStore(), startTime: LESSON_EPOCH });
  const mark = await loadStartWorld(kms, start);
  return { kms, mark };
}

/** The world as checks see it: plain data, deep copies. */
export async function worldView(kms: Kms, mark: Pick<Mark, 'trailIndex' | 'calls'>): Promise<WorldView> {
  const snapshot = await kms.snapshot();
  return {
    now: kms.now(),
    keys: kms.keys(),
    aliases: kms.aliases(),
    identities: kms.identities(),
    clusters: kms.clusters(),
    customKeyStores: kms.customKeyStores(),
    resources: (snapshot.resources ?? []).map((r) => ({
      arn: r.arn,
      kind: r.kind,
      accountId: r.accountId,
      region: r.region,
      data: withoutBytes(r.data),
    })),
    trail: kms.trail().slice(mark.trailIndex),
    calls: structuredClone(mark.calls),
  };
}

/** A deep copy without byte arrays (object bodies, wrapped keys): checks never need them. */
function withoutBytes(v: unknown): unknown {
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return undefined;
  if (Array.isArray(v)) return v.map(withoutBytes);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const c = withoutBytes(x);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return v;
}

export interface StepResult {
  readonly id: string;
  readonly met: boolean;
  /** What is still missing, when the check says. */
  readonly missing?: string;
}

/** Evaluates every step's check; a check that throws counts as not met (and says why). */
export function evaluateSteps(steps: readonly Step[], view: WorldView): StepResult[] {
  return steps.map((s) => {
    try {
      const r = s.check.test(view);
      return r === true ? { id: s.id, met: true } : { id: s.id, met: false, ...(r ? { missing: r } : {}) };
    } catch (e) {
      return { id: s.id, met: false, missing: `check failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  });
}

/**
 * A lesson's progress: a step turns green when its check is met after some call, and stays green
 * (later steps may legitimately undo an earlier state: a retired grant, a deleted key).
 */
export class StepProgress {
  readonly #steps: readonly Step[];
  readonly #met = new Set<string>();
  #last: StepResult[] = [];

  constructor(steps: readonly Step[]) {
    this.#steps = steps;
  }

  /** Re-checks the steps on a world view; returns the IDs that turned green now. */
  update(view: WorldView): string[] {
    this.#last = evaluateSteps(this.#steps, view);
    const now = this.#last.filter((r) => r.met && !this.#met.has(r.id)).map((r) => r.id);
    for (const id of now) this.#met.add(id);
    return now;
  }

  /** Every step with its sticky state and, for unmet ones, what the last check said is missing. */
  results(): StepResult[] {
    return this.#steps.map((s) => {
      if (this.#met.has(s.id)) return { id: s.id, met: true };
      const last = this.#last.find((r) => r.id === s.id);
      return { id: s.id, met: false, ...(last?.missing ? { missing: last.missing } : {}) };
    });
  }

  get done(): boolean {
    return this.#steps.every((s) => this.#met.has(s.id));
  }
}

/** Runs a script on a lesson world, re-checking the steps after every call as the lesson panel does. */
export async function replay(
  kms: Kms,
  mark: Mark,
  steps: readonly Step[],
  script: string,
): Promise<{ progress: StepProgress; result: ScriptResult }> {
  const progress = new StepProgress(steps);
  progress.update(await worldView(kms, mark));
  const result = await runScript(kms, script, {
    afterEach: async () => void progress.update(await worldView(kms, mark)),
  });
  progress.update(await worldView(kms, mark));
  return { progress, result };
}
