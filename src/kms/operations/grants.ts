/** Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (kms-api.md §2.6, §12). */
import { decodeGrantToken, newGrantToken } from '../access/grantTokens.ts';
import { newHexId } from '../crypto/random.ts';
import { Err, KmsError } from '../errors.ts';
import { isHmacSpec } from '../model/algorithms.ts';
import { GRANT_OPERATIONS } from '../model/enums.ts';
import type { GrantOperation, GrantRecord } from '../model/grant.ts';
import type { KeyRecord } from '../model/key.ts';
import { StateRules } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import { paginate } from './paginate.ts';
import type { OperationFamily } from './registry.ts';
import { resolveKey } from './resolveKey.ts';
import { S } from './shape.ts';

export const MAX_GRANTS_PER_KEY = 50_000;
const principal = S.str(1, 256, '^[\\w+=,.@:/-]+$');
const grantId = S.str(1, 128);
const ecMap = S.map(S.str(0, 384));
const constraints = S.struct({ EncryptionContextSubset: ecMap, EncryptionContextEquals: ecMap });

const invalidGrantId = () => new KmsError('InvalidGrantIdException', 'Invalid grant ID'); // (unverified)

/** Operations a key of this type supports in a grant. */
export function grantOperationsFor(key: Pick<KeyRecord, 'keySpec' | 'keyUsage'>): readonly GrantOperation[] {
  const common: GrantOperation[] = ['CreateGrant', 'RetireGrant', 'DescribeKey'];
  if (key.keySpec === 'SYMMETRIC_DEFAULT')
    return [
      ...common,
      'Encrypt',
      'Decrypt',
      'ReEncryptFrom',
      'ReEncryptTo',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'GenerateDataKeyPair',
      'GenerateDataKeyPairWithoutPlaintext',
    ];
  if (isHmacSpec(key.keySpec)) return [...common, 'GenerateMac', 'VerifyMac'];
  if (key.keyUsage === 'SIGN_VERIFY') return [...common, 'Sign', 'Verify', 'GetPublicKey'];
  if (key.keyUsage === 'KEY_AGREEMENT') return [...common, 'DeriveSharedSecret', 'GetPublicKey'];
  return [...common, 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'];
}

function checkConstraints(c: Record<string, Record<string, string>> | undefined) {
  for (const name of ['EncryptionContextEquals', 'EncryptionContextSubset'] as const) {
    const m = c?.[name];
    if (!m) continue;
    if (Object.keys(m).length > 8)
      throw Err.Validation(`The ${name} grant constraint can contain at most 8 encryption context pairs.`); // (unverified)
  }
}

const grantEntry = (key: KeyRecord, g: GrantRecord) => ({
  KeyId: key.arn,
  GrantId: g.grantId,
  ...(g.name ? { Name: g.name } : {}),
  CreationDate: new Date(g.createdAt),
  ...(g.granteePrincipal ? { GranteePrincipal: g.granteePrincipal } : {}),
  ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
  IssuingAccount: g.issuingAccount,
  Operations: [...g.operations],
  ...(g.constraints ? { Constraints: g.constraints } : {}),
});

/** The grant RetireGrant names, by token or by key ARN + grant ID. */
function grantToRetire(ctx: CallContext): { key: KeyRecord; grant: GrantRecord; viaToken: boolean } {
  const i = ctx.input;
  if (i.GrantToken !== undefined) {
    const t = decodeGrantToken(i.GrantToken);
    if (!t) throw Err.InvalidGrantToken('Invalid grant token'); // (unverified)
    const key = ctx.tx.key(t.keyArn);
    const grant = key?.grants?.find((g) => g.grantId === t.grantId);
    if (!key || !grant) throw Err.NotFound(`Grant ID ${t.grantId} not found`); // (unverified)
    return { key, grant, viaToken: true };
  }
  if (i.KeyId === undefined || i.GrantId === undefined)
    throw Err.Validation('Either GrantToken, or both KeyId and GrantId, must be specified.'); // (unverified)
  const key = resolveKey(ctx.tx, i.KeyId, 'K', { accountId: ctx.accountId, region: ctx.region });
  const grant = key.grants?.find((g) => g.grantId === i.GrantId);
  if (!grant) throw invalidGrantId();
  return { key, grant, viaToken: false };
}

export const grantOperations: OperationFamily = [
  {
    name: 'CreateGrant',
    action: 'kms:CreateGrant',
    readOnly: false,
    mutates: true,
    supportsDryRun: true,
    input: S.struct(
      {
        KeyId: S.keyId,
        GranteePrincipal: principal,
        RetiringPrincipal: principal,
        Operations: S.list(S.enum(GRANT_OPERATIONS)),
        Constraints: constraints,
        GrantTokens: S.grantTokens,
        Name: S.str(1, 256, '^[a-zA-Z0-9:/_-]+$'),
        DryRun: S.bool,
      },
      ['KeyId', 'Operations'],
    ),
    validate(input) {
      if (input.GranteePrincipal === undefined)
        throw Err.Validation(
          "1 validation error detected: Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null",
        );
      if (!(input.Operations as unknown[]).length)
        throw Err.Validation('The grant must allow at least one operation.'); // (unverified)
      checkConstraints(input.Constraints as never);
    },
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.createGrant }],
    precheck(ctx) {
      const key = ctx.keys.key!;
      const allowed = grantOperationsFor(key);
      for (const op of ctx.input.Operations as GrantOperation[])
        if (!allowed.includes(op))
          throw Err.Validation(`Grant operations ${op} are not valid for key ${key.arn}`); // (unverified)
      if (ctx.input.Constraints && key.keySpec !== 'SYMMETRIC_DEFAULT')
        throw Err.Validation('Grant constraints are supported only for symmetric encryption KMS keys.'); // (unverified)
      const existing = ctx.input.Name ? key.grants?.find((g) => g.name === ctx.input.Name) : undefined;
      if (!existing && (key.grants?.length ?? 0) >= MAX_GRANTS_PER_KEY)
        throw Err.LimitExceeded(
          `The request would exceed the limit of ${MAX_GRANTS_PER_KEY} grants for KMS key ${key.arn}.`,
        ); // (unverified)
    },
    handler(ctx) {
      const i = ctx.input;
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      const same = (g: GrantRecord) =>
        g.name === i.Name &&
        g.granteePrincipal === i.GranteePrincipal &&
        g.retiringPrincipal === i.RetiringPrincipal &&
        JSON.stringify([...g.operations].sort()) === JSON.stringify([...(i.Operations as string[])].sort()) &&
        JSON.stringify(g.constraints ?? null) === JSON.stringify(i.Constraints ?? null);
      // Name makes CreateGrant idempotent: the same grant, a new token.
      const existing = i.Name ? key.grants?.find(same) : undefined;
      if (existing)
        return { GrantToken: newGrantToken(key.arn, existing.grantId), GrantId: existing.grantId };
      const grant: GrantRecord = {
        grantId: newHexId(32),
        ...(i.Name ? { name: i.Name } : {}),
        createdAt: ctx.now,
        granteePrincipal: i.GranteePrincipal,
        ...(i.RetiringPrincipal ? { retiringPrincipal: i.RetiringPrincipal } : {}),
        issuingAccount: `arn:aws:iam::${ctx.accountId}:root`,
        operations: [...new Set(i.Operations as GrantOperation[])],
        ...(i.Constraints ? { constraints: structuredClone(i.Constraints) } : {}),
      };
      key.grants = [...(key.grants ?? []), grant];
      return { GrantToken: newGrantToken(key.arn, grant.grantId), GrantId: grant.grantId };
    },
    trailRequest: (ctx) => {
      const { GrantTokens: _t, ...rest } = ctx.input as Record<string, unknown>;
      void _t;
      const lower = (k: string) => k[0]!.toLowerCase() + k.slice(1);
      // Constraint names are lowerCamelCase in the trail; the encryption context pairs stay as given.
      if (rest.Constraints)
        rest.Constraints = Object.fromEntries(
          Object.entries(rest.Constraints as Record<string, unknown>).map(([k, v]) => [lower(k), v]),
        );
      return Object.fromEntries(Object.entries(rest).map(([k, v]) => [lower(k), v]));
    },
    trailResponse: (out) => ({ grantId: out.GrantId }),
  },
  {
    name: 'ListGrants',
    action: 'kms:ListGrants',
    readOnly: true,
    mutates: false,
    input: S.struct(
      {
        KeyId: S.keyId,
        Limit: S.int(1, 1000),
        Marker: S.marker,
        GrantId: grantId,
        GranteePrincipal: principal,
      },
      ['KeyId'],
    ),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.any }],
    handler(ctx) {
      const key = ctx.keys.key!;
      let grants = key.grants ?? [];
      if (ctx.input.GrantId !== undefined) {
        grants = grants.filter((g) => g.grantId === ctx.input.GrantId);
        if (!grants.length) throw invalidGrantId();
      }
      if (ctx.input.GranteePrincipal !== undefined)
        grants = grants.filter((g) => g.granteePrincipal === ctx.input.GranteePrincipal);
      const { page, ...rest } = paginate(grants, Math.min(ctx.input.Limit ?? 50, 100), ctx.input.Marker, 50);
      return { Grants: page.map((g) => grantEntry(key, g)), ...rest };
    },
  },
  {
    name: 'ListRetirableGrants',
    action: 'kms:ListRetirableGrants',
    readOnly: true,
    mutates: false,
    input: S.struct({ Limit: S.int(1, 1000), Marker: S.marker, RetiringPrincipal: principal }, [
      'RetiringPrincipal',
    ]),
    handler(ctx) {
      const all = ctx.tx
        .allKeys()
        .flatMap((k) =>
          (k.grants ?? [])
            .filter((g) => g.retiringPrincipal === ctx.input.RetiringPrincipal)
            .map((g) => grantEntry(k, g)),
        );
      const { page, ...rest } = paginate(all, Math.min(ctx.input.Limit ?? 50, 100), ctx.input.Marker, 50);
      return { Grants: page, ...rest };
    },
  },
  {
    name: 'RetireGrant',
    action: 'kms:RetireGrant',
    readOnly: false,
    mutates: true,
    supportsDryRun: true,
    input: S.struct({ GrantToken: S.str(1, 8192), KeyId: S.keyId, GrantId: grantId, DryRun: S.bool }),
    // Authorized by the grant itself, not by policies: the retiring principal, the grantee when the
    // grant allows RetireGrant, or anyone holding its token; the issuing account's root user too.
    handler(ctx) {
      const { key, grant, viaToken } = grantToRetire(ctx);
      const p = ctx.caller.principal;
      // A role session acts for its role: a grant naming the role ARN is the session's too.
      const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(p.arn);
      const names = new Set([p.arn, ...(session ? [`arn:aws:iam::${session[1]}:role/${session[2]}`] : [])]);
      const ok =
        viaToken ||
        (grant.retiringPrincipal !== undefined && names.has(grant.retiringPrincipal)) ||
        (grant.granteePrincipal !== undefined &&
          names.has(grant.granteePrincipal) &&
          grant.operations.includes('RetireGrant')) ||
        (p.type === 'Root' && grant.issuingAccount === p.arn);
      if (!ok) {
        const e = Err.AccessDenied(
          `User: ${p.arn} is not authorized to perform: kms:RetireGrant on resource: ${key.arn} because no resource-based policy allows the kms:RetireGrant action`,
        );
        e.explanation = {
          rule: 'grant-retire-not-permitted',
          summary:
            'Only the retiring principal, the grantee (when the grant allows RetireGrant) or a holder of the grant token may retire a grant.',
          grant: grant.grantId,
        };
        throw e;
      }
      ctx.keys.key = key;
      if (ctx.input.DryRun === true) throw Err.DryRun();
      const edit = ctx.tx.editKey(key.arn);
      edit.grants = (edit.grants ?? []).filter((g) => g.grantId !== grant.grantId);
      return {};
    },
    trailRequest: (ctx) => ({
      ...(ctx.input.KeyId ? { keyId: ctx.input.KeyId } : {}),
      ...(ctx.input.GrantId ? { grantId: ctx.input.GrantId } : {}),
    }),
  },
  {
    name: 'RevokeGrant',
    action: 'kms:RevokeGrant',
    readOnly: false,
    mutates: true,
    supportsDryRun: true,
    input: S.struct({ KeyId: S.keyId, GrantId: grantId, DryRun: S.bool }, ['KeyId', 'GrantId']),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.any }],
    precheck(ctx) {
      if (!ctx.keys.key!.grants?.some((g) => g.grantId === ctx.input.GrantId)) throw invalidGrantId();
    },
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      key.grants = (key.grants ?? []).filter((g) => g.grantId !== ctx.input.GrantId);
      return {};
    },
  },
];
