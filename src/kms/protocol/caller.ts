import { DEFAULT_ACCOUNT } from '../world/accounts.ts';
import { rootPrincipal, type CallerContext, type CallSource } from '../world/principal.ts';
import { DEFAULT_REGION } from '../world/regions.ts';

/** What a signed request says about its caller, before the lab maps it to a principal. */
export interface RequestIdentity {
  /** The access key ID of the SigV4 credential, when the request is signed. */
  readonly accessKeyId?: string;
  /** The Region the request is for: the SigV4 credential scope, else the `kms.<region>` host. */
  readonly region: string;
  readonly userAgent?: string;
  readonly sourceIp?: string;
}

/** Maps a request's identity to the principal the engine authorizes. */
export type CallerResolver = (identity: RequestIdentity) => CallerContext;

/** Header lookup that ignores case, as HTTP does. */
export function header(
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

// AWS4-HMAC-SHA256 Credential=AKID/20261128/us-west-2/kms/aws4_request, SignedHeaders=…, Signature=…
const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;
const KMS_HOST = /^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$/i;

/** Reads the access key and Region from SigV4's credential scope, falling back to the host name. */
export function identityFromHeaders(
  headers: Readonly<Record<string, string | undefined>>,
  hostname?: string,
): RequestIdentity {
  const scope = CREDENTIAL.exec(header(headers, 'authorization') ?? '');
  const host = KMS_HOST.exec(hostname ?? header(headers, 'host') ?? '');
  const userAgent = header(headers, 'user-agent') ?? header(headers, 'x-amz-user-agent');
  return {
    ...(scope ? { accessKeyId: scope[1] } : {}),
    region: scope?.[2] ?? host?.[1]?.toLowerCase() ?? DEFAULT_REGION,
    ...(userAgent ? { userAgent } : {}),
  };
}

/**
 * The lab's default mapping: any access key acts as the root user of the learner's account
 * (111122223333), in the Region the request was signed for.
 */
export const rootCallerFor =
  (source: CallSource, accountId: string = DEFAULT_ACCOUNT): CallerResolver =>
  (identity) => ({
    principal: rootPrincipal(accountId, identity.accessKeyId),
    region: identity.region,
    source,
    ...(identity.userAgent ? { userAgent: identity.userAgent } : {}),
    ...(identity.sourceIp ? { sourceIp: identity.sourceIp } : {}),
  });
