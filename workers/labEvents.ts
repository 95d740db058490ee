/**
 * The engine's events on their way to the page: each goes to every page listener, and the event of
 * a call made through this worker carries the call's request too (this module knows which call is
 * running, to pair them).
 */
import type { CallTrace, KmsEvent } from '../src/kms/index.ts';
import type * as LearnSide from './learnSide.ts';
import { markChanged } from './undoHistory.ts';

/**
 * What the page hears: the engine's events; a call made through this worker also carries its
 * request (operation and input) so the page can show it.
 */
export type LabEvent =
  | (Extract<KmsEvent, { type: 'call' }> & { readonly request?: CallRequest })
  | Exclude<KmsEvent, { type: 'call' }>
  /** The active lesson's or challenge's steps changed (or it was closed: `null`). */
  | { readonly type: 'learn'; readonly status: LearnSide.LearnStatus | null };

/** A call as the page asked for it. */
export interface CallRequest {
  readonly operation: string;
  readonly input: unknown;
}

/** The call in progress: once the engine reports it, its trace. */
export interface RunningCall {
  readonly request: CallRequest;
  trace?: CallTrace;
}

const listeners = new Set<(e: LabEvent) => void>();
/** The call this worker is running (calls run one at a time), so its event can carry its request. */
let current: RunningCall | null = null;

/** Tells every page listener. */
export function forward(e: LabEvent): void {
  for (const l of listeners) l(e);
}

/**
 * Adds a page listener (a Comlink proxy); one whose page is gone (its call rejects) is dropped.
 * Returns the function that removes it.
 */
export function listen(listener: (event: LabEvent) => void): () => void {
  const l = (event: LabEvent) => {
    Promise.resolve(listener(event)).catch(() => listeners.delete(l));
  };
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** Starts a call from the page: the engine's event for it will carry `request`, and the call its trace. */
export function beginCall(request: CallRequest): RunningCall {
  return (current = { request });
}

/** Ends the call {@link beginCall} started. */
export function endCall(): void {
  current = null;
}

/**
 * Handles an event of the open workspace's engine: notes world changes for the undo history and
 * forwards the event, a call's with the request that made it.
 */
export function onEngineEvent(e: KmsEvent): void {
  if (e.type === 'call') {
    if (e.trace.outcome === 'success' && e.records.some((r) => !r.readOnly)) markChanged();
    // A service call's own KMS calls (viaService) come first; the request belongs to the service call.
    if (current && !current.trace && !e.trace.viaService) {
      current.trace = e.trace;
      forward({ ...e, request: current.request });
      return;
    }
  } else if (e.type === 'serviceEvent') markChanged();
  forward(e);
}
