/**
 * AWS's authorization logic for KMS (kms-api.md §12), with every decision explained.
 *
 * - An explicit Deny in the key policy or in the caller's identity policies wins.
 * - Key-policy actions: the key policy must allow the caller directly, or allow the caller's
 *   account (`arn:aws:iam::<acct>:root`, the default "Enable IAM User Permissions"), in which case
 *   an identity policy must also allow it (the account's root user needs none). A grant allows its
 *   operations on its own. Cross-account: the key policy must allow the caller (or its account)
 *   AND the caller's identity policies must allow it (a root user needs none).
 * - IAM-only actions (CreateKey, ListKeys, ListAliases, GenerateRandom, ListRetirableGrants,
 *   custom key store operations, the simulated IAM API): identity policies only; a root user may do
 *   anything in its own account.
 *
 * The pieces: callerFacts.ts (who calls), requestContext.ts (condition keys), statementMatching.ts
 * (policy statements), grantEvaluation.ts (grants), explanation.ts (the explained decision).
 */
import { parsedPolicy } from './policyGrammar.ts';
import type { AuthorizationDecision, AuthorizationRequest, Authorizer } from './authorizer.ts';
import { callerFacts, identityPolicies } from './callerFacts.ts';
import { explainedDecision, type DecidingRule, type GrantsConsidered } from './explanation.ts';
import { evaluateGrants } from './grantEvaluation.ts';
import { isIamOnlyAction } from './iamOnlyActions.ts';
import { requestContext } from './requestContext.ts';
import { evaluatePolicy, type PolicyEvaluation } from './statementMatching.ts';

export type { AccessExplanation, DecidingRule } from './explanation.ts';

/** Evaluates one authorization request. */
export function evaluateAccess(r: AuthorizationRequest): AuthorizationDecision {
  const { action, key, tx } = r;
  const c = callerFacts(r.caller, tx);
  const iamOnly = isIamOnlyAction(action) || !key;
  const resource = !iamOnly && key ? key.arn : (r.resource ?? '*');
  const context = requestContext(r, c);
  const policies: PolicyEvaluation[] = [];

  // Identity policies: evaluated lazily (root users and services have none).
  let identity: { allow: boolean; deny: boolean } | undefined;
  const evaluateIdentity = () => {
    if (identity) return identity;
    identity = { allow: false, deny: false };
    for (const p of identityPolicies(c, tx)) {
      const statements = evaluatePolicy(p.policy, action, resource, context, undefined);
      policies.push({ source: p.source, name: p.name, holder: c.principalArn, statements });
      for (const s of statements)
        if (s.matched) {
          if (s.effect === 'Deny') identity.deny = true;
          else identity.allow = true;
        }
    }
    return identity;
  };

  const decide = (
    allowed: boolean,
    rule: DecidingRule,
    summary: string,
    grants: GrantsConsidered = { total: key?.grants?.length ?? 0, considered: [] },
    why?: string,
  ): AuthorizationDecision =>
    explainedDecision(
      { allowed, rule, summary, why },
      { action, principal: c.arn, resource, policies, context },
      grants,
    );
  const noIdentityAllow = `because no identity-based policy allows the ${action} action`;
  const noResourceAllow = `because no resource-based policy allows the ${action} action`;
  const identityDeny = 'with an explicit deny in an identity-based policy';
  const resourceDeny = 'with an explicit deny in a resource-based policy';

  if (action === 'kms:RetireGrant' && !key)
    return decide(
      true,
      'retire-grant-checked-by-grant',
      'RetireGrant is authorized by the grant itself (retiring principal, grantee, or grant token).',
    );
  if (iamOnly) {
    if (c.service) return decide(true, 'service-principal', `${c.service} is an AWS service principal.`);
    const id = evaluateIdentity();
    if (id.deny)
      return decide(
        false,
        'explicit-deny-in-identity-policy',
        'An identity-based policy explicitly denies the action.',
        undefined,
        identityDeny,
      );
    if (c.isRoot)
      return decide(
        true,
        'root-user-of-own-account',
        'The root user may call IAM-only actions in its own account.',
      );
    if (id.allow)
      return decide(
        true,
        'identity-policy-allows',
        `An identity-based policy allows ${action} (IAM-only action).`,
      );
    return decide(
      false,
      'no-identity-policy-allow',
      `${action} is authorized by identity policies only, and none allows it.`,
      undefined,
      noIdentityAllow,
    );
  }

  // Key policy.
  const keyPolicy = parsedPolicy(key!.policy, 'key');
  const kpStatements = evaluatePolicy(keyPolicy, action, resource, context, c);
  policies.unshift({ source: 'key-policy', name: key!.arn, statements: kpStatements });
  const kpDeny = kpStatements.some((s) => s.matched && s.effect === 'Deny');
  let kpDirect = false;
  let kpAccount = false;
  for (const s of kpStatements)
    if (s.matched && s.effect === 'Allow') {
      if (s.principal === 'account') kpAccount = true;
      else kpDirect = true;
    }
  const id = evaluateIdentity();
  const crossAccount = key!.accountId !== c.accountId;
  const grants = () => {
    const g = evaluateGrants(r, key!, c, () => id.allow);
    return { total: key!.grants?.length ?? 0, ...g };
  };

  if (kpDeny)
    return decide(
      false,
      'explicit-deny-in-key-policy',
      'A key policy statement explicitly denies the action.',
      undefined,
      resourceDeny,
    );
  if (id.deny)
    return decide(
      false,
      'explicit-deny-in-identity-policy',
      'An identity-based policy explicitly denies the action.',
      undefined,
      identityDeny,
    );
  const identityOk = c.isRoot || !!c.service || id.allow;
  if (crossAccount) {
    if ((kpDirect || kpAccount) && identityOk)
      return decide(
        true,
        'cross-account-key-policy-and-identity-policy-allow',
        `The key policy of account ${key!.accountId} allows the caller${c.isRoot ? ' (its root user needs no identity policy)' : ', and an identity-based policy of the caller allows the action'}.`,
      );
  } else {
    if (kpDirect)
      return decide(true, 'key-policy-allows-principal', 'The key policy allows the caller directly.');
    if (kpAccount && c.isRoot)
      return decide(
        true,
        'key-policy-allows-principal',
        'The key policy allows the account, and the caller is its root user.',
      );
    if (kpAccount && id.allow)
      return decide(
        true,
        'key-policy-allows-account-and-identity-policy-allows',
        'The key policy allows the account (enabling IAM policies), and an identity-based policy allows the action.',
      );
  }
  const g = grants();
  if (g.applied)
    return decide(true, 'grant-allows', `Grant ${g.applied.grantId} allows ${action.slice(4)}.`, g);
  if (!kpDirect && !kpAccount)
    return decide(
      false,
      'no-key-policy-allow',
      crossAccount
        ? `No statement of the key policy allows ${c.arn} or its account, and no grant applies.`
        : 'No key policy statement allows the caller or its account (so IAM policies cannot enable access), and no grant applies.',
      g,
      noResourceAllow,
    );
  return decide(
    false,
    'no-identity-policy-allow',
    'The key policy allows the account, but no identity-based policy of the caller allows the action, and no grant applies.',
    g,
    noIdentityAllow,
  );
}

/** The default authorizer: key policies, IAM identity policies and grants. */
export const policyAuthorizer: Authorizer = { authorize: evaluateAccess };
