import { serviceEvent } from '../audit/cloudTrail.ts';
import { deleteMaterial } from '../operations/import.ts';
import type { TimedBehaviour } from './scheduler.ts';

/**
 * Imported key material with ExpirationModel KEY_MATERIAL_EXPIRES: at its ValidTo, KMS deletes the
 * material, logs a DeleteExpiredKeyMaterial service event, and the key becomes PendingImport
 * (kms-api.md §8 step 5). The same material can be imported again.
 */
export const importedMaterialExpiry: TimedBehaviour = {
  name: 'imported key material expiry',
  upcoming(tx) {
    // Only EXTERNAL keys have imported material: skip the rest without looking at their materials.
    return tx.allKeys().flatMap((k) =>
      k.origin !== 'EXTERNAL'
        ? []
        : k.materials
            .filter((m) => m.imported?.importState === 'IMPORTED' && m.imported.validTo !== undefined)
            .map((m) => ({
              at: m.imported!.validTo!,
              kind: 'DeleteExpiredKeyMaterial',
              keyArn: k.arn,
              accountId: k.accountId,
              region: k.region,
              description: `imported key material ${m.id.slice(0, 8)}… of ${k.arn} expires`,
            })),
    );
  },
  fire(event, ctx) {
    const current = ctx.tx.key(event.keyArn);
    if (!current) return;
    const expired = current.materials.filter(
      (m) =>
        m.imported?.importState === 'IMPORTED' &&
        m.imported.validTo !== undefined &&
        m.imported.validTo <= event.at,
    );
    if (expired.length === 0) return;
    const key = ctx.tx.editKey(event.keyArn);
    for (const m of expired) deleteMaterial(key, m.id, ctx.keyring);
    ctx.record(
      serviceEvent({
        eventName: 'DeleteExpiredKeyMaterial',
        accountId: key.accountId,
        region: key.region,
        time: ctx.now,
        keyArn: key.arn,
        ...ctx.newIds(),
      }),
    );
  },
};
