import { newRequestId } from '../crypto/random.ts';
import { Err, isKmsError } from '../errors.ts';
import type { Kms } from '../index.ts';
import { cloudHsmOperations } from '../cloudhsm/operations.ts';
import { decodeInput, encodeOutput } from './jsonCodec.ts';
import { JSON_CONTENT_TYPE, type JsonRequest, type JsonResponse } from './jsonProtocol.ts';

/**
 * AWS CloudHSM v2's wire protocol (AWS JSON 1.1, `X-Amz-Target: BaldrApiService.<Operation>`) over
 * the simulated CloudHSM API (cloudhsm/operations.ts), so `@aws-sdk/client-cloudhsm-v2` works
 * against `npm run api`: CreateCluster, DescribeClusters, InitializeCluster, CreateHsm, DeleteHsm,
 * DeleteCluster. Errors are `{"__type","message"}` bodies with HTTP 400.
 */
export const CLOUDHSM_TARGET_PREFIX = 'BaldrApiService.';

const operations = new Map(cloudHsmOperations.map((op) => [op.name.replace(/^cloudhsm:/, ''), op]));

/** Whether a request's `X-Amz-Target` is CloudHSM v2's. */
export const isCloudHsmTarget = (target: string | undefined): boolean =>
  (target?.trim() ?? '').startsWith(CLOUDHSM_TARGET_PREFIX);

/** Answers one CloudHSM v2 request; never rejects (every failure becomes an error body). */
export async function handleCloudHsmRequest(kms: Kms, request: JsonRequest): Promise<JsonResponse> {
  const requestId = newRequestId();
  try {
    const name = (request.target?.trim() ?? '').slice(CLOUDHSM_TARGET_PREFIX.length);
    const op = operations.get(name);
    if (!op) throw Err.UnknownOperation(`Unknown operation ${request.target}`);
    const input = decodeInput(op.input, parseBody(request.body));
    const output = await kms.cloudHsm(name, input, request.caller);
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

function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw Err.Serialization('Malformed JSON request body');
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw Err.Serialization('The request body must be a JSON object');
  return value as Record<string, unknown>;
}
