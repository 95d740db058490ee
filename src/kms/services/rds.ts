/**
 * Amazon RDS encryption at rest (kms-api.md §15), shapes of `@aws-sdk/client-rds`:
 *
 * - CreateDBInstance with `StorageEncrypted` (key: `KmsKeyId`, else `alias/aws/rds`, created on
 *   first use). RDS, as the caller through `kms:ViaService = rds.<region>.amazonaws.com`, calls
 *   DescribeKey (symmetric keys only), CreateGrant for its Regional principal
 *   `rds.<region>.amazonaws.com` (constrained to `{"aws:rds:db-id": "db-…"}`) and
 *   GenerateDataKeyWithoutPlaintext with that context for the storage's data key (EBS-like
 *   envelope encryption; the DB instance's resource ID `DbiResourceId` is the `db-…`). Then the
 *   instance boots: RDS itself, with its grant, calls Decrypt.
 * - Encryption is chosen at creation only: ModifyDBInstance cannot turn it on. (The real API has no
 *   StorageEncrypted member on ModifyDBInstance; this lab accepts one to show RDS's answer, unverified
 *   wording.) The documented path: CreateDBSnapshot → CopyDBSnapshot with KmsKeyId (Decrypt of the
 *   source data key when encrypted, DescribeKey + GenerateDataKeyWithoutPlaintext under the new key)
 *   → RestoreDBInstanceFromDBSnapshot (an encrypted instance on the copy's key).
 * - CreateDBInstanceReadReplica: in the same Region the replica keeps the source's key unless
 *   KmsKeyId says otherwise; across Regions (SourceDBInstanceIdentifier an ARN of another Region) an
 *   encrypted source needs a KmsKeyId of the destination Region — KMS keys are Regional.
 * - StartDBInstance / RebootDBInstance: RDS decrypts the data key with its grant; when KMS refuses
 *   (key disabled, pending deletion, grant revoked) the instance becomes
 *   `inaccessible-encryption-credentials`. (Simplified: AWS moves it there asynchronously, and
 *   documents a recoverable variant; here StartDBInstance retries once the key is usable again.)
 * - DeleteDBInstance: RDS retires its grant.
 *
 * Snapshots keep the instance's KMS key and encrypted data key (no KMS call, unverified). Errors
 * follow RDS: `AccessDenied` for IAM denials, `KMSKeyNotAccessibleFault` for KMS failures (the KMS
 * denial's explanation names the missing permission), `DBInstanceNotFound`, `DBSnapshotNotFound`,
 * `InvalidDBInstanceState`, `InvalidParameterCombination`.
 */
import type { OperationFamily } from '../operations/registry.ts';
import { dbInstanceOperations } from './rds/instances.ts';
import { readReplicaOperations } from './rds/readReplicas.ts';
import { dbSnapshotOperations } from './rds/snapshots.ts';

/** Every simulated RDS operation (model in rds/model.ts, KMS calls in rds/storage.ts). */
export const rdsOperations: OperationFamily = [
  ...dbInstanceOperations,
  ...dbSnapshotOperations,
  ...readReplicaOperations,
];

export {
  RDS,
  DB_INSTANCE_KIND,
  DB_SNAPSHOT_KIND,
  INACCESSIBLE,
  dbInstanceArn,
  dbSnapshotArn,
} from './rds/model.ts';
export type { DBInstanceData, DBSnapshotData, DBInstanceStatus } from './rds/model.ts';
