import type { Kms } from '../index.ts';
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

/** A role session's temporary credentials (e.g. seeded by a scenario): they act as that session. */
export interface RoleSessionCredential {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly sessionName: string;
}

/**
 * Maps access keys to principals through the world (`npm run api`'s mapping): an IAM user's active
 * access key acts as that user, a role session's credentials as the assumed role
 * (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`), and any other key, or none, as the root
 * user of the world's default account (111122223333), as {@link rootCallerFor} does. Signatures are
 * not verified: the secret only lets real SDKs sign.
 */
export function accessKeyCallerFor(
  kms: Pick<Kms, 'callerFor' | 'callerForAccessKey'>,
  source: CallSource,
  roleSessions: readonly RoleSessionCredential[] = [],
): CallerResolver {
  const sessions = new Map(roleSessions.map((s) => [s.accessKeyId, s]));
  return (identity) => {
    const accessKeyId = identity.accessKeyId;
    let caller: CallerContext | undefined;
    const session = accessKeyId !== undefined ? sessions.get(accessKeyId) : undefined;
    if (session)
      try {
        const c = kms.callerFor(session.roleArn, {
          region: identity.region,
          sessionName: session.sessionName,
        });
        caller = { ...c, principal: { ...c.principal, accessKeyId: session.accessKeyId } };
      } catch {
        // The role is gone (deleted, or the world was reset): the key is unknown now.
      }
    caller ??=
      accessKeyId !== undefined
        ? kms.callerForAccessKey(accessKeyId, identity.region)
        : { principal: rootPrincipal(DEFAULT_ACCOUNT), region: identity.region };
    return {
      principal: caller.principal,
      region: identity.region,
      source,
      ...(identity.userAgent ? { userAgent: identity.userAgent } : {}),
      ...(identity.sourceIp ? { sourceIp: identity.sourceIp } : {}),
    };
  };
}
