import { checkPolicyLockout } from '../access/lockout.ts';
import { checkPolicyDocument } from '../access/policyDocument.ts';
import { Err } from '../errors.ts';
import { StateRules } from '../model/keyState.ts';
import { paginate } from './paginate.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';

const policyName = S.str(1, 128, '[\\w]+');

/** Every key has exactly one key policy, named `default`. */
function checkPolicyName(name: unknown) {
  if (name !== undefined && name !== 'default') throw Err.NotFound('No such policy exists');
}

export const policyOperations: OperationFamily = [
  {
    name: 'GetKeyPolicy',
    action: 'kms:GetKeyPolicy',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId, PolicyName: policyName }, ['KeyId']),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.any }],
    precheck: (ctx) => checkPolicyName(ctx.input.PolicyName),
    handler: (ctx) => ({ Policy: ctx.keys.key!.policy, PolicyName: 'default' }),
  },
  {
    name: 'PutKeyPolicy',
    action: 'kms:PutKeyPolicy',
    readOnly: false,
    mutates: true,
    input: S.struct(
      { KeyId: S.keyId, PolicyName: policyName, Policy: S.policy, BypassPolicyLockoutSafetyCheck: S.bool },
      ['KeyId', 'Policy'],
    ),
    validate: (input) => checkPolicyDocument(input.Policy as string),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.any, customerManagedOnly: true }],
    precheck(ctx) {
      checkPolicyName(ctx.input.PolicyName);
      checkPolicyLockout(ctx, ctx.input.Policy);
    },
    handler(ctx) {
      ctx.tx.editKey(ctx.keys.key!.arn).policy = ctx.input.Policy;
      return {};
    },
  },
  {
    name: 'ListKeyPolicies',
    action: 'kms:ListKeyPolicies',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId, Limit: S.limit, Marker: S.marker }, ['KeyId']),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.any }],
    handler(ctx) {
      const { page, ...rest } = paginate(['default'], ctx.input.Limit, ctx.input.Marker, 100);
      return { PolicyNames: page, ...rest };
    },
  },
];
