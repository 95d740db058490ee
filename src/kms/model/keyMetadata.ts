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
  m.Origin = k.origin;
  m.KeyManager = k.keyManager;
  // The deprecated twin has no ML-DSA or Ed25519 values, so those keys carry KeySpec only.
  if ((CUSTOMER_MASTER_KEY_SPECS as readonly string[]).includes(k.keySpec))
    m.CustomerMasterKeySpec = k.keySpec;
  m.KeySpec = k.keySpec;
  Object.assign(m, algorithmLists(k.keySpec, k.keyUsage));
  m.MultiRegion = k.multiRegion;
  if (k.multiRegion)
    m.MultiRegionConfiguration = {
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: k.arn, Region: k.region },
      ReplicaKeys: [],
    };
  if (k.currentMaterialId) m.CurrentKeyMaterialId = k.currentMaterialId;
  return m;
}
