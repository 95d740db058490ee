/**
 * Calls from the page into the open workspace's engine: who calls, what the page gets back (a
 * result, never a rejection, for an AWS error), and the request paired with the call's event.
 * After each call the world's change is remembered for undo.
 */
import {
  ACCOUNTS,
  isKmsError,
  rootPrincipal,
  type CallerContext,
  type CallSource,
  type Kms,
  type Principal,
} from '../src/kms/index.ts';
import { handleJsonRequest } from '../src/kms/protocol/jsonProtocol.ts';
import { beginCall, endCall } from './labEvents.ts';
import { remember } from './workspace.ts';

/** An AWS exception as the UI receives it: the exception name and AWS's message. */
export interface KmsErrorInfo {
  /** The AWS exception name, e.g. `InvalidCiphertextException`. */
  readonly code: string;
  /** AWS's message; some exceptions (InvalidCiphertextException) have none. */
  readonly message: string;
  /** For AccessDeniedException: the rule that decided. */
  readonly explanation?: unknown;
}

/** The outcome of one call: never thrown, so the page can read every part of a failure. */
export type CallResult<T = Record<string, unknown>> = (
  { readonly ok: true; readonly output: T } | { readonly ok: false; readonly error: KmsErrorInfo }
) & {
  /** The call's request ID (its trace and CloudTrail record carry the same), when it reached the engine. */
  readonly requestId?: string;
};

/** Who calls. Defaults: the root user of the lab's own account, from the console. */
export interface CallerInput {
  readonly region: string;
  readonly principal?: Principal;
  readonly source?: CallSource;
}

/** A scratchpad script's SDK request, as the KMS worker answers it (the AWS JSON 1.1 wire shape). */
export interface WireReply {
  readonly status: number;
  readonly body: string;
  readonly requestId?: string;
  /** For a denial: why (the authorization explanation). */
  readonly explanation?: unknown;
}

/** The engine's caller for `caller`, with the defaults filled in. */
export function callerContext(caller: CallerInput): CallerContext {
  return {
    principal: caller.principal ?? rootPrincipal(ACCOUNTS[0]!.id),
    region: caller.region,
    source: caller.source ?? 'console',
  };
}

/** An error as the page receives it: an AWS exception as it is, anything else as an internal error. */
export function toErrorInfo(e: unknown): KmsErrorInfo {
  if (isKmsError(e)) {
    let explanation: unknown;
    try {
      explanation = e.explanation === undefined ? undefined : structuredClone(e.explanation);
    } catch {
      explanation = undefined;
    }
    return { code: e.code, message: e.message, ...(explanation === undefined ? {} : { explanation }) };
  }
  console.error(e);
  return { code: 'KMSInternalException', message: 'An internal error occurred.' };
}

/**
 * Runs one call from the page with its request remembered (so the call's event carries it) and
 * turns an AWS error into a result the page can read: calls from the page never reject.
 */
export async function tracked<T>(
  operation: string,
  input: unknown,
  invoke: () => Promise<T>,
): Promise<CallResult<T>> {
  const mine = beginCall({ operation, input });
  try {
    return { ok: true as const, output: await invoke(), requestId: mine.trace?.requestId };
  } catch (e) {
    return { ok: false as const, error: toErrorInfo(e), requestId: mine.trace?.requestId };
  } finally {
    endCall();
    await remember();
  }
}

/**
 * Answers one SDK request from a scratchpad script: `TrentService.<operation>` with its JSON 1.1
 * body, as `caller` (from a script unless it says otherwise). A denial carries the authorization
 * explanation.
 */
export async function answerWire(
  kms: Kms,
  operation: string,
  body: string,
  caller: CallerInput,
): Promise<WireReply> {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    input = body;
  }
  const mine = beginCall({ operation, input });
  try {
    const out = await handleJsonRequest(kms, {
      target: `TrentService.${operation}`,
      body,
      caller: { ...callerContext(caller), source: caller.source ?? 'script' },
    });
    const trace = mine.trace;
    return {
      status: out.status,
      body: out.body,
      ...(trace ? { requestId: trace.requestId } : {}),
      ...(trace?.outcome === 'denied' && trace.authorization
        ? { explanation: structuredClone(trace.authorization.explanation) }
        : {}),
    };
  } finally {
    endCall();
    await remember();
  }
}
