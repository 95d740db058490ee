/**
 * Runs scratchpad scripts: one sandboxed iframe (and its runner worker) per run, torn down on
 * Stop, on timeout and when the script ends. Every `call` message from the sandbox is validated
 * here before it reaches the KMS worker; replies go back by message. The KMS worker answers calls
 * one at a time, so killing a script mid-call leaves the engine consistent: the call completes
 * there, its reply is dropped.
 */
import runnerUrl from '../../../workers/runner/runner.ts?worker&url';
import type {
  PageMessage,
  RunnerMessage,
  ServiceClientSpec,
  ViewValue,
  WorldSpec,
} from '../../../workers/runner/protocol.ts';
import { REGIONS } from '../../kms/world/regions.ts';
import type { Principal } from '../../kms/index.ts';
import type { Lab } from '../lab.svelte.ts';
import { t } from '../i18n/text.svelte.ts';
import { createSandboxFrame } from './sandbox.ts';
import { originalLine } from './sourceMap.ts';

export type OutputEntry =
  | { readonly kind: 'log'; readonly level: string; readonly values: readonly ViewValue[] }
  | {
      readonly kind: 'call';
      readonly op: string;
      readonly region: string;
      readonly principal: string;
      readonly ok: boolean;
      readonly response?: unknown;
      readonly error?: { readonly code: string; readonly message: string };
      readonly explanation?: unknown;
      readonly requestId?: string;
    }
  | {
      readonly kind: 'error';
      readonly name: string;
      readonly message: string;
      readonly line?: number;
      readonly explanation?: unknown;
    }
  | { readonly kind: 'status'; readonly text: string; readonly tone: 'info' | 'ok' | 'warn' };

/** An output entry as the panel lists it: `seq` keys it, so appending never re-renders the rest. */
export type OutputLine = OutputEntry & { readonly seq: number };

/** A transpiled script: the runner's function body and a JS-line → TS-line table. */
export interface CompiledScript {
  readonly body: string;
  readonly lines: readonly (number | undefined)[];
}

export const DEFAULT_TIMEOUT_S = 10;
const OUTPUT_LIMIT = 400;
/**
 * While a script runs, the output panel takes new lines at most this often (ms): a script making
 * thousands of calls must not pay a render per call (the page is what it waits on).
 */
const FLUSH_MS = 120;
/** The `seq` of the "earlier lines not shown" note. */
const HIDDEN_LINES = -1;
const MAX_BODY = 1024 * 1024;
const OP_NAME = /^[A-Z][A-Za-z0-9]{1,63}$/;
const REGION_NAMES = new Set(REGIONS.map((r) => r.name));
/** What a service call's input may hold: plain data only, bounded. */
const INPUT_LIMITS = { depth: 8, entries: 2000, textChars: 1024 * 1024, bytes: 16 * 1024 * 1024 } as const;
/** The furthest a script may move the simulated clock in one call: ten years. */
const MAX_ADVANCE_S = 10 * 365 * 86400;
const WORLD_FAMILIES = new Set(['clock', 'iam', 'cloudHsm', 'lab']);
const EMPTY_WORLD: WorldSpec = { iam: {}, cloudHsm: {}, lab: {}, faults: [] };

/**
 * A deep copy of a script's service input if it is plain data (objects, arrays, strings, finite
 * numbers, booleans, null, Uint8Array, valid Date) within {@link INPUT_LIMITS}; else an error message.
 */
export function plainServiceInput(input: unknown): { value: Record<string, unknown> } | { error: string } {
  const budget = { entries: 0, text: 0, bytes: 0 };
  const copy = (v: unknown, depth: number): unknown => {
    if (depth > INPUT_LIMITS.depth) throw new Error(t('scratchpad.inputTooDeep'));
    if (++budget.entries > INPUT_LIMITS.entries) throw new Error(t('scratchpad.inputTooManyMembers'));
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(t('scratchpad.inputNumberNotFinite'));
      return v;
    }
    if (typeof v === 'string') {
      if ((budget.text += v.length) > INPUT_LIMITS.textChars)
        throw new Error(t('scratchpad.inputTextTooLong'));
      return v;
    }
    if (v instanceof Uint8Array) {
      if ((budget.bytes += v.length) > INPUT_LIMITS.bytes)
        throw new Error(t('scratchpad.inputBytesTooLarge'));
      return new Uint8Array(v);
    }
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) throw new Error(t('scratchpad.inputDateInvalid'));
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a copy sent to the worker, not state
      return new Date(v.getTime());
    }
    if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new Error(t('scratchpad.inputNotPlain'));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === '__proto__' || k.length > 256)
          throw new Error(t('scratchpad.inputMemberNotAllowed', { member: k }));
        if (x !== undefined) out[k] = copy(x, depth + 1);
      }
      return out;
    }
    throw new Error(t('scratchpad.inputTypeNotAllowed', { type: typeof v }));
  };
  if (input === undefined) return { value: {} };
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return { error: t('scratchpad.inputNotObject') };
  try {
    return { value: copy(input, 0) as Record<string, unknown> };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** A service output (bytes, dates, plain data) as a value the output panel shows. */
function viewOf(v: unknown, depth = 0): ViewValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v === undefined) return { $t: 'undefined' };
  if (v instanceof Uint8Array) {
    let s = '';
    for (let i = 0; i < v.length; i += 0x8000) s += String.fromCharCode(...v.subarray(i, i + 0x8000));
    return { $t: 'bytes', base64: btoa(s), length: v.length };
  }
  if (v instanceof Date)
    return { $t: 'date', iso: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() };
  if (depth >= 8) return { $t: 'more', what: Array.isArray(v) ? '[…]' : '{…}' };
  if (Array.isArray(v)) return v.map((x) => viewOf(x, depth + 1));
  if (typeof v === 'object')
    return { $t: 'object', entries: Object.entries(v).map(([k, x]) => [k, viewOf(x, depth + 1)] as const) };
  return String(v);
}

/** The refusal of a call to a Region the lab does not simulate. */
const refuseRegion = (region: unknown) =>
  t('scratchpad.refuseRegion', { regions: [...REGION_NAMES].join(', '), region: String(region) });

/** The refusal of a call as a principal the lab does not have. */
const refusePrincipal = (principal: unknown) =>
  t('scratchpad.refusePrincipal', { principal: String(principal) });

let runnerSource: Promise<string> | null = null;
/** The runner bundle's text (the sandbox cannot fetch it: it has no network). */
function loadRunner(): Promise<string> {
  runnerSource ??= fetch(runnerUrl).then((r) => {
    if (!r.ok) throw new Error(t('scratchpad.runnerNotLoaded', { status: r.status }));
    // The sandbox starts it as a classic worker from a blob: drop the chunk's trailing export list.
    return r.text().then((t) => t.replace(/export\s*\{[^}]*\};?\s*$/, ''));
  });
  return runnerSource;
}

export class ScriptRunner {
  output = $state.raw<readonly OutputLine[]>([]);
  running = $state(false);
  /** Seconds after which a running script is stopped. */
  timeoutSeconds = $state(DEFAULT_TIMEOUT_S);
  /** Calls the current (or last) run made. */
  callCount = $state(0);
  /** Wall-clock milliseconds of the last run. */
  lastDuration = $state<number | null>(null);

  readonly #lab: Lab;
  #frame: HTMLIFrameElement | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #onMessage: ((e: MessageEvent) => void) | null = null;
  #buffer: OutputEntry[] = [];
  #flushScheduled = false;
  #lastFlush = -Infinity;
  #seq = 0;
  /** Lines dropped from the top of the output (see {@link OUTPUT_LIMIT}). */
  #hidden = 0;
  #started = 0;
  #finish: (() => void) | null = null;
  /** Denial explanations by request ID, for the script error that follows. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  #explanations = new Map<string, unknown>();
  /** The service clients scripts get, from the KMS worker (asked once). */
  #services: Promise<readonly ServiceClientSpec[]> | null = null;
  /** The world operations scripts reach through `lab`, from the KMS worker (asked once). */
  #world: Promise<WorldSpec> | null = null;

  constructor(lab: Lab) {
    this.#lab = lab;
  }

  clear(): void {
    this.#hidden = 0;
    this.#buffer = [];
    this.output = [];
  }

  /** Runs a compiled script; resolves when it ends (done, error, Stop or timeout). */
  async run(script: CompiledScript): Promise<void> {
    this.stop(null);
    this.clear();
    this.callCount = 0;
    this.#explanations.clear();
    this.running = true;
    this.#push({ kind: 'status', text: t('scratchpad.running'), tone: 'info' });
    let runner: string;
    try {
      runner = await loadRunner();
    } catch (e) {
      this.#push({ kind: 'error', name: 'Error', message: e instanceof Error ? e.message : String(e) });
      this.running = false;
      return;
    }
    const lab = this.#lab;
    this.#services ??= lab.scripts.serviceClients().catch(() => {
      this.#services = null;
      return [];
    });
    this.#world ??= lab.scripts.worldOperations().catch(() => {
      this.#world = null;
      return EMPTY_WORLD;
    });
    const [services, world] = await Promise.all([this.#services, this.#world]);
    const principal = $state.snapshot(lab.principal) as Principal;
    const region = lab.region;
    const principals = lab.principals.map((p) => p.principal.arn);
    const frame = createSandboxFrame(document.body);
    this.#frame = frame;
    this.#started = performance.now();
    const done = new Promise<void>((resolve) => (this.#finish = resolve));

    const onMessage = (e: MessageEvent) => {
      if (e.source !== frame.contentWindow || this.#frame !== frame) return;
      const m = e.data as RunnerMessage | { t: 'boot' } | null;
      if (!m || typeof m !== 'object') return;
      switch (m.t) {
        case 'boot': {
          const run: PageMessage = {
            t: 'run',
            code: script.body,
            region,
            principal: principal.arn,
            principals,
            services,
            world,
          };
          frame.contentWindow?.postMessage({ t: 'start', runner, run }, '*');
          break;
        }
        case 'call':
          void this.#forward(frame, m, principal);
          break;
        case 'service':
          void this.#forwardService(frame, m, principal, services);
          break;
        case 'world':
          void this.#forwardWorld(frame, m, principal, world);
          break;
        case 'log':
          if (Array.isArray(m.values)) this.#push({ kind: 'log', level: String(m.level), values: m.values });
          break;
        case 'error': {
          const line = typeof m.jsLine === 'number' ? originalLine(script.lines, m.jsLine) : undefined;
          const explanation =
            typeof m.requestId === 'string' ? this.#explanations.get(m.requestId) : undefined;
          this.#push({
            kind: 'error',
            name: String(m.name),
            message: String(m.message),
            ...(line !== undefined ? { line } : {}),
            ...(explanation !== undefined ? { explanation } : {}),
          });
          this.#end(t('scratchpad.failedAfter', { elapsed: this.#elapsed() }), 'warn');
          break;
        }
        case 'done':
          this.#end(t('scratchpad.doneIn', { elapsed: this.#elapsed(), count: this.callCount }), 'ok');
          break;
      }
    };
    this.#onMessage = onMessage;
    window.addEventListener('message', onMessage);
    const limit = Math.max(1, Math.min(600, this.timeoutSeconds || DEFAULT_TIMEOUT_S));
    this.#timer = setTimeout(() => {
      this.stop(t('scratchpad.stoppedTimeout', { limit }));
    }, limit * 1000);
    return done;
  }

  /** Ends the running script at once (the worker dies with its iframe); `null`: without a status line. */
  stop(reason?: string | null): void {
    if (!this.#frame) return;
    this.#end(reason === undefined ? t('scratchpad.stopped') : reason, 'warn');
  }

  #elapsed(): string {
    const ms = performance.now() - this.#started;
    return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
  }

  #end(text: string | null, tone: 'ok' | 'warn') {
    this.lastDuration = performance.now() - this.#started;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#onMessage) window.removeEventListener('message', this.#onMessage);
    this.#onMessage = null;
    this.#frame?.remove();
    this.#frame = null;
    if (text) this.#push({ kind: 'status', text, tone });
    this.#flush();
    this.running = false;
    this.#finish?.();
    this.#finish = null;
  }

  /**
   * The Region and principal a script's message asks for (`lab.as({ region, principal })`), or why
   * they are refused: only the lab's Regions and principals.
   */
  #callerOf(
    m: { readonly region?: unknown; readonly principal?: unknown },
    fallback: Principal,
  ): { region: string; principal: Principal } | { refused: string } {
    if (typeof m.region !== 'string' || !REGION_NAMES.has(m.region))
      return { refused: refuseRegion(m.region) };
    if (m.principal === undefined) return { region: m.region, principal: fallback };
    const found = this.#lab.principals.find((p) => p.principal.arn === m.principal);
    if (!found) return { refused: refusePrincipal(m.principal) };
    return { region: m.region, principal: $state.snapshot(found.principal) as Principal };
  }

  async #forward(frame: HTMLIFrameElement, m: Extract<RunnerMessage, { t: 'call' }>, fallback: Principal) {
    const reply = (status: number, body: string, requestId?: string) => {
      if (this.#frame !== frame) return;
      const msg: PageMessage = { t: 'reply', id: m.id, status, body, ...(requestId ? { requestId } : {}) };
      frame.contentWindow?.postMessage(msg, '*');
    };
    const refuse = (code: string, message: string) => reply(400, JSON.stringify({ __type: code, message }));
    if (typeof m.id !== 'number') return;
    if (typeof m.op !== 'string' || !OP_NAME.test(m.op))
      return refuse('UnknownOperationException', t('scratchpad.refuseKmsOperation'));
    if (typeof m.body !== 'string' || m.body.length > MAX_BODY)
      return refuse('ValidationException', t('scratchpad.refuseBody'));
    const who = this.#callerOf(m, fallback);
    if ('refused' in who) return refuse('UnrecognizedClientException', who.refused);
    const { region, principal } = who;
    this.callCount++;
    const r = await this.#lab.scripts.wire(m.op, m.body, region, principal);
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      parsed = r.body;
    }
    const ok = r.status === 200;
    const err =
      !ok && parsed && typeof parsed === 'object' ? (parsed as { __type?: string; message?: string }) : null;
    if (r.explanation !== undefined && r.requestId) this.#explanations.set(r.requestId, r.explanation);
    if (this.#frame === frame)
      this.#push({
        kind: 'call',
        op: m.op,
        region: region,
        principal: principal.arn,
        ok,
        ...(ok
          ? { response: parsed }
          : { error: { code: err?.__type ?? 'Error', message: err?.message ?? '' } }),
        ...(r.explanation !== undefined ? { explanation: r.explanation } : {}),
        ...(r.requestId ? { requestId: r.requestId } : {}),
      });
    reply(r.status, r.body, r.requestId);
  }

  /** Validates a service client's call from the sandbox and forwards it to the KMS worker. */
  async #forwardService(
    frame: HTMLIFrameElement,
    m: Extract<RunnerMessage, { t: 'service' }>,
    fallback: Principal,
    services: readonly ServiceClientSpec[],
  ) {
    const reply = (r: Omit<Extract<PageMessage, { t: 'serviceReply' }>, 't' | 'id'>) => {
      if (this.#frame !== frame) return;
      const msg: PageMessage = { t: 'serviceReply', id: m.id, ...r };
      frame.contentWindow?.postMessage(msg, '*');
    };
    const refuse = (code: string, message: string) => reply({ ok: false, error: { code, message } });
    if (typeof m.id !== 'number') return;
    const spec = services.find((s) => s.service === m.service);
    if (
      !spec ||
      typeof m.op !== 'string' ||
      !OP_NAME.test(m.op) ||
      !Object.values(spec.methods).includes(m.op)
    )
      return refuse('UnknownOperationException', t('scratchpad.refuseServiceOperation'));
    const who = this.#callerOf(m, fallback);
    if ('refused' in who) return refuse('UnrecognizedClientException', who.refused);
    const { region, principal } = who;
    const input = plainServiceInput(m.input);
    if ('error' in input) return refuse('ValidationException', input.error);
    this.callCount++;
    const r = await this.#lab.scripts.service(spec.service, m.op, input.value, region, principal);
    const explanation = r.ok ? undefined : r.error.explanation;
    if (explanation !== undefined && r.requestId) this.#explanations.set(r.requestId, explanation);
    if (this.#frame === frame)
      this.#push({
        kind: 'call',
        op: `${spec.client}.${Object.entries(spec.methods).find(([, op]) => op === m.op)![0]}`,
        region: region,
        principal: principal.arn,
        ok: r.ok,
        ...(r.ok
          ? { response: viewOf(r.output) }
          : { error: { code: r.error.code, message: r.error.message } }),
        ...(explanation !== undefined ? { explanation } : {}),
        ...(r.requestId ? { requestId: r.requestId } : {}),
      });
    reply(
      r.ok
        ? { ok: true, output: r.output, ...(r.requestId ? { requestId: r.requestId } : {}) }
        : {
            ok: false,
            error: { code: r.error.code, message: r.error.message },
            ...(r.requestId ? { requestId: r.requestId } : {}),
          },
    );
  }

  /**
   * Validates a world call from the sandbox (`lab.clock`, `lab.iam`, `lab.cloudHsm`, `lab.fault`,
   * `lab.control`) as strictly as a service call, and forwards it to the KMS worker.
   */
  async #forwardWorld(
    frame: HTMLIFrameElement,
    m: Extract<RunnerMessage, { t: 'world' }>,
    fallback: Principal,
    world: WorldSpec,
  ) {
    const reply = (r: Omit<Extract<PageMessage, { t: 'serviceReply' }>, 't' | 'id'>) => {
      if (this.#frame !== frame) return;
      const msg: PageMessage = { t: 'serviceReply', id: m.id, ...r };
      frame.contentWindow?.postMessage(msg, '*');
    };
    const refuse = (code: string, message: string) => reply({ ok: false, error: { code, message } });
    if (typeof m.id !== 'number') return;
    const family = m.family;
    const known =
      typeof family === 'string' &&
      WORLD_FAMILIES.has(family) &&
      typeof m.op === 'string' &&
      OP_NAME.test(m.op) &&
      (family === 'clock'
        ? m.op === 'Now' || m.op === 'Advance'
        : Object.values(world[family]).includes(m.op));
    if (!known) return refuse('UnknownOperationException', t('scratchpad.refuseLabOperation'));
    const who = this.#callerOf(m, fallback);
    if ('refused' in who) return refuse('UnrecognizedClientException', who.refused);
    const { region, principal } = who;
    const input = plainServiceInput(m.input);
    if ('error' in input) return refuse('ValidationException', input.error);
    const label =
      family === 'clock'
        ? `lab.clock.${m.op === 'Now' ? 'now' : 'advance'}`
        : family === 'lab'
          ? `lab.control:${m.op}`
          : `lab.${family}.${Object.entries(world[family]).find(([, op]) => op === m.op)![0]}`;
    let r: Awaited<ReturnType<Lab['scripts']['world']>>;
    if (family === 'clock') {
      if (m.op === 'Now') {
        reply({ ok: true, output: { now: await this.#lab.scripts.clockNow() } });
        return;
      }
      const seconds = input.value.Seconds;
      if (typeof seconds !== 'number' || !(seconds > 0) || seconds > MAX_ADVANCE_S)
        return refuse('ValidationException', t('scratchpad.refuseClockAdvance', { max: MAX_ADVANCE_S }));
      this.callCount++;
      r = await this.#lab.scripts.advanceClock(seconds);
    } else {
      this.callCount++;
      r = await this.#lab.scripts.world(family, m.op, input.value, region, principal);
    }
    const explanation = r.ok ? undefined : r.error.explanation;
    if (explanation !== undefined && r.requestId) this.#explanations.set(r.requestId, explanation);
    if (this.#frame === frame)
      this.#push({
        kind: 'call',
        op: label,
        region: region,
        principal: principal.arn,
        ok: r.ok,
        ...(r.ok
          ? { response: viewOf(r.output) }
          : { error: { code: r.error.code, message: r.error.message } }),
        ...(explanation !== undefined ? { explanation } : {}),
        ...(r.requestId ? { requestId: r.requestId } : {}),
      });
    reply(
      r.ok
        ? { ok: true, output: r.output, ...(r.requestId ? { requestId: r.requestId } : {}) }
        : {
            ok: false,
            error: { code: r.error.code, message: r.error.message },
            ...(r.requestId ? { requestId: r.requestId } : {}),
          },
    );
  }

  /** Adds a line to the output (outside a run too, e.g. a compile error). */
  print(entry: OutputEntry): void {
    this.#push(entry);
    this.#flush();
  }

  #push(entry: OutputEntry) {
    this.#buffer.push(entry);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const wait = this.#lastFlush + FLUSH_MS - performance.now();
    if (wait <= 0) requestAnimationFrame(() => this.#flush());
    else setTimeout(() => requestAnimationFrame(() => this.#flush()), wait);
  }

  #flush() {
    this.#flushScheduled = false;
    if (!this.#buffer.length) return;
    this.#lastFlush = performance.now();
    const added = this.#buffer.map((e): OutputLine => ({ ...e, seq: this.#seq++ }));
    this.#buffer = [];
    const next = this.output.filter((e) => e.seq !== HIDDEN_LINES).concat(added);
    if (next.length <= OUTPUT_LIMIT && !this.#hidden) {
      this.output = next;
      return;
    }
    const kept = next.slice(-(OUTPUT_LIMIT - 1));
    this.#hidden += next.length - kept.length;
    const note: OutputLine = {
      kind: 'status',
      text: t('scratchpad.linesHidden', { count: this.#hidden }),
      tone: 'info',
      seq: HIDDEN_LINES,
    };
    this.output = [note, ...kept];
  }
}
