import { Err } from '../errors.ts';
import { keyArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import type { CallContext } from '../operations/context.ts';
import { evaluateAccess } from './evaluate.ts';

export const LOCKOUT_MESSAGE =
  'The new key policy will not allow you to update the key policy in the future.';

/**
 * The policy lockout safety check (CreateKey, PutKeyPolicy with a Policy): the new policy must
 * allow the caller to call PutKeyPolicy on the key, unless BypassPolicyLockoutSafetyCheck is true.
 */
export function checkPolicyLockout(ctx: CallContext, policy: string): void {
  if (ctx.input.BypassPolicyLockoutSafetyCheck === true) return;
  const current: KeyRecord | undefined = ctx.keys.key;
  // CreateKey: the key does not exist yet; evaluate on a stand-in of the caller's account.
  const key =
    current ??
    ({
      arn: keyArn(ctx.region, ctx.accountId, '*'),
      keyId: '*',
      accountId: ctx.accountId,
      region: ctx.region,
      keySpec: ctx.input.KeySpec ?? 'SYMMETRIC_DEFAULT',
      keyUsage: ctx.input.KeyUsage ?? 'ENCRYPT_DECRYPT',
      origin: ctx.input.Origin ?? 'AWS_KMS',
      multiRegion: ctx.input.MultiRegion === true,
      tags: ctx.input.Tags ?? [],
    } as unknown as KeyRecord);
  const decision = evaluateAccess({
    action: 'kms:PutKeyPolicy',
    caller: ctx.caller,
    key: { ...key, policy, grants: [] },
    input: {},
    tx: ctx.tx,
    now: ctx.now,
  });
  if (!decision.allowed) throw Err.MalformedPolicyDocument(LOCKOUT_MESSAGE);
}
