import { CUSTOMER_MASTER_KEY_SPECS } from './enums.ts';
import { algorithmLists } from './algorithms.ts';
import type { KeyRecord } from './key.ts';

/** KeyMetadata as CreateKey and DescribeKey return it (kms-api.md §16), field order as AWS's. */
export function keyMetadata(k: KeyRecord): Record<string, unknown> {
  const m: Record<string, unknown> = {
    AWSAccountId: k.accountId,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: new Date(k.createdAt),
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
  };
  if (k.state === 'PendingDeletion' && k.deletionDate !== undefined)
    m.DeletionDate = new Date(k.deletionDate);
  // Imported material: ValidTo is the earliest expiry of the key's imported materials.
  const imported = k.materials.filter((x) => x.imported?.importState === 'IMPORTED');
  const validTos = imported.flatMap((x) => (x.imported!.validTo !== undefined ? [x.imported!.validTo] : []));
  if (validTos.length) m.ValidTo = new Date(Math.min(...validTos));
  m.Origin = k.origin;
  if (k.customKeyStoreId) m.CustomKeyStoreId = k.customKeyStoreId;
  if (k.cloudHsmClusterId) m.CloudHsmClusterId = k.cloudHsmClusterId;
  const model = (imported.find((x) => x.id === k.currentMaterialId) ?? imported[0])?.imported
    ?.expirationModel;
  if (k.origin === 'EXTERNAL' && model) m.ExpirationModel = model;
  m.KeyManager = k.keyManager;
  // The deprecated twin has no ML-DSA or Ed25519 values, so those keys carry KeySpec only.
  if ((CUSTOMER_MASTER_KEY_SPECS as readonly string[]).includes(k.keySpec))
    m.CustomerMasterKeySpec = k.keySpec;
  m.KeySpec = k.keySpec;
  Object.assign(m, algorithmLists(k.keySpec, k.keyUsage));
  m.MultiRegion = k.multiRegion;
  if (k.multiRegion) {
    const info = k.multiRegionInfo;
    const arnIn = (region: string) => k.arn.replace(`:kms:${k.region}:`, `:kms:${region}:`);
    const primaryRegion = info?.primaryRegion ?? k.region;
    m.MultiRegionConfiguration = {
      MultiRegionKeyType: info?.type ?? 'PRIMARY',
      PrimaryKey: { Arn: arnIn(primaryRegion), Region: primaryRegion },
      ReplicaKeys: (info?.replicaRegions ?? []).map((r) => ({ Arn: arnIn(r), Region: r })),
    };
  }
  if (k.state === 'PendingReplicaDeletion' && k.pendingWindowInDays !== undefined)
    m.PendingDeletionWindowInDays = k.pendingWindowInDays;
  if (k.xksKeyId !== undefined) m.XksKeyConfiguration = { Id: k.xksKeyId };
  // Documented for AWS_KMS and EXTERNAL keys; not for the KMS-side material of an external key store key.
  if (k.currentMaterialId && k.origin !== 'EXTERNAL_KEY_STORE') m.CurrentKeyMaterialId = k.currentMaterialId;
  return m;
}
