import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import type { Kms } from '../index.ts';
import { accessKeyCallerFor, header, identityFromHeaders, type CallerResolver } from './caller.ts';
import { handleJsonRequest } from './jsonProtocol.ts';

/**
 * A smithy request handler that answers `@aws-sdk/client-kms` requests from an in-process engine,
 * so the real KMSClient runs unchanged against the simulator (in Node, and in a browser worker:
 * no Node APIs, no network).
 *
 * ```ts
 * const client = new KMSClient({
 *   region: 'us-west-2',
 *   credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
 *   requestHandler: createInProcessRequestHandler(kms),
 * });
 * ```
 * The Region is the one the request was signed for (SigV4 credential scope), else the
 * `kms.<region>.amazonaws.com` host. By default an IAM user's access key acts as that user and any
 * other key as the root user of 111122223333; pass `callerFor` to map access keys otherwise.
 */
export function createInProcessRequestHandler(
  kms: Kms,
  callerFor: CallerResolver = accessKeyCallerFor(kms, 'sdk'),
) {
  return {
    async handle(
      request: HttpRequest,
      options?: { abortSignal?: { aborted: boolean } },
    ): Promise<{ response: HttpResponse }> {
      if (options?.abortSignal?.aborted) {
        const abort = new Error('Request aborted');
        abort.name = 'AbortError';
        throw abort;
      }
      const headers = request.headers as Record<string, string | undefined>;
      const caller = callerFor(identityFromHeaders(headers, request.hostname));
      const out = await handleJsonRequest(kms, {
        target: header(headers, 'x-amz-target'),
        body: bodyText(request.body),
        caller,
      });
      return {
        response: new HttpResponse({
          statusCode: out.status,
          headers: out.headers,
          body: new TextEncoder().encode(out.body),
        }),
      };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
    destroy(): void {},
  };
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (body instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(body));
  throw new TypeError('The in-process KMS handler accepts string or byte request bodies only');
}
