/**
 * RDS's request members and response shapes (`@aws-sdk/client-rds`) shared by its operations.
 */
import type { ResourceRecord } from '../../model/resource.ts';
import type { CallContext } from '../../operations/context.ts';
import { S } from '../../operations/shape.ts';
import type { DBInstanceData, DBSnapshotData } from './model.ts';

/** An existing instance's or snapshot's identifier, or its ARN. */
export const identifier = S.str(1, 255);
/** A new instance's or snapshot's identifier. */
export const newIdentifier = S.str(1, 63, '^[a-zA-Z][a-zA-Z0-9-]*$');
/** A KMS key ID, ARN or alias. */
export const kmsKeyId = S.str(1, 2048);
/** CloudTrail's requestParameters for CreateDBInstance: the input without the master password. */
export const stripPassword = (ctx: CallContext) => {
  const { MasterUserPassword: _p, ...rest } = ctx.input as Record<string, unknown>;
  void _p;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), v]));
};

/** The SDK's `DBInstance`. */
export const dbInstanceOut = (r: ResourceRecord<DBInstanceData>): Record<string, unknown> => ({
  DBInstanceIdentifier: r.data.identifier,
  DBInstanceClass: r.data.instanceClass,
  Engine: r.data.engine,
  DBInstanceStatus: r.data.status,
  ...(r.data.masterUsername ? { MasterUsername: r.data.masterUsername } : {}),
  AllocatedStorage: r.data.allocatedStorage,
  InstanceCreateTime: new Date(r.createdAt),
  AvailabilityZone: `${r.region}a`,
  StorageEncrypted: r.data.storageEncrypted,
  ...(r.data.kmsKeyArn ? { KmsKeyId: r.data.kmsKeyArn } : {}),
  DbiResourceId: r.data.dbiResourceId,
  DBInstanceArn: r.arn,
  ...(r.data.readReplicaSource ? { ReadReplicaSourceDBInstanceIdentifier: r.data.readReplicaSource } : {}),
  ReadReplicaDBInstanceIdentifiers: [...(r.data.readReplicas ?? [])],
});

/** The SDK's `DBSnapshot`. */
export const dbSnapshotOut = (r: ResourceRecord<DBSnapshotData>): Record<string, unknown> => ({
  DBSnapshotIdentifier: r.data.identifier,
  DBInstanceIdentifier: r.data.instanceIdentifier,
  SnapshotCreateTime: new Date(r.createdAt),
  Engine: r.data.engine,
  AllocatedStorage: r.data.allocatedStorage,
  Status: 'available',
  SnapshotType: r.data.snapshotType,
  Encrypted: r.data.encrypted,
  ...(r.data.kmsKeyArn ? { KmsKeyId: r.data.kmsKeyArn } : {}),
  DbiResourceId: r.data.dbiResourceId,
  DBSnapshotArn: r.arn,
  ...(r.data.sourceSnapshotArn
    ? { SourceDBSnapshotIdentifier: r.data.sourceSnapshotArn, SourceRegion: r.data.sourceRegion }
    : {}),
});
