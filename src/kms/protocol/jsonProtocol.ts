import { newRequestId } from '../crypto/random.ts';
import { Err, isKmsError } from '../errors.ts';
import type { Kms } from '../index.ts';
import { createRegistry } from '../operations/index.ts';
import type { OperationRegistry } from '../operations/registry.ts';
import type { CallerContext } from '../world/principal.ts';
import type { ScheduledEvent } from '../world/scheduler.ts';
import { decodeInput, encodeOutput } from './jsonCodec.ts';

/**
 * The AWS JSON 1.1 wire protocol over the engine's call surface: `POST /` with
 * `X-Amz-Target: TrentService.<Operation>`, JSON bodies with base64 blobs and epoch-second
 * timestamps, and `{"__type","message"}` error bodies. Pure TypeScript: it serves the Node HTTP
 * endpoint and the in-process SDK request handler alike.
 */
export const SERVICE_TARGET_PREFIX = 'TrentService.';
/** The simulator's own controls (clock, reset), outside the KMS API. */
export const LAB_TARGET_PREFIX = 'KmsLab.';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface JsonRequest {
  /** The `X-Amz-Target` header, e.g. `TrentService.Encrypt`. */
  readonly target: string | undefined;
  /** The request body, JSON text (empty means `{}`). */
  readonly body: string;
  readonly caller: CallerContext;
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text. */
  readonly body: string;
}

let registry: OperationRegistry | undefined;
const operations = () => (registry ??= createRegistry());

/** Answers one AWS JSON 1.1 request; never rejects (every failure becomes an error body). */
export async function handleJsonRequest(kms: Kms, request: JsonRequest): Promise<JsonResponse> {
  const requestId = newRequestId();
  try {
    const output = await dispatch(kms, request);
    return respond(200, requestId, encodeOutput(output));
  } catch (e) {
    const error = isKmsError(e) ? e : Err.Internal('An internal error occurred.');
    if (!isKmsError(e)) console.error(e);
    return respond(error.httpStatus, requestId, { __type: error.code, message: error.message });
  }
}

function respond(status: number, requestId: string, body: unknown): JsonResponse {
  return {
    status,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  };
}

async function dispatch(kms: Kms, { target, body, caller }: JsonRequest): Promise<unknown> {
  const name = target?.trim() ?? '';
  if (name.startsWith(SERVICE_TARGET_PREFIX)) {
    const op = operations().get(name.slice(SERVICE_TARGET_PREFIX.length));
    if (!op) throw unknownOperation(name);
    const input = decodeInput(op.input, parseBody(body));
    return kms.send(op.name, input, caller);
  }
  if (name.startsWith(LAB_TARGET_PREFIX)) {
    const labName = name.slice(LAB_TARGET_PREFIX.length);
    const control = LAB_CONTROLS.get(labName);
    if (control) return control(kms, parseBody(body));
    // The engine's lab controls: CloudHSM setup and faults (cloudhsm/labOperations.ts).
    if (kms.labOperations().includes(`lab:${labName}`)) return kms.lab(labName, parseBody(body), caller);
    throw unknownOperation(name);
  }
  throw unknownOperation(name);
}

// AWS answers an unknown target with a bare UnknownOperationException; the message is ours.
const unknownOperation = (target: string) =>
  Err.UnknownOperation(target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header');

/** Parses a JSON 1.1 body, which must be a JSON object (an empty body counts as `{}`). */
function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw Err.Serialization('Malformed JSON request body');
  }
  if (value === null) return {};
  if (Array.isArray(value)) throw Err.Serialization('Start of list found where not expected');
  if (typeof value !== 'object')
    throw Err.Serialization(`${jsonTypeName(value)} can not be converted to a Structure`);
  return value as Record<string, unknown>;
}

/** The JSON token names AWS's parser uses in SerializationException messages. */
function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'Start of list';
  if (typeof v === 'object' && v !== null) return 'Start of structure or map';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (typeof v === 'boolean') return 'BOOLEAN_VALUE';
  return 'STRING_VALUE';
}

const epochSeconds = (ms: number) => ms / 1000;

const firedEvent = (e: ScheduledEvent) => ({
  Kind: e.kind,
  KeyArn: e.keyArn,
  AccountId: e.accountId,
  Region: e.region,
  At: epochSeconds(e.at),
  Description: e.description,
});

type LabControl = (kms: Kms, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** `KmsLab.*` targets: the simulator's controls, in the same JSON style as the KMS API. */
const LAB_CONTROLS = new Map<string, LabControl>(
  Object.entries({
    async AdvanceClock(kms: Kms, input: Record<string, unknown>) {
      const seconds = input.Seconds;
      if (seconds === undefined || seconds === null)
        throw Err.Validation(
          "1 validation error detected: Value null at 'seconds' failed to satisfy constraint: Member must not be null",
        );
      if (typeof seconds !== 'number')
        throw Err.Serialization(`${jsonTypeName(seconds)} can not be converted to a Double`);
      const fired = await kms.advanceClock(seconds);
      return { Now: epochSeconds(kms.now()), FiredEvents: fired.map(firedEvent) };
    },
    async GetTime(kms: Kms) {
      return { Now: epochSeconds(kms.now()) };
    },
    async ResetWorld(kms: Kms) {
      await kms.restore();
      return {};
    },
  }),
);
