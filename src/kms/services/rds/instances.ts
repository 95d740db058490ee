/**
 * The DB instance's lifecycle: CreateDBInstance (encryption chosen here, once), DescribeDBInstances,
 * ModifyDBInstance (which cannot add or remove encryption), StopDBInstance, StartDBInstance and
 * RebootDBInstance (each boot decrypts the data key with RDS's grant) and DeleteDBInstance (an
 * optional final snapshot, then RDS retires its grant).
 */
import type { CallContext } from '../../operations/context.ts';
import type { OperationFamily } from '../../operations/registry.ts';
import { S } from '../../operations/shape.ts';
import { newResource, serviceError, serviceOperation, updateResource } from '../common.ts';
import { retireServiceGrant, upperId } from '../serviceGrants.ts';
import {
  assertNewInstance,
  assertNewSnapshot,
  dbInstanceArn,
  dbResource,
  DB_INSTANCE_KIND,
  DEFAULT_RDS_KEY,
  findDBInstance,
  INACCESSIBLE,
  RDS,
  type DBInstanceData,
  type DBInstanceStatus,
} from './model.ts';
import { dbInstanceOut, identifier, kmsKeyId, newIdentifier, stripPassword } from './shapes.ts';
import { snapshotOf } from './snapshots.ts';
import { boot, provisionStorage } from './storage.ts';

/** Changes an instance's status (start, reboot). */
async function restart(ctx: CallContext, from: readonly DBInstanceStatus[]) {
  const r = findDBInstance(ctx, ctx.input.DBInstanceIdentifier);
  if (!from.includes(r.data.status))
    throw serviceError(
      'InvalidDBInstanceState',
      `DB instance ${r.data.identifier} is in ${r.data.status} state and cannot be ${ctx.op.name === 'rds:StartDBInstance' ? 'started' : 'rebooted'}.`,
    ); // (unverified)
  const status = await boot(ctx, r.data);
  return { DBInstance: dbInstanceOut(updateResource(ctx, r, { status })) };
}

/** The DB instance operations. */
export const dbInstanceOperations: OperationFamily = [
  serviceOperation(RDS, {
    name: 'CreateDBInstance',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct(
      {
        DBInstanceIdentifier: newIdentifier,
        DBInstanceClass: S.str(1, 64),
        Engine: S.str(1, 64),
        AllocatedStorage: S.int(5, 65536),
        MasterUsername: S.str(1, 128),
        MasterUserPassword: { ...S.str(8, 128), sensitive: true },
        StorageEncrypted: S.bool,
        KmsKeyId: kmsKeyId,
      },
      ['DBInstanceIdentifier', 'DBInstanceClass', 'Engine'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const id = (i.DBInstanceIdentifier as string).toLowerCase();
      assertNewInstance(ctx, id);
      if (i.KmsKeyId !== undefined && i.StorageEncrypted !== true)
        throw serviceError(
          'InvalidParameterCombination',
          'Encryption key is specified but StorageEncrypted is not set to true.',
        ); // (unverified)
      const dbiResourceId = upperId('db-', 26);
      const storage =
        i.StorageEncrypted === true
          ? await provisionStorage(ctx, i.KmsKeyId ?? DEFAULT_RDS_KEY, dbiResourceId)
          : { storageEncrypted: false, dbiResourceId, status: 'available' as const };
      const data: DBInstanceData = {
        identifier: id,
        engine: i.Engine,
        instanceClass: i.DBInstanceClass,
        allocatedStorage: i.AllocatedStorage ?? 20,
        ...(i.MasterUsername ? { masterUsername: i.MasterUsername } : {}),
        ...storage,
      };
      const r = newResource(ctx, DB_INSTANCE_KIND, dbInstanceArn(ctx.region, ctx.accountId, id), data);
      ctx.tx.putResource(r);
      return { DBInstance: dbInstanceOut(r) };
    },
    trailRequest: stripPassword,
  }),
  serviceOperation(RDS, {
    name: 'DescribeDBInstances',
    mutates: false,
    resource: (ctx) =>
      ctx.input.DBInstanceIdentifier
        ? dbResource('DBInstanceIdentifier')(ctx)
        : dbInstanceArn(ctx.region, ctx.accountId, '*'),
    input: S.struct({ DBInstanceIdentifier: identifier }),
    handler(ctx) {
      const ref = ctx.input.DBInstanceIdentifier as string | undefined;
      const all = ref
        ? [findDBInstance(ctx, ref)]
        : ctx.tx.resources<DBInstanceData>(DB_INSTANCE_KIND, ctx.accountId, ctx.region);
      return { DBInstances: all.map(dbInstanceOut) };
    },
  }),
  serviceOperation(RDS, {
    name: 'ModifyDBInstance',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct(
      {
        DBInstanceIdentifier: identifier,
        DBInstanceClass: S.str(1, 64),
        AllocatedStorage: S.int(5, 65536),
        ApplyImmediately: S.bool,
        // Not members of the real ModifyDBInstance: accepted here to show that encryption cannot be added.
        StorageEncrypted: S.bool,
        KmsKeyId: kmsKeyId,
      },
      ['DBInstanceIdentifier'],
    ),
    handler(ctx) {
      const i = ctx.input;
      const r = findDBInstance(ctx, i.DBInstanceIdentifier);
      if (
        (i.StorageEncrypted === true && !r.data.storageEncrypted) ||
        (i.KmsKeyId !== undefined && i.KmsKeyId !== r.data.kmsKeyArn)
      )
        throw serviceError(
          'InvalidParameterCombination',
          'You can only enable encryption for an RDS DB instance when you create it, not after the DB instance is created. To encrypt an existing DB instance, create a snapshot, copy it with a KMS key (CopyDBSnapshot with KmsKeyId), and restore a DB instance from the encrypted copy.',
        ); // (unverified)
      if (i.StorageEncrypted === false && r.data.storageEncrypted)
        throw serviceError(
          'InvalidParameterCombination',
          'You cannot disable encryption on an encrypted DB instance.',
        ); // (unverified)
      const next = updateResource(ctx, r, {
        ...(i.DBInstanceClass ? { instanceClass: i.DBInstanceClass } : {}),
        ...(i.AllocatedStorage ? { allocatedStorage: i.AllocatedStorage } : {}),
      });
      return { DBInstance: dbInstanceOut(next) };
    },
  }),
  serviceOperation(RDS, {
    name: 'StopDBInstance',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct({ DBInstanceIdentifier: identifier }, ['DBInstanceIdentifier']),
    handler(ctx) {
      const r = findDBInstance(ctx, ctx.input.DBInstanceIdentifier);
      if (r.data.status !== 'available')
        throw serviceError(
          'InvalidDBInstanceState',
          `Instance ${r.data.identifier} is not in available state.`,
        ); // (unverified)
      return { DBInstance: dbInstanceOut(updateResource(ctx, r, { status: 'stopped' })) };
    },
  }),
  serviceOperation(RDS, {
    name: 'StartDBInstance',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct({ DBInstanceIdentifier: identifier }, ['DBInstanceIdentifier']),
    handler: (ctx) => restart(ctx, ['stopped', INACCESSIBLE]),
  }),
  serviceOperation(RDS, {
    name: 'RebootDBInstance',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct({ DBInstanceIdentifier: identifier, ForceFailover: S.bool }, ['DBInstanceIdentifier']),
    handler: (ctx) => restart(ctx, ['available']),
  }),
  serviceOperation(RDS, {
    name: 'DeleteDBInstance',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct(
      {
        DBInstanceIdentifier: identifier,
        SkipFinalSnapshot: S.bool,
        FinalDBSnapshotIdentifier: newIdentifier,
      },
      ['DBInstanceIdentifier'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const r = findDBInstance(ctx, i.DBInstanceIdentifier);
      if (i.SkipFinalSnapshot !== true && i.FinalDBSnapshotIdentifier === undefined)
        throw serviceError(
          'InvalidParameterCombination',
          'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.',
        );
      if (i.FinalDBSnapshotIdentifier !== undefined) {
        const sid = (i.FinalDBSnapshotIdentifier as string).toLowerCase();
        assertNewSnapshot(ctx, sid);
        ctx.tx.putResource(snapshotOf(ctx, r, sid));
      }
      await retireServiceGrant(RDS, ctx, r.data.grant);
      // A replica's source forgets it.
      if (r.data.readReplicaSource) {
        const src = (() => {
          try {
            return findDBInstance(ctx, r.data.readReplicaSource!);
          } catch {
            return undefined;
          }
        })();
        if (src)
          updateResource(ctx, src, {
            readReplicas: (src.data.readReplicas ?? []).filter((x) => x !== r.data.identifier && x !== r.arn),
          });
      }
      ctx.tx.deleteResource(r.arn);
      return { DBInstance: { ...dbInstanceOut(r), DBInstanceStatus: 'deleting' } };
    },
  }),
];
