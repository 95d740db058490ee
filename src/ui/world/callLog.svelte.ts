import type { LabEvent } from '../../../workers/kms.worker.ts';
import type { CallEntry, CallResult } from '../labTypes.ts';

/** Calls the log keeps (the newest). */
const CALL_LOG_LIMIT = 500;
/**
 * During a burst of calls, new entries land at most this often (ms): a script making a thousand
 * calls must not re-render the log, the world view and the inspector per call.
 */
const LANDING_INTERVAL_MS = 100;

/** A call as the KMS worker reports it. */
export type CallEvent = Extract<LabEvent, { type: 'call' }>;

/**
 * The calls the lab saw since the page opened, oldest first, each with the console's response or
 * error once its result came back. A call's event (trace, trail records) and the result of the
 * console call that made it arrive separately and in either order; the log pairs them.
 */
export class CallLog {
  /** The calls seen, oldest first (at most {@link CALL_LOG_LIMIT}). */
  entries = $state.raw<readonly CallEntry[]>([]);

  /** Call results that arrived before their call event. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #early = new Map<string, CallResult<unknown>>();
  /** Calls that arrived during a burst, not yet in `entries` (see #add). */
  #incoming: CallEntry[] = [];
  #incomingTimer: ReturnType<typeof setTimeout> | null = null;
  #landedAt = -Infinity;

  /** The newest call with this request ID, if the log still has it. */
  byId(requestId: string): CallEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i]!.trace.requestId === requestId) return this.entries[i];
    return undefined;
  }

  /** Adds a call the worker reported, with its result if that came first. */
  record(e: CallEvent): void {
    const early = this.#early.get(e.trace.requestId);
    this.#early.delete(e.trace.requestId);
    this.#add({
      trace: e.trace,
      records: e.records,
      ...(e.request ? { request: e.request } : {}),
      ...(early ? (early.ok ? { response: early.output } : { error: early.error }) : {}),
    });
  }

  /** Ties a console call's result to its entry; kept for later when its event has not come yet. */
  attachResult(result: CallResult<unknown>): void {
    const id = result.requestId;
    if (!id) return;
    const outcome = result.ok ? { response: result.output } : { error: result.error };
    const waiting = this.#incoming.findIndex((c) => c.trace.requestId === id);
    if (waiting >= 0) {
      this.#incoming[waiting] = { ...this.#incoming[waiting]!, ...outcome };
      return;
    }
    let i = this.entries.length - 1;
    while (i >= 0 && this.entries[i]!.trace.requestId !== id) i--;
    if (i < 0) {
      this.#early.set(id, result);
      return;
    }
    const next = [...this.entries];
    next[i] = { ...next[i]!, ...outcome };
    this.entries = next;
  }

  /** Adds a call to `entries`: at once for a lone call, at most every {@link LANDING_INTERVAL_MS} in a burst. */
  #add(entry: CallEntry) {
    this.#incoming.push(entry);
    if (this.#incomingTimer !== null) return;
    const wait = this.#landedAt + LANDING_INTERVAL_MS - performance.now();
    if (wait <= 0) this.#land();
    else this.#incomingTimer = setTimeout(() => this.#land(), wait);
  }

  #land() {
    this.#incomingTimer = null;
    this.#landedAt = performance.now();
    const landed = this.#incoming;
    this.#incoming = [];
    this.entries = this.entries.concat(landed).slice(-CALL_LOG_LIMIT);
  }
}
