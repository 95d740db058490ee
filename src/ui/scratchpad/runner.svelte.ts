/**
 * Runs scratchpad scripts: one sandboxed iframe (and its runner worker) per run, torn down on
 * Stop, on timeout and when the script ends. Every `call` message from the sandbox is validated
 * here before it reaches the KMS worker; replies go back by message. The KMS worker answers calls
 * one at a time, so killing a script mid-call leaves the engine consistent: the call completes
 * there, its reply is dropped.
 */
import runnerUrl from '../../../workers/runner/runner.ts?worker&url';
import type { PageMessage, RunnerMessage, ViewValue } from '../../../workers/runner/protocol.ts';
import { REGIONS } from '../../kms/world/regions.ts';
import type { Principal } from '../../kms/index.ts';
import type { Lab } from '../lab.svelte.ts';
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

/** A transpiled script: the runner's function body and a JS-line → TS-line table. */
export interface CompiledScript {
  readonly body: string;
  readonly lines: readonly (number | undefined)[];
}

export const DEFAULT_TIMEOUT_S = 10;
const OUTPUT_LIMIT = 400;
const MAX_BODY = 1024 * 1024;
const OP_NAME = /^[A-Z][A-Za-z0-9]{1,63}$/;
const REGION_NAMES = new Set(REGIONS.map((r) => r.name));

let runnerSource: Promise<string> | null = null;
/** The runner bundle's text (the sandbox cannot fetch it: it has no network). */
function loadRunner(): Promise<string> {
  runnerSource ??= fetch(runnerUrl).then((r) => {
    if (!r.ok) throw new Error(`The script runner could not be loaded (${r.status}).`);
    // The sandbox starts it as a classic worker from a blob: drop the chunk's trailing export list.
    return r.text().then((t) => t.replace(/export\s*\{[^}]*\};?\s*$/, ''));
  });
  return runnerSource;
}

export class ScriptRunner {
  output = $state.raw<readonly OutputEntry[]>([]);
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
  #started = 0;
  #finish: (() => void) | null = null;
  /** Denial explanations by request ID, for the script error that follows. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  #explanations = new Map<string, unknown>();

  constructor(lab: Lab) {
    this.#lab = lab;
  }

  clear(): void {
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
    this.#push({ kind: 'status', text: 'Running…', tone: 'info' });
    let runner: string;
    try {
      runner = await loadRunner();
    } catch (e) {
      this.#push({ kind: 'error', name: 'Error', message: e instanceof Error ? e.message : String(e) });
      this.running = false;
      return;
    }
    const lab = this.#lab;
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
          };
          frame.contentWindow?.postMessage({ t: 'start', runner, run }, '*');
          break;
        }
        case 'call':
          void this.#forward(frame, m, principal);
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
          this.#end(`Failed after ${this.#elapsed()}`, 'warn');
          break;
        }
        case 'done':
          this.#end(
            `Done in ${this.#elapsed()} · ${this.callCount} call${this.callCount === 1 ? '' : 's'}`,
            'ok',
          );
          break;
      }
    };
    this.#onMessage = onMessage;
    window.addEventListener('message', onMessage);
    const limit = Math.max(1, Math.min(600, this.timeoutSeconds || DEFAULT_TIMEOUT_S));
    this.#timer = setTimeout(() => {
      this.stop(`Stopped: the script ran longer than ${limit} s (timeout).`);
    }, limit * 1000);
    return done;
  }

  /** Ends the running script at once (the worker dies with its iframe). */
  stop(reason: string | null = 'Stopped.'): void {
    if (!this.#frame) return;
    this.#end(reason, 'warn');
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

  async #forward(frame: HTMLIFrameElement, m: Extract<RunnerMessage, { t: 'call' }>, fallback: Principal) {
    const reply = (status: number, body: string, requestId?: string) => {
      if (this.#frame !== frame) return;
      const msg: PageMessage = { t: 'reply', id: m.id, status, body, ...(requestId ? { requestId } : {}) };
      frame.contentWindow?.postMessage(msg, '*');
    };
    const refuse = (code: string, message: string) => reply(400, JSON.stringify({ __type: code, message }));
    if (typeof m.id !== 'number') return;
    if (typeof m.op !== 'string' || !OP_NAME.test(m.op))
      return refuse('UnknownOperationException', 'The script asked for an operation KMS does not have.');
    if (typeof m.body !== 'string' || m.body.length > MAX_BODY)
      return refuse('ValidationException', 'The request body is missing or too large.');
    if (typeof m.region !== 'string' || !REGION_NAMES.has(m.region))
      return refuse(
        'UnrecognizedClientException',
        `KMS Lab simulates the Regions ${[...REGION_NAMES].join(', ')}; "${String(m.region)}" is not one of them.`,
      );
    let principal = fallback;
    if (m.principal !== undefined) {
      const found = this.#lab.principals.find((p) => p.principal.arn === m.principal);
      if (!found)
        return refuse(
          'UnrecognizedClientException',
          `The lab has no principal ${String(m.principal)}; use one of lab.principals.`,
        );
      principal = $state.snapshot(found.principal) as Principal;
    }
    this.callCount++;
    const r = await this.#lab.wire(m.op, m.body, m.region, principal);
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
        region: m.region,
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

  #push(entry: OutputEntry) {
    this.#buffer.push(entry);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    requestAnimationFrame(() => this.#flush());
  }

  #flush() {
    this.#flushScheduled = false;
    if (!this.#buffer.length) return;
    const next = this.output.concat(this.#buffer);
    this.#buffer = [];
    this.output =
      next.length > OUTPUT_LIMIT
        ? [
            {
              kind: 'status',
              text: `… ${next.length - OUTPUT_LIMIT + 1} earlier lines not shown`,
              tone: 'info',
            },
            ...next.slice(-(OUTPUT_LIMIT - 1)),
          ]
        : next;
  }
}
