/**
 * CreateDBInstanceReadReplica. In the same Region the replica keeps the source's key unless
 * KmsKeyId says otherwise; across Regions (SourceDBInstanceIdentifier an ARN of another Region) an
 * encrypted source needs a KmsKeyId of the destination Region, as KMS keys are Regional. RDS reads
 * the source's storage in the source's Region, then encrypts the replica's in its own.
 */
import type { OperationFamily } from '../../operations/registry.ts';
import { S } from '../../operations/shape.ts';
import { newResource, serviceError, serviceOperation, updateResource } from '../common.ts';
import { upperId } from '../serviceGrants.ts';
import {
  assertNewInstance,
  dbContext,
  dbInstanceArn,
  dbResource,
  DB_INSTANCE_KIND,
  findDBInstance,
  RDS,
  type DBInstanceData,
} from './model.ts';
import { dbInstanceOut, identifier, kmsKeyId, newIdentifier } from './shapes.ts';
import { provisionStorage, readEncrypted } from './storage.ts';

/** The read replica operations. */
export const readReplicaOperations: OperationFamily = [
  serviceOperation(RDS, {
    name: 'CreateDBInstanceReadReplica',
    mutates: true,
    resource: dbResource('DBInstanceIdentifier'),
    input: S.struct(
      {
        DBInstanceIdentifier: newIdentifier,
        SourceDBInstanceIdentifier: identifier,
        DBInstanceClass: S.str(1, 64),
        KmsKeyId: kmsKeyId,
        SourceRegion: S.str(1, 32),
      },
      ['DBInstanceIdentifier', 'SourceDBInstanceIdentifier'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const id = (i.DBInstanceIdentifier as string).toLowerCase();
      assertNewInstance(ctx, id);
      const src = findDBInstance(ctx, i.SourceDBInstanceIdentifier);
      const crossRegion = src.region !== ctx.region;
      if (!src.data.storageEncrypted && i.KmsKeyId !== undefined)
        throw serviceError(
          'InvalidParameterCombination',
          "You can't create an encrypted read replica from an unencrypted DB instance.",
        ); // (unverified)
      if (crossRegion && src.data.storageEncrypted && i.KmsKeyId === undefined)
        throw serviceError(
          'InvalidParameterCombination',
          `A KmsKeyId of the destination Region ${ctx.region} is required to create an encrypted cross-Region read replica: KMS keys are specific to the Region they are created in.`,
        ); // (unverified)
      if (src.data.status !== 'available')
        throw serviceError(
          'InvalidDBInstanceState',
          `DB instance ${src.data.identifier} is not in available state.`,
        ); // (unverified)
      const dbiResourceId = upperId('db-', 26);
      let storage;
      if (src.data.storageEncrypted) {
        // RDS reads the source's storage in the source Region, then encrypts the replica's here.
        await readEncrypted(ctx, src.data, dbContext(src.data.dbiResourceId), src.region);
        storage = await provisionStorage(ctx, i.KmsKeyId ?? src.data.kmsKeyArn!, dbiResourceId);
      } else storage = { storageEncrypted: false, dbiResourceId, status: 'available' as const };
      const arn = dbInstanceArn(ctx.region, ctx.accountId, id);
      const data: DBInstanceData = {
        identifier: id,
        engine: src.data.engine,
        instanceClass: i.DBInstanceClass ?? src.data.instanceClass,
        allocatedStorage: src.data.allocatedStorage,
        readReplicaSource: crossRegion ? src.arn : src.data.identifier,
        ...storage,
      };
      const r = newResource(ctx, DB_INSTANCE_KIND, arn, data);
      ctx.tx.putResource(r);
      updateResource(ctx, src, { readReplicas: [...(src.data.readReplicas ?? []), crossRegion ? arn : id] });
      return { DBInstance: dbInstanceOut(r) };
    },
  }),
];
