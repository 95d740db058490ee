/**
 * The caller as policy evaluation sees it: its ARNs, account, whether it is a root user or an AWS
 * service, and the IAM identity (user or role) whose policies apply to it.
 */
import { parsedPolicy, type ParsedPolicy } from './policyGrammar.ts';
import type { IamRoleRecord, IamUserRecord } from '../iam/model.ts';
import type { WorldTx } from '../model/world.ts';
import type { CallerContext } from '../world/principal.ts';

/** What the evaluation needs to know about the caller. */
export interface CallerFacts {
  readonly arn: string;
  /** aws:PrincipalArn: the role ARN for an assumed-role session. */
  readonly principalArn: string;
  readonly accountId: string;
  readonly isRoot: boolean;
  readonly service?: string;
  readonly identity?: IamUserRecord | IamRoleRecord;
}

/** The facts of a caller; an assumed-role session resolves to its role (ARN, policies and tags). */
export function callerFacts(caller: CallerContext, tx: WorldTx | undefined): CallerFacts {
  const p = caller.principal;
  const base = { arn: p.arn, accountId: p.accountId, isRoot: p.type === 'Root' };
  if (p.type === 'AWSService') return { ...base, principalArn: p.arn, service: p.invokedBy ?? p.arn };
  if (p.type === 'IAMUser') {
    const id = tx?.identity(p.arn);
    return { ...base, principalArn: p.arn, ...(id?.kind === 'user' ? { identity: id } : {}) };
  }
  if (p.type === 'AssumedRole') {
    const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(p.arn);
    const role = m
      ? tx?.allIdentities().find((i) => i.kind === 'role' && i.accountId === m[1] && i.name === m[2])
      : undefined;
    const roleArn = role?.arn ?? (m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : p.arn);
    return { ...base, principalArn: roleArn, ...(role?.kind === 'role' ? { identity: role } : {}) };
  }
  return { ...base, principalArn: p.arn };
}

/** The caller's identity policies (inline and attached managed), parsed. */
export function identityPolicies(
  c: CallerFacts,
  tx: WorldTx | undefined,
): { source: 'inline-policy' | 'managed-policy'; name: string; policy: ParsedPolicy }[] {
  const id = c.identity;
  if (!id) return [];
  const out: { source: 'inline-policy' | 'managed-policy'; name: string; policy: ParsedPolicy }[] = [];
  for (const [name, doc] of Object.entries(id.inlinePolicies))
    out.push({ source: 'inline-policy', name, policy: parsedPolicy(doc, 'identity') });
  for (const arn of id.attachedPolicies) {
    const mp = tx?.identity(arn);
    if (mp?.kind === 'policy')
      out.push({ source: 'managed-policy', name: arn, policy: parsedPolicy(mp.document, 'identity') });
  }
  return out;
}
