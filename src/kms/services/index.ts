/**
 * AWS services that use KMS (issue 9, kms-api.md §15), each an SDK-shaped API family in the
 * engine's registry, named `<service>:<Action>` like the simulated IAM API:
 *
 * ```ts
 * await kms.service('s3', 'PutObject', { Bucket, Key, Body }, alice); // = kms.send('s3:PutObject', …)
 * await kms.service('ec2', 'CreateVolume', { AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: true });
 * ```
 * A call is authorized as the service's own IAM action for the caller (identity policies; the root
 * user of the account may do anything) and then calls KMS as the service on the caller's behalf
 * through the normal pipeline (key policy, IAM, grants, `kms:ViaService`, `kms:CallerAccount`,
 * encryption context), so both permissions are needed. Service resources live in the world's one
 * resources collection (`s3:bucket`, `s3:object`, `ec2:volume`, `ec2:snapshot`, `ssm:parameter`,
 * `secretsmanager:secret`, `rds:db`, `rds:snapshot`, `redshift:cluster`).
 */
import type { OperationFamily } from '../operations/registry.ts';
import { ebsOperations } from './ebs.ts';
import { rdsOperations } from './rds.ts';
import { redshiftOperations } from './redshift.ts';
import { s3Operations } from './s3.ts';
import { secretsManagerOperations } from './secretsManager.ts';
import { ssmOperations } from './ssm.ts';

/** The services' API prefixes, as `kms.service(<prefix>, …)` and `kms.send('<prefix>:<Action>')` name them. */
export const SERVICE_PREFIXES = ['s3', 'ec2', 'ssm', 'secretsmanager', 'rds', 'redshift'] as const;
export type ServiceName = (typeof SERVICE_PREFIXES)[number];

export const isServiceOperation = (name: string): boolean =>
  SERVICE_PREFIXES.some((p) => name.startsWith(`${p}:`));

/** Every simulated service operation. */
export const serviceOperations: OperationFamily = [
  ...s3Operations,
  ...ebsOperations,
  ...ssmOperations,
  ...secretsManagerOperations,
  ...rdsOperations,
  ...redshiftOperations,
];

export { S3, bucketArn, objectArn, BUCKET_KEY_LIFETIME_MS } from './s3.ts';
export type { BucketData, ObjectData, BucketEncryption } from './s3.ts';
export { EBS, VOLUME_KIND, SNAPSHOT_KIND } from './ebs.ts';
export type { VolumeData, SnapshotData } from './ebs.ts';
export { SSM, PARAMETER_KIND, parameterArn } from './ssm.ts';
export type { ParameterData } from './ssm.ts';
export { SECRETS_MANAGER, SECRET_KIND } from './secretsManager.ts';
export type { SecretData } from './secretsManager.ts';
export {
  RDS,
  DB_INSTANCE_KIND,
  DB_SNAPSHOT_KIND,
  INACCESSIBLE,
  dbInstanceArn,
  dbSnapshotArn,
} from './rds.ts';
export type { DBInstanceData, DBSnapshotData, DBInstanceStatus } from './rds.ts';
export { REDSHIFT, CLUSTER_KIND, clusterArn } from './redshift.ts';
export type { ClusterData, KeyHierarchy } from './redshift.ts';
export { createServiceClients, SERVICE_CLIENTS } from './clients.ts';
export type { ServiceClient, ServiceClients, ServiceClientName, ServiceCall } from './clients.ts';
export type { KmsPermissionMissing } from './common.ts';
