import { serviceEvent } from '../audit/cloudTrail.ts';
import { keyArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import type { TimedBehaviour } from './scheduler.ts';

const DAY_MS = 86_400_000;

/**
 * Multi-Region keys change state on the clock (kms-api.md §9): a new replica is Creating and then
 * Enabled (or PendingImport for imported material); during UpdatePrimaryRegion both keys are
 * Updating, then the primary and replica designations swap on every related key. Each completion
 * logs a SynchronizeMultiRegionKey service event.
 */
export const multiRegionTransitions: TimedBehaviour = {
  name: 'multi-Region key synchronization',
  upcoming(tx) {
    return tx
      .allKeys()
      .filter((k) => k.multiRegionInfo?.pendingUntil !== undefined)
      .map((k) => ({
        at: k.multiRegionInfo!.pendingUntil!,
        kind: 'SynchronizeMultiRegionKey',
        keyArn: k.arn,
        accountId: k.accountId,
        region: k.region,
        description:
          k.state === 'Creating'
            ? `replica ${k.arn} finishes creating`
            : `${k.arn} finishes updating its primary Region`,
      }));
  },
  fire(event, ctx) {
    const current = ctx.tx.key(event.keyArn);
    const info = current?.multiRegionInfo;
    if (!current || info?.pendingUntil === undefined) return;
    const key = ctx.tx.editKey(current.arn);
    const { pendingUntil: _u, pendingState, pendingPrimaryRegion, ...rest } = info;
    key.multiRegionInfo = rest;
    if (key.state === 'Creating' || key.state === 'Updating') key.state = pendingState ?? 'Enabled';
    if (pendingPrimaryRegion) swapPrimary(ctx.tx, key, pendingPrimaryRegion);
    ctx.record(
      serviceEvent({
        eventName: 'SynchronizeMultiRegionKey',
        accountId: key.accountId,
        region: key.region,
        time: ctx.now,
        keyArn: key.arn,
        ...ctx.newIds(),
      }),
    );
  },
};

/** Makes `region` the primary of the family, on every related key. */
function swapPrimary(tx: WorldTx, key: KeyRecord, region: string) {
  const info = key.multiRegionInfo!;
  if (info.primaryRegion === region) return;
  const all = [info.primaryRegion, ...info.replicaRegions];
  const replicaRegions = all.filter((r) => r !== region);
  for (const r of all) {
    const arn = keyArn(r, key.accountId, key.keyId);
    const k = r === key.region ? key : tx.key(arn) && tx.editKey(arn);
    if (!k?.multiRegionInfo) continue;
    k.multiRegionInfo = {
      ...k.multiRegionInfo,
      type: r === region ? 'PRIMARY' : 'REPLICA',
      primaryRegion: region,
      replicaRegions,
    };
  }
}

/**
 * After a multi-Region key is deleted: related keys forget its Region, and a primary waiting in
 * PendingReplicaDeletion for its last replica starts its own waiting period (kms-api.md §7).
 */
export function afterMultiRegionKeyDeleted(tx: WorldTx, deleted: KeyRecord, now: number): void {
  const info = deleted.multiRegionInfo;
  if (!info) return;
  const all = [info.primaryRegion, ...info.replicaRegions].filter((r) => r !== deleted.region);
  for (const r of all) {
    const arn = keyArn(r, deleted.accountId, deleted.keyId);
    if (!tx.key(arn)) continue;
    const k = tx.editKey(arn);
    const replicaRegions = k.multiRegionInfo!.replicaRegions.filter((x) => x !== deleted.region);
    k.multiRegionInfo = { ...k.multiRegionInfo!, replicaRegions };
    if (k.state === 'PendingReplicaDeletion' && replicaRegions.length === 0) {
      k.state = 'PendingDeletion';
      k.deletionDate = now + (k.pendingWindowInDays ?? 30) * DAY_MS;
    }
  }
}
