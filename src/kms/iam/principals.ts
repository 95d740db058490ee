/** Callers for simulated identities: IAM users, assumed-role sessions, AWS services. */
import type { CallerContext, Principal } from '../world/principal.ts';
import { DEFAULT_REGION } from '../world/regions.ts';
import { assumedRoleArn, type IamRoleRecord, type IamUserRecord, type IdentityRecord } from './model.ts';

export const userPrincipal = (u: IamUserRecord, accessKeyId?: string): Principal => ({
  type: 'IAMUser',
  arn: u.arn,
  accountId: u.accountId,
  principalId: u.id,
  userName: u.name,
  ...((accessKeyId ?? u.accessKeys[0]?.accessKeyId)
    ? { accessKeyId: accessKeyId ?? u.accessKeys[0]!.accessKeyId }
    : {}),
});

/** A session of the role (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`). */
export const assumedRolePrincipal = (r: IamRoleRecord, sessionName = 'session'): Principal => ({
  type: 'AssumedRole',
  arn: assumedRoleArn(r.accountId, r.name, sessionName),
  accountId: r.accountId,
  principalId: `${r.id}:${sessionName}`,
});

/** An AWS service principal such as `s3.amazonaws.com`. */
export const servicePrincipal = (service: string, accountId: string): Principal => ({
  type: 'AWSService',
  arn: service,
  accountId,
  principalId: service,
  invokedBy: service,
});

/** A caller acting as a user (by ARN) or as a session of a role (by ARN). */
export function callerForIdentity(
  identity: IdentityRecord,
  options: { region?: string; sessionName?: string; viaService?: string } = {},
): CallerContext {
  if (identity.kind === 'policy') throw new Error(`${identity.arn} is a policy, not a principal`);
  const principal =
    identity.kind === 'user' ? userPrincipal(identity) : assumedRolePrincipal(identity, options.sessionName);
  return {
    principal,
    region: options.region ?? DEFAULT_REGION,
    ...(options.viaService ? { viaService: options.viaService } : {}),
  };
}

/** The user owning an access key, if any (for `npm run api`'s access-key mapping). */
export function userForAccessKey(
  identities: Iterable<IdentityRecord>,
  accessKeyId: string,
): IamUserRecord | undefined {
  for (const i of identities)
    if (i.kind === 'user' && i.accessKeys.some((k) => k.accessKeyId === accessKeyId && k.status === 'Active'))
      return i;
  return undefined;
}
