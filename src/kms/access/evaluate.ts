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
 */
import { decodeGrantToken } from './grantTokens.ts';
import { evaluateCondition, glob, type ConditionEvaluation, type RequestContext } from './conditions.ts';
import {
  parsedPolicy,
  type ParsedPolicy,
  type ParsedStatement,
  type PrincipalSpec,
} from './policyGrammar.ts';
import type { AuthorizationDecision, AuthorizationRequest, Authorizer } from './authorizer.ts';
import type { IamRoleRecord, IamUserRecord } from '../iam/model.ts';
import type { KeyRecord, Tag } from '../model/key.ts';
import { GRANT_PROPAGATION_MS, type GrantRecord } from '../model/grant.ts';
import type { WorldTx } from '../model/world.ts';
import { rootArn } from '../world/accounts.ts';
import type { CallerContext } from '../world/principal.ts';

/** Actions evaluated on identity policies only (kms-api.md §1 "Perm: IAM"). */
export const IAM_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'kms:CreateKey',
  'kms:ListKeys',
  'kms:ListAliases',
  'kms:GenerateRandom',
  'kms:ListRetirableGrants',
  'kms:CreateCustomKeyStore',
  'kms:ConnectCustomKeyStore',
  'kms:DisconnectCustomKeyStore',
  'kms:DescribeCustomKeyStores',
  'kms:UpdateCustomKeyStore',
  'kms:DeleteCustomKeyStore',
]);

export const isIamOnlyAction = (action: string): boolean =>
  IAM_ONLY_ACTIONS.has(action) || !action.startsWith('kms:');

/** The rule that decided. */
export type DecidingRule =
  | 'explicit-deny-in-key-policy'
  | 'explicit-deny-in-identity-policy'
  | 'key-policy-allows-principal'
  | 'key-policy-allows-account-and-identity-policy-allows'
  | 'cross-account-key-policy-and-identity-policy-allow'
  | 'grant-allows'
  | 'root-user-of-own-account'
  | 'identity-policy-allows'
  | 'service-principal'
  | 'retire-grant-checked-by-grant'
  | 'no-key-policy-allow'
  | 'no-identity-policy-allow';

export interface StatementEvaluation {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Key policies: how the principal matched (`direct`, `account`, `any`), or false. */
  readonly principal?: 'direct' | 'account' | 'any' | false;
  readonly action: boolean;
  readonly resource: boolean;
  /** Evaluated only when principal, action and resource matched. */
  readonly conditions: readonly ConditionEvaluation[];
  readonly matched: boolean;
}

export interface PolicyEvaluation {
  readonly source: 'key-policy' | 'inline-policy' | 'managed-policy';
  /** Key ARN, inline policy name or managed policy ARN. */
  readonly name: string;
  /** The identity that holds an identity policy. */
  readonly holder?: string;
  readonly statements: readonly StatementEvaluation[];
}

export interface GrantEvaluation {
  readonly grantId: string;
  readonly name?: string;
  readonly granteePrincipal?: string;
  readonly operations: readonly string[];
  readonly applies: boolean;
  readonly reason: string;
}

/** Everything a decision considered, and the rule that decided. */
export interface AccessExplanation {
  readonly rule: DecidingRule;
  readonly summary: string;
  readonly decision: 'allow' | 'deny';
  readonly action: string;
  readonly principal: string;
  readonly resource: string;
  readonly policies: readonly PolicyEvaluation[];
  /** Grants whose grantee is the caller (others are only counted). */
  readonly grants: { readonly total: number; readonly considered: readonly GrantEvaluation[] };
  readonly grantApplied?: string;
  /** Condition keys of the request and their values. */
  readonly context: Readonly<Record<string, readonly string[]>>;
}

/** What the evaluation needs to know about the caller. */
interface CallerFacts {
  readonly arn: string;
  /** aws:PrincipalArn: the role ARN for an assumed-role session. */
  readonly principalArn: string;
  readonly accountId: string;
  readonly isRoot: boolean;
  readonly service?: string;
  readonly identity?: IamUserRecord | IamRoleRecord;
}

function callerFacts(caller: CallerContext, tx: WorldTx | undefined): CallerFacts {
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

/** How a principal element matches the caller. */
function matchPrincipal(spec: PrincipalSpec, c: CallerFacts): 'direct' | 'account' | 'any' | false {
  if (spec === '*') return 'any';
  let best: 'direct' | 'account' | 'any' | false = false;
  for (const p of spec.AWS ?? []) {
    if (p === '*') best ||= 'any';
    else if (p === c.arn || p === c.principalArn) return 'direct';
    else if (p === c.accountId || p === rootArn(c.accountId)) best = c.isRoot ? 'direct' : 'account';
  }
  if (c.service) for (const s of spec.Service ?? []) if (s === c.service || s === '*') return 'direct';
  return best;
}

const actionMatches = (patterns: readonly string[], action: string) =>
  patterns.some((p) => p === '*' || glob(p, action, true));
const resourceMatches = (patterns: readonly string[], resource: string) =>
  patterns.some((p) => p === '*' || glob(p, resource));

function evaluateStatement(
  s: ParsedStatement,
  action: string,
  resource: string,
  context: RequestContext,
  caller: CallerFacts | undefined,
): StatementEvaluation {
  let principal: StatementEvaluation['principal'];
  if (caller) {
    if (s.principal) principal = matchPrincipal(s.principal, caller);
    else if (s.notPrincipal) principal = matchPrincipal(s.notPrincipal, caller) ? false : 'any';
    else principal = false;
  }
  const actionOk = s.action
    ? actionMatches(s.action, action)
    : s.notAction
      ? !actionMatches(s.notAction, action)
      : false;
  const resourceOk = s.resource
    ? resourceMatches(s.resource, resource)
    : s.notResource
      ? !resourceMatches(s.notResource, resource)
      : false;
  const base = {
    index: s.index,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    effect: s.effect,
    ...(caller ? { principal } : {}),
    action: actionOk,
    resource: resourceOk,
  };
  if (principal === false || !actionOk || !resourceOk) return { ...base, conditions: [], matched: false };
  const conditions = s.conditions.map((c) => evaluateCondition(c, context));
  return { ...base, conditions, matched: conditions.every((c) => c.held) };
}

function evaluatePolicy(
  policy: ParsedPolicy,
  action: string,
  resource: string,
  context: RequestContext,
  caller: CallerFacts | undefined,
): StatementEvaluation[] {
  return policy.statements.map((s) => evaluateStatement(s, action, resource, context, caller));
}

/** The caller's identity policies (inline and attached managed), parsed. */
function identityPolicies(
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

// ---------------------------------------------------------------------------------------------
// The request context

const tagsToContext = (ctx: Map<string, string[]>, prefix: string, tags: readonly Tag[] | undefined) => {
  for (const t of tags ?? []) ctx.set(`${prefix}/${t.TagKey}`.toLowerCase(), [t.TagValue]);
};

/** The encryption context an action is evaluated with (ReEncrypt: source or destination). */
function encryptionContextFor(action: string, input: Record<string, unknown>) {
  if (action === 'kms:ReEncryptFrom')
    return input.SourceEncryptionContext as Record<string, string> | undefined;
  if (action === 'kms:ReEncryptTo')
    return input.DestinationEncryptionContext as Record<string, string> | undefined;
  if (action === 'kms:CreateGrant') {
    const c = input.Constraints as Record<string, Record<string, string>> | undefined;
    return c?.EncryptionContextEquals ?? c?.EncryptionContextSubset;
  }
  return input.EncryptionContext as Record<string, string> | undefined;
}

const ENCRYPTION_ALGORITHM_DEFAULTED = new Set([
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
]);

/** Builds the condition keys of one authorization request. */
export function requestContext(r: AuthorizationRequest, c: CallerFacts): RequestContext {
  const ctx = new Map<string, string[]>();
  const set = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    ctx.set(k.toLowerCase(), Array.isArray(v) ? v.map(String) : [String(v)]);
  };
  const { input, key, caller, action } = r;
  const now = r.now ?? Date.now();
  set('aws:PrincipalArn', c.principalArn);
  set('aws:PrincipalAccount', c.accountId);
  set(
    'aws:PrincipalType',
    { Root: 'Account', IAMUser: 'User', AssumedRole: 'AssumedRole', AWSService: 'Service' }[
      caller.principal.type
    ],
  );
  if (c.identity?.kind === 'user') set('aws:username', c.identity.name);
  if (c.identity) tagsToContext(ctx, 'aws:PrincipalTag', c.identity.tags);
  set('aws:SourceIp', caller.sourceIp ?? '192.0.2.10');
  set('aws:CurrentTime', new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  set('aws:EpochTime', Math.floor(now / 1000));
  set('aws:SecureTransport', 'true');
  set('aws:RequestedRegion', caller.region);
  set('kms:CallerAccount', c.accountId);
  set('kms:ViaService', caller.viaService);
  const ec = encryptionContextFor(action, input);
  if (ec) {
    for (const [k, v] of Object.entries(ec)) set(`kms:EncryptionContext:${k}`, v);
    set('kms:EncryptionContextKeys', Object.keys(ec));
  }
  set(
    'kms:EncryptionAlgorithm',
    input.EncryptionAlgorithm ??
      input.SourceEncryptionAlgorithm ??
      (ENCRYPTION_ALGORITHM_DEFAULTED.has(action) && (!key || key.keySpec === 'SYMMETRIC_DEFAULT')
        ? 'SYMMETRIC_DEFAULT'
        : undefined),
  );
  if (action === 'kms:ReEncryptTo' && input.DestinationEncryptionAlgorithm)
    set('kms:EncryptionAlgorithm', input.DestinationEncryptionAlgorithm);
  set('kms:SigningAlgorithm', input.SigningAlgorithm);
  set('kms:MacAlgorithm', input.MacAlgorithm);
  set('kms:DataKeyPairSpec', input.KeyPairSpec);
  set('kms:KeyAgreementAlgorithm', input.KeyAgreementAlgorithm);
  if (key) {
    set('kms:KeySpec', key.keySpec);
    set('kms:KeyUsage', key.keyUsage);
    set('kms:KeyOrigin', key.origin);
    set('kms:MultiRegion', key.multiRegion ? 'true' : 'false');
    tagsToContext(ctx, 'aws:ResourceTag', key.tags);
    if (r.tx) {
      const aliases = r.tx
        .aliasesIn(key.accountId, key.region)
        .filter((a) => a.targetKeyId === key.keyId)
        .map((a) => a.aliasName);
      if (aliases.length) set('kms:ResourceAliases', aliases);
    }
  } else if (action === 'kms:CreateKey') {
    set('kms:KeySpec', input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT');
    set('kms:KeyUsage', input.KeyUsage ?? 'ENCRYPT_DECRYPT');
    set('kms:KeyOrigin', input.Origin ?? 'AWS_KMS');
    set('kms:MultiRegion', input.MultiRegion === true ? 'true' : 'false');
  }
  const ref = (input.KeyId ?? input.SourceKeyId ?? input.DestinationKeyId) as string | undefined;
  const alias = ref ? /(?:^|:)(alias\/.+)$/.exec(ref)?.[1] : undefined;
  if (alias) set('kms:RequestAlias', alias);
  const tags = input.Tags as Tag[] | undefined;
  if (tags) {
    tagsToContext(ctx, 'aws:RequestTag', tags);
    set(
      'aws:TagKeys',
      tags.map((t) => t.TagKey),
    );
  }
  if (Array.isArray(input.TagKeys)) set('aws:TagKeys', input.TagKeys);
  if (action === 'kms:CreateGrant' || action === 'kms:ListGrants' || action === 'kms:RevokeGrant')
    set('kms:GrantIsForAWSResource', caller.viaService ? 'true' : 'false');
  if (action === 'kms:CreateGrant') {
    set('kms:GrantOperations', input.Operations);
    set('kms:GranteePrincipal', input.GranteePrincipal);
    set('kms:RetiringPrincipal', input.RetiringPrincipal);
    const cons = input.Constraints as Record<string, unknown> | undefined;
    if (cons) set('kms:GrantConstraintType', Object.keys(cons));
  }
  if (action === 'kms:ListGrants') set('kms:GranteePrincipal', input.GranteePrincipal);
  if (action === 'kms:ListRetirableGrants') set('kms:RetiringPrincipal', input.RetiringPrincipal);
  if (input.BypassPolicyLockoutSafetyCheck !== undefined)
    set('kms:BypassPolicyLockoutSafetyCheck', input.BypassPolicyLockoutSafetyCheck ? 'true' : 'false');
  set('kms:RotationPeriodInDays', input.RotationPeriodInDays);
  if (action === 'kms:ScheduleKeyDeletion')
    set('kms:ScheduleKeyDeletionPendingWindowInDays', input.PendingWindowInDays ?? 30);
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Grants

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

function evaluateGrants(
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

// ---------------------------------------------------------------------------------------------
// The decision

const denyMessage = (arn: string, action: string, resource: string, why: string) =>
  `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;

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

  const contextRecord = () => Object.fromEntries([...context].map(([k, v]) => [k, [...v]]));
  const decide = (
    allowed: boolean,
    rule: DecidingRule,
    summary: string,
    grants: { total: number; considered: GrantEvaluation[]; applied?: GrantRecord } = {
      total: key?.grants?.length ?? 0,
      considered: [],
    },
    why?: string,
  ): AuthorizationDecision => {
    const explanation: AccessExplanation = {
      rule,
      summary,
      decision: allowed ? 'allow' : 'deny',
      action,
      principal: c.arn,
      resource,
      policies,
      grants: { total: grants.total, considered: grants.considered },
      ...(grants.applied ? { grantApplied: grants.applied.grantId } : {}),
      context: contextRecord(),
    };
    return allowed
      ? { allowed, explanation }
      : { allowed, message: denyMessage(c.arn, action, resource, why ?? ''), explanation };
  };
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
