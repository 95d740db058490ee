/**
 * The request context: the condition keys (aws:*, kms:*) and their values for one authorization
 * request, built from the caller, the key and the call's input.
 */
import type { RequestContext } from './conditions.ts';
import type { AuthorizationRequest } from './authorizer.ts';
import type { CallerFacts } from './callerFacts.ts';
import type { Tag } from '../model/key.ts';

const tagsToContext = (ctx: Map<string, string[]>, prefix: string, tags: readonly Tag[] | undefined) => {
  for (const t of tags ?? []) ctx.set(`${prefix}/${t.TagKey}`.toLowerCase(), [t.TagValue]);
};

/** The encryption context an action is evaluated with (ReEncrypt: source or destination). */
export function encryptionContextFor(action: string, input: Record<string, unknown>) {
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

/** Actions whose kms:EncryptionAlgorithm is SYMMETRIC_DEFAULT when the request names none. */
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
