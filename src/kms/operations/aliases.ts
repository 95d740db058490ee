import { Err } from '../errors.ts';
import { aliasArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import { StateRules } from '../model/keyState.ts';
import { paginate } from './paginate.ts';
import type { CallContext } from './context.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';
import { AWS_MANAGED_KEY_SERVICES } from '../world/awsManagedKeys.ts';

/** At most 50 aliases per KMS key. */
export const MAX_ALIASES_PER_KEY = 50;

function checkAliasName(name: string, verb: 'create' | 'update' | 'delete') {
  if (!name.startsWith('alias/'))
    throw Err.Validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  if (name.startsWith('alias/aws/')) throw Err.NotAuthorized(`Cannot ${verb} alias with prefix 'alias/aws/'`);
  if (name === 'alias/')
    throw Err.InvalidAliasName('Alias name must not be empty after the prefix "alias/".');
}

/** The type an alias target must keep across UpdateAlias: symmetric, asymmetric or HMAC. */
const keyType = (k: KeyRecord) =>
  k.keySpec === 'SYMMETRIC_DEFAULT' ? 'SYMMETRIC' : k.keySpec.startsWith('HMAC_') ? 'HMAC' : 'ASYMMETRIC';

/** The alias named in the request, as an ARN of the caller's account and Region. */
const requestAlias = (ctx: CallContext) => aliasArn(ctx.region, ctx.accountId, ctx.input.AliasName);

/** The key an existing alias points to (the key whose key policy must also allow the call). */
function aliasTarget(ctx: CallContext): KeyRecord {
  const arn = requestAlias(ctx);
  const alias = ctx.tx.alias(arn);
  const key = alias && ctx.tx.keysIn(ctx.accountId, ctx.region).find((k) => k.keyId === alias.targetKeyId);
  if (!key) throw Err.NotFound(`Alias ${arn} is not found.`);
  return key;
}

/*
 * Alias operations are authorized twice, as in AWS: on the alias resource by IAM policy only
 * (`resource`), and on each key involved by its key policy (the key targets).
 */
export const aliasOperations: OperationFamily = [
  {
    name: 'CreateAlias',
    action: 'kms:CreateAlias',
    readOnly: false,
    mutates: true,
    input: S.struct({ AliasName: S.aliasName, TargetKeyId: S.keyId }, ['AliasName', 'TargetKeyId']),
    validate: (input) => checkAliasName(input.AliasName as string, 'create'),
    resource: requestAlias,
    keys: [
      {
        role: 'key',
        field: 'TargetKeyId',
        forms: 'K',
        state: StateRules.notPendingDeletion,
        customerManagedOnly: true,
      },
    ],
    handler(ctx) {
      const key = ctx.keys.key!;
      if (key.accountId !== ctx.accountId) throw Err.NotFound(`Key '${key.arn}' does not exist`);
      const arn = aliasArn(ctx.region, ctx.accountId, ctx.input.AliasName);
      if (ctx.tx.alias(arn)) throw Err.AlreadyExists(`An alias with the name ${arn} already exists`);
      const count = ctx.tx
        .aliasesIn(ctx.accountId, ctx.region)
        .filter((a) => a.targetKeyId === key.keyId).length;
      if (count >= MAX_ALIASES_PER_KEY)
        throw Err.LimitExceeded(
          `The request would exceed the maximum of ${MAX_ALIASES_PER_KEY} aliases for ${key.arn}.`,
        );
      ctx.tx.putAlias({
        aliasName: ctx.input.AliasName,
        aliasArn: arn,
        accountId: ctx.accountId,
        region: ctx.region,
        targetKeyId: key.keyId,
        createdAt: ctx.now,
        lastUpdatedAt: ctx.now,
      });
      return {};
    },
  },
  {
    name: 'UpdateAlias',
    action: 'kms:UpdateAlias',
    readOnly: false,
    mutates: true,
    input: S.struct({ AliasName: S.aliasName, TargetKeyId: S.keyId }, ['AliasName', 'TargetKeyId']),
    validate: (input) => checkAliasName(input.AliasName as string, 'update'),
    resource: requestAlias,
    keys: [
      { role: 'current', forms: 'K', resolve: aliasTarget, state: StateRules.any },
      { role: 'key', field: 'TargetKeyId', forms: 'K', state: StateRules.any, customerManagedOnly: true },
    ],
    handler(ctx) {
      const target = ctx.keys.key!;
      const arn = aliasArn(ctx.region, ctx.accountId, ctx.input.AliasName);
      const alias = ctx.tx.alias(arn);
      if (!alias) throw Err.NotFound(`Alias ${arn} is not found.`);
      if (target.state === 'PendingDeletion' || target.state === 'PendingReplicaDeletion')
        throw Err.InvalidState(`${target.arn} is pending deletion.`);
      const current = ctx.tx.keysIn(ctx.accountId, ctx.region).find((k) => k.keyId === alias.targetKeyId);
      if (current && (keyType(current) !== keyType(target) || current.keyUsage !== target.keyUsage))
        throw Err.Validation(
          `${target.arn} key usage or key type is not compatible with the key currently associated with ${arn}. The new target key must be the same type and have the same key usage.`,
        );
      ctx.tx.putAlias({ ...alias, targetKeyId: target.keyId, lastUpdatedAt: ctx.now });
      return {};
    },
  },
  {
    name: 'DeleteAlias',
    action: 'kms:DeleteAlias',
    readOnly: false,
    mutates: true,
    input: S.struct({ AliasName: S.aliasName }, ['AliasName']),
    validate: (input) => checkAliasName(input.AliasName as string, 'delete'),
    resource: requestAlias,
    keys: [{ role: 'key', forms: 'K', resolve: aliasTarget, state: StateRules.any }],
    handler(ctx) {
      ctx.tx.deleteAlias(requestAlias(ctx));
      return {};
    },
  },
  {
    name: 'ListAliases',
    action: 'kms:ListAliases',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId, Limit: S.int(1, 100), Marker: S.marker }),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', optional: true, state: StateRules.any }],
    handler(ctx) {
      const filter = ctx.keys.key;
      const existing = ctx.tx
        .aliasesIn(ctx.accountId, ctx.region)
        .filter((a) => !filter || a.targetKeyId === filter.keyId);
      // Predefined aliases of AWS managed keys not created yet are listed without a target.
      const names = new Set(existing.map((a) => a.aliasName));
      const predefined = filter
        ? []
        : AWS_MANAGED_KEY_SERVICES.filter((s) => !names.has(s.alias)).map((s) => ({
            aliasName: s.alias,
            aliasArn: aliasArn(ctx.region, ctx.accountId, s.alias),
          }));
      const all = [...existing, ...predefined].sort((a, b) =>
        a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0,
      );
      const { page, ...rest } = paginate(all, ctx.input.Limit, ctx.input.Marker, 50, 100);
      return {
        Aliases: page.map((a) =>
          'targetKeyId' in a
            ? {
                AliasName: a.aliasName,
                AliasArn: a.aliasArn,
                TargetKeyId: a.targetKeyId,
                CreationDate: new Date(a.createdAt),
                LastUpdatedDate: new Date(a.lastUpdatedAt),
              }
            : { AliasName: a.aliasName, AliasArn: a.aliasArn },
        ),
        ...rest,
      };
    },
  },
];
