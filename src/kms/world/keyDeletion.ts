import { serviceEvent } from '../audit/cloudTrail.ts';
import { deleteMaterialFromCluster } from '../cloudhsm/keyStores.ts';
import { afterMultiRegionKeyDeleted } from './multiRegionTransitions.ts';
import type { TimedBehaviour } from './scheduler.ts';

/**
 * When the waiting period ends, KMS deletes the key, all of its material and every alias that
 * points to it, and logs a DeleteKey service event. A CloudHSM key's material is deleted from its
 * cluster when KMS can reach it, else left there orphaned (cloudhsm/keyStores.ts).
 */
export const keyDeletion: TimedBehaviour = {
  name: 'key deletion',
  upcoming(tx) {
    return tx
      .allKeys()
      .filter((k) => k.state === 'PendingDeletion' && k.deletionDate !== undefined)
      .map((k) => ({
        at: k.deletionDate!,
        kind: 'DeleteKey',
        keyArn: k.arn,
        accountId: k.accountId,
        region: k.region,
        description: `${k.arn} is deleted at the end of its ${k.pendingWindowInDays}-day waiting period`,
      }));
  },
  fire(event, ctx) {
    const key = ctx.tx.key(event.keyArn);
    if (!key) return;
    for (const alias of ctx.tx.aliasesIn(key.accountId, key.region))
      if (alias.targetKeyId === key.keyId) ctx.tx.deleteAlias(alias.aliasArn);
    ctx.tx.deleteKey(key.arn);
    // A CloudHSM key's material is deleted from its cluster, best effort (external keys stay).
    deleteMaterialFromCluster(ctx.tx, key);
    afterMultiRegionKeyDeleted(ctx.tx, key, ctx.now);
    ctx.keyring.forget(key.materials.map((m) => m.id));
    ctx.record(
      serviceEvent({
        eventName: 'DeleteKey',
        accountId: key.accountId,
        region: key.region,
        time: ctx.now,
        keyArn: key.arn,
        ...ctx.newIds(),
      }),
    );
  },
};
