/**
 * Manual DB snapshots, the documented way to encrypt an unencrypted instance or change its key:
 * CreateDBSnapshot, DescribeDBSnapshots, CopyDBSnapshot (with KmsKeyId: RDS decrypts the source's
 * data key and generates a new one under the copy's key; across Regions an encrypted source needs
 * a key of the destination Region) and RestoreDBInstanceFromDBSnapshot (an instance on the
 * snapshot's key).
 */
import type { ResourceRecord } from '../../model/resource.ts';
import type { CallContext } from '../../operations/context.ts';
import type { OperationFamily } from '../../operations/registry.ts';
import { S } from '../../operations/shape.ts';
import { callKms, keyArnOf, newResource, serviceError, serviceOperation } from '../common.ts';
import { describeSymmetricKey, upperId } from '../serviceGrants.ts';
import {
  assertNewInstance,
  assertNewSnapshot,
  dbContext,
  dbInstanceArn,
  dbResource,
  dbSnapshotArn,
  DB_INSTANCE_KIND,
  DB_SNAPSHOT_KIND,
  findDBInstance,
  findDBSnapshot,
  RDS,
  snapshotResource,
  type DBInstanceData,
  type DBSnapshotData,
} from './model.ts';
import { dbInstanceOut, dbSnapshotOut, identifier, kmsKeyId, newIdentifier } from './shapes.ts';
import { provisionStorage, readEncrypted } from './storage.ts';

/** A manual snapshot of an instance: its key and encrypted data key (no KMS call, unverified). */
export function snapshotOf(
  ctx: CallContext,
  r: ResourceRecord<DBInstanceData>,
  id: string,
): ResourceRecord<DBSnapshotData> {
  const data: DBSnapshotData = {
    identifier: id,
    instanceIdentifier: r.data.identifier,
    dbiResourceId: r.data.dbiResourceId,
    engine: r.data.engine,
    allocatedStorage: r.data.allocatedStorage,
    snapshotType: 'manual',
    encrypted: r.data.storageEncrypted,
    ...(r.data.kmsKeyArn && r.data.encryptedDataKey
      ? {
          kmsKeyArn: r.data.kmsKeyArn,
          encryptedDataKey: r.data.encryptedDataKey,
          dataKeyContext: dbContext(r.data.dbiResourceId),
        }
      : {}),
  };
  return newResource(ctx, DB_SNAPSHOT_KIND, dbSnapshotArn(ctx.region, ctx.accountId, id), data);
}

/** The DB snapshot operations, restoring an instance from a snapshot included. */
export const dbSnapshotOperations: OperationFamily = [
  serviceOperation(RDS, {
    name: 'CreateDBSnapshot',
    mutates: true,
    resource: snapshotResource('DBSnapshotIdentifier'),
    input: S.struct({ DBSnapshotIdentifier: newIdentifier, DBInstanceIdentifier: identifier }, [
      'DBSnapshotIdentifier',
      'DBInstanceIdentifier',
    ]),
    handler(ctx) {
      const r = findDBInstance(ctx, ctx.input.DBInstanceIdentifier);
      const id = (ctx.input.DBSnapshotIdentifier as string).toLowerCase();
      assertNewSnapshot(ctx, id);
      if (r.data.status !== 'available')
        throw serviceError(
          'InvalidDBInstanceState',
          `Cannot create a snapshot because the database instance ${r.data.identifier} is not currently in the available state.`,
        ); // (unverified)
      const s = snapshotOf(ctx, r, id);
      ctx.tx.putResource(s);
      return { DBSnapshot: dbSnapshotOut(s) };
    },
  }),
  serviceOperation(RDS, {
    name: 'DescribeDBSnapshots',
    mutates: false,
    resource: (ctx) => dbSnapshotArn(ctx.region, ctx.accountId, '*'),
    input: S.struct({ DBSnapshotIdentifier: identifier, DBInstanceIdentifier: identifier }),
    handler(ctx) {
      const i = ctx.input;
      const all = i.DBSnapshotIdentifier
        ? [findDBSnapshot(ctx, i.DBSnapshotIdentifier)]
        : ctx.tx
            .resources<DBSnapshotData>(DB_SNAPSHOT_KIND, ctx.accountId, ctx.region)
            .filter(
              (s) =>
                !i.DBInstanceIdentifier ||
                s.data.instanceIdentifier === (i.DBInstanceIdentifier as string).toLowerCase(),
            );
      return { DBSnapshots: all.map(dbSnapshotOut) };
    },
  }),
  serviceOperation(RDS, {
    name: 'CopyDBSnapshot',
    mutates: true,
    resource: snapshotResource('TargetDBSnapshotIdentifier'),
    input: S.struct(
      {
        SourceDBSnapshotIdentifier: identifier,
        TargetDBSnapshotIdentifier: newIdentifier,
        KmsKeyId: kmsKeyId,
        SourceRegion: S.str(1, 32),
      },
      ['SourceDBSnapshotIdentifier', 'TargetDBSnapshotIdentifier'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const src = findDBSnapshot(ctx, i.SourceDBSnapshotIdentifier);
      const id = (i.TargetDBSnapshotIdentifier as string).toLowerCase();
      assertNewSnapshot(ctx, id);
      const crossRegion = src.region !== ctx.region;
      if (crossRegion && src.data.encrypted && i.KmsKeyId === undefined)
        throw serviceError(
          'InvalidParameterValue',
          `KmsKeyId is required to copy the encrypted DB snapshot ${src.arn} to ${ctx.region}: KMS keys are specific to the Region they are created in.`,
        ); // (unverified)
      const base = {
        identifier: id,
        instanceIdentifier: src.data.instanceIdentifier,
        dbiResourceId: src.data.dbiResourceId,
        engine: src.data.engine,
        allocatedStorage: src.data.allocatedStorage,
        snapshotType: 'manual' as const,
        sourceSnapshotArn: src.arn,
        sourceRegion: src.region,
      };
      let data: DBSnapshotData;
      if (i.KmsKeyId === undefined) {
        // Same key, same encrypted data key (or unencrypted): a plain copy.
        const {
          identifier: _i,
          snapshotType: _t,
          sourceSnapshotArn: _s,
          sourceRegion: _r,
          ...keep
        } = src.data;
        void [_i, _t, _s, _r];
        data = { ...keep, ...base };
      } else {
        const kmsKeyArn = await describeSymmetricKey(RDS, ctx, i.KmsKeyId);
        if (src.data.encrypted && src.data.dataKeyContext)
          await readEncrypted(ctx, src.data, src.data.dataKeyContext, src.region);
        const context = dbContext(src.data.dbiResourceId);
        const out = await callKms(RDS, ctx, 'GenerateDataKeyWithoutPlaintext', {
          KeyId: kmsKeyArn,
          KeySpec: 'AES_256',
          EncryptionContext: context,
        });
        data = {
          ...base,
          encrypted: true,
          kmsKeyArn: keyArnOf(out),
          encryptedDataKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
          dataKeyContext: context,
        };
      }
      const s = newResource(ctx, DB_SNAPSHOT_KIND, dbSnapshotArn(ctx.region, ctx.accountId, id), data);
      ctx.tx.putResource(s);
      return { DBSnapshot: dbSnapshotOut(s) };
    },
  }),
  serviceOperation(RDS, {
    name: 'RestoreDBInstanceFromDBSnapshot',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct(
      {
        DBInstanceIdentifier: newIdentifier,
        DBSnapshotIdentifier: identifier,
        DBInstanceClass: S.str(1, 64),
      },
      ['DBInstanceIdentifier', 'DBSnapshotIdentifier'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const id = (i.DBInstanceIdentifier as string).toLowerCase();
      assertNewInstance(ctx, id);
      const s = findDBSnapshot(ctx, i.DBSnapshotIdentifier);
      if (s.region !== ctx.region)
        throw serviceError('DBSnapshotNotFound', `DBSnapshot ${s.data.identifier} not found.`);
      const dbiResourceId = upperId('db-', 26);
      let storage;
      if (s.data.encrypted && s.data.kmsKeyArn && s.data.dataKeyContext) {
        await readEncrypted(ctx, s.data, s.data.dataKeyContext, s.region);
        storage = await provisionStorage(ctx, s.data.kmsKeyArn, dbiResourceId);
      } else storage = { storageEncrypted: false, dbiResourceId, status: 'available' as const };
      const data: DBInstanceData = {
        identifier: id,
        engine: s.data.engine,
        instanceClass: i.DBInstanceClass ?? 'db.t3.micro',
        allocatedStorage: s.data.allocatedStorage,
        ...storage,
      };
      const r = newResource(ctx, DB_INSTANCE_KIND, dbInstanceArn(ctx.region, ctx.accountId, id), data);
      ctx.tx.putResource(r);
      return { DBInstance: dbInstanceOut(r) };
    },
  }),
];
