/**
 * Grant evaluation: which of a key's grants name the caller (or its account) as grantee, and
 * whether one allows the operation — operations, encryption context constraints, propagation
 * delay (unless its grant token is passed) and, for an account grantee, the identity policies.
 */
import { decodeGrantToken } from './grantTokens.ts';
import type { AuthorizationRequest } from './authorizer.ts';
import type { CallerFacts } from './callerFacts.ts';
import { encryptionContextFor } from './requestContext.ts';
import type { KeyRecord } from '../model/key.ts';
import { GRANT_PROPAGATION_MS, type GrantRecord } from '../model/grant.ts';
import { rootArn } from '../world/accounts.ts';

/** One grant as evaluated for a request: whether it applies, and why (not). */
export interface GrantEvaluation {
  readonly grantId: string;
  readonly name?: string;
  readonly granteePrincipal?: string;
  readonly operations: readonly string[];
  readonly applies: boolean;
  readonly reason: string;
}

/** The encryption context grant constraints compare with: key case-insensitive, value exact. */
function constraintsHold(g: GrantRecord, ec: Record<string, string> | undefined): boolean {
  const c = g.constraints;
  if (!c) return true;
  const req = new Map(Object.entries(ec ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (c.EncryptionContextEquals) {
    const want = Object.entries(c.EncryptionContextEquals);
    if (want.length !== req.size) return false;
    if (!want.every(([k, v]) => req.get(k.toLowerCase()) === v)) return false;
  }
  if (c.EncryptionContextSubset)
    if (!Object.entries(c.EncryptionContextSubset).every(([k, v]) => req.get(k.toLowerCase()) === v))
      return false;
  return true;
}

/** Operations that carry an encryption context: the only ones grant constraints apply to. */
const EC_OPERATIONS = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'CreateGrant',
]);

/**
 * EC2's grants for an instance name its infrastructure session as `<acct>:aws:ec2-infrastructure:<instance>`
 * (KMS developer guide, CloudTrail "Amazon EC2 example two"); the Decrypt caller is
 * `arn:aws:sts::<acct>:assumed-role/aws:ec2-infrastructure/<instance>`.
 */
function infrastructureGrantee(arn: string): string | undefined {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/(aws:ec2-infrastructure)\/(.+)$/.exec(arn);
  return m ? `${m[1]}:${m[2]}:${m[3]}` : undefined;
}

/**
 * Evaluates the key's grants whose grantee is the caller or its account, up to the first that
 * applies. `identityAllows` is asked only for a grant to the account (a non-root caller needs an
 * identity policy too). At most 25 evaluations are kept for the explanation.
 */
export function evaluateGrants(
  r: AuthorizationRequest,
  key: KeyRecord,
  c: CallerFacts,
  identityAllows: () => boolean,
): { considered: GrantEvaluation[]; applied?: GrantRecord } {
  const grants = key.grants;
  if (!grants?.length) return { considered: [] };
  const operation = r.action.slice('kms:'.length);
  const now = r.now ?? Date.now();
  let tokens: Set<string> | undefined;
  const considered: GrantEvaluation[] = [];
  let applied: GrantRecord | undefined;
  for (const g of grants) {
    const toCaller =
      g.granteePrincipal === c.arn ||
      g.granteePrincipal === c.principalArn ||
      g.granteePrincipal === infrastructureGrantee(c.arn) ||
      (c.service !== undefined && g.granteeServicePrincipal === c.service);
    const toAccount = !toCaller && g.granteePrincipal === rootArn(c.accountId);
    if (!toCaller && !toAccount) continue;
    const entry = (applies: boolean, reason: string): GrantEvaluation => ({
      grantId: g.grantId,
      ...(g.name ? { name: g.name } : {}),
      ...(g.granteePrincipal ? { granteePrincipal: g.granteePrincipal } : {}),
      operations: g.operations,
      applies,
      reason,
    });
    let verdict: GrantEvaluation;
    if (!(g.operations as readonly string[]).includes(operation))
      verdict = entry(false, `the grant does not allow ${operation}`);
    else if (EC_OPERATIONS.has(operation) && !constraintsHold(g, encryptionContextFor(r.action, r.input)))
      verdict = entry(false, 'the encryption context does not satisfy the grant constraints');
    else {
      tokens ??= new Set(
        ((r.input.GrantTokens as string[] | undefined) ?? [])
          .map((t) => decodeGrantToken(t)?.grantId)
          .filter((x): x is string => !!x),
      );
      const viaToken = tokens.has(g.grantId);
      if (!viaToken && now < g.createdAt + GRANT_PROPAGATION_MS)
        verdict = entry(
          false,
          'the grant has not taken effect yet (eventual consistency); pass its grant token to use it at once',
        );
      else if (toAccount && !c.isRoot && !identityAllows())
        verdict = entry(false, "the grantee is the caller's account and no identity-based policy allows it");
      else verdict = entry(true, viaToken ? 'allowed with its grant token' : 'allowed');
    }
    if (considered.length < 25) considered.push(verdict);
    if (verdict.applies) {
      applied = g;
      break;
    }
  }
  return { considered, ...(applied ? { applied } : {}) };
}
