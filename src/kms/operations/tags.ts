import { StateRules } from '../model/keyState.ts';
import { paginate } from './paginate.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';
import { mergeTags } from './tagRules.ts';

const tagKeyTarget = { role: 'key', field: 'KeyId', forms: 'K' as const, customerManagedOnly: true };

export const tagOperations: OperationFamily = [
  {
    name: 'TagResource',
    action: 'kms:TagResource',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, Tags: S.tags }, ['KeyId', 'Tags']),
    keys: [{ ...tagKeyTarget, state: StateRules.notPendingDeletion }],
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      key.tags = mergeTags(key.tags, ctx.input.Tags);
      return {};
    },
  },
  {
    name: 'UntagResource',
    action: 'kms:UntagResource',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, TagKeys: S.list(S.str(1, 128)) }, ['KeyId', 'TagKeys']),
    keys: [{ ...tagKeyTarget, state: StateRules.notPendingDeletion }],
    handler(ctx) {
      const remove = new Set<string>(ctx.input.TagKeys);
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      // Unknown tag keys are silently ignored, as in AWS.
      key.tags = key.tags.filter((t) => !remove.has(t.TagKey));
      return {};
    },
  },
  {
    name: 'ListResourceTags',
    action: 'kms:ListResourceTags',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId, Limit: S.int(1, 50), Marker: S.marker }, ['KeyId']),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: StateRules.any }],
    handler(ctx) {
      const { page, ...rest } = paginate(ctx.keys.key!.tags, ctx.input.Limit, ctx.input.Marker, 50, 50);
      return { Tags: page.map((t) => ({ ...t })), ...rest };
    },
  },
];
