import { serviceEvent, type CloudTrailRecord } from '../audit/cloudTrail.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { keyArn } from '../model/identifiers.ts';
import type { KeyMaterialRecord, KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import type { TimedBehaviour } from './scheduler.ts';

export const DAY_MS = 86_400_000;
/** AWS managed keys rotate every year (kms-api.md §6). */
export const AWS_MANAGED_ROTATION_DAYS = 365;

/** What a rotation needs besides the world: new material and somewhere to log events. */
export interface RotationEnv {
  readonly tx: WorldTx;
  readonly keyring: Keyring;
  readonly now: number;
  readonly record: (r: CloudTrailRecord) => void;
  readonly newIds: () => { requestId: string; eventId: string };
}

/** The related keys of a multi-Region key in other Regions (that still exist). */
export function relatedKeys(tx: WorldTx, key: KeyRecord): KeyRecord[] {
  const info = key.multiRegionInfo;
  if (!info) return [];
  const regions = [info.primaryRegion, ...info.replicaRegions].filter((r) => r !== key.region);
  return regions
    .map((r) => tx.key(keyArn(r, key.accountId, key.keyId)))
    .filter((k): k is KeyRecord => k !== undefined);
}

/**
 * Copies the shared properties of a multi-Region primary (material versions, rotation settings)
 * to every replica, logging a SynchronizeMultiRegionKey service event in each replica's Region.
 */
export function synchronizeReplicas(primary: KeyRecord, env: RotationEnv): void {
  if (primary.multiRegionInfo?.type !== 'PRIMARY') return;
  for (const related of relatedKeys(env.tx, primary)) {
    const replica = env.tx.editKey(related.arn);
    // Imported material is imported into each related key separately: a replica keeps its own
    // copy of each material, and learns of new ones as pending import.
    replica.materials = primary.materials.map((m): KeyMaterialRecord => {
      if (!m.imported) return m;
      const pendingRotation = m.imported.pendingRotation ? { pendingRotation: true } : {};
      const own = replica.materials.find((r) => r.id === m.id);
      if (!own)
        return {
          ...m,
          wrapped: new Uint8Array(0),
          imported: { importState: 'PENDING_IMPORT', ...pendingRotation },
        };
      const { pendingRotation: _p, ...ownState } = own.imported ?? { importState: 'PENDING_IMPORT' as const };
      return {
        ...own,
        ...(m.rotationType ? { rotationType: m.rotationType, rotationDate: m.rotationDate } : {}),
        imported: { ...ownState, ...pendingRotation },
      };
    });
    replica.currentMaterialId = primary.currentMaterialId;
    if (primary.rotation) replica.rotation = { ...primary.rotation };
    else delete replica.rotation;
    env.record(
      serviceEvent({
        eventName: 'SynchronizeMultiRegionKey',
        accountId: replica.accountId,
        region: replica.region,
        time: env.now,
        keyArn: replica.arn,
        ...env.newIds(),
      }),
    );
  }
}

/**
 * Rotates a symmetric key: new material becomes current, every older material is kept so old
 * ciphertext still decrypts. Multi-Region primaries share the new material with their replicas.
 */
export async function rotateKeyMaterial(
  arn: string,
  type: 'AUTOMATIC' | 'ON_DEMAND',
  env: RotationEnv,
  material?: KeyMaterialRecord,
): Promise<KeyMaterialRecord> {
  const key = env.tx.editKey(arn);
  const fresh = material ?? (await env.keyring.newSymmetricMaterial(env.now));
  const rotated: KeyMaterialRecord = { ...fresh, rotationType: type, rotationDate: env.now };
  key.materials = [...key.materials.filter((m) => m.id !== rotated.id), rotated];
  key.currentMaterialId = rotated.id;
  synchronizeReplicas(key, env);
  return rotated;
}

/** Whether automatic rotation may happen now: Disabled and pending-deletion keys are not rotated. */
const rotatesNow = (k: KeyRecord) =>
  k.rotation?.enabled === true &&
  k.rotation.nextRotationDate !== undefined &&
  (k.state === 'Enabled' || k.state === 'Updating') &&
  k.multiRegionInfo?.type !== 'REPLICA';

/**
 * A key re-enabled after its rotation date passed is rotated right away (kms-api.md §6:
 * "if the material is older than one period, rotate immediately, else resume the schedule").
 */
export function resumeRotation(key: KeyRecord, now: number): void {
  const r = key.rotation;
  if (r?.enabled && r.nextRotationDate !== undefined && r.nextRotationDate < now)
    key.rotation = { ...r, nextRotationDate: now };
}

/**
 * Automatic rotation: when the simulated clock passes a key's NextRotationDate, KMS creates new
 * material, makes it current and logs a RotateKey service event.
 */
export const keyRotation: TimedBehaviour = {
  name: 'automatic key rotation',
  upcoming(tx) {
    return tx
      .allKeys()
      .filter(rotatesNow)
      .map((k) => ({
        at: k.rotation!.nextRotationDate!,
        kind: 'RotateKey',
        keyArn: k.arn,
        accountId: k.accountId,
        region: k.region,
        description: `${k.arn} rotates automatically (every ${k.rotation!.periodDays} days)`,
      }));
  },
  async fire(event, ctx) {
    const key = ctx.tx.key(event.keyArn);
    if (!key || !rotatesNow(key)) return;
    // The event is logged before the replicas' SynchronizeMultiRegionKey events.
    ctx.record(
      serviceEvent({
        eventName: 'RotateKey',
        accountId: key.accountId,
        region: key.region,
        time: ctx.now,
        keyArn: key.arn,
        serviceEventDetails: { keyId: key.keyId },
        ...ctx.newIds(),
      }),
    );
    const edited = ctx.tx.editKey(key.arn);
    edited.rotation = {
      ...edited.rotation!,
      nextRotationDate: ctx.now + edited.rotation!.periodDays * DAY_MS,
    };
    await rotateKeyMaterial(key.arn, 'AUTOMATIC', ctx);
  },
};
