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
import { KmsError } from '../errors.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { isKnownRegion } from '../world/regions.ts';
import {
  callKms,
  keyArnOf,
  newResource,
  serviceError,
  serviceOperation,
  updateResource,
  type ServiceInfo,
} from './common.ts';
import {
  createServiceGrant,
  describeSymmetricKey,
  retireServiceGrant,
  serviceActor,
  upperId,
  type ServiceGrant,
} from './serviceGrants.ts';

export const RDS: ServiceInfo = {
  actionPrefix: 'rds',
  endpointPrefix: 'rds',
  principal: 'rds.amazonaws.com',
  eventSource: 'rds.amazonaws.com',
  accessDeniedCode: 'AccessDenied',
  // (unverified) RDS reports every KMS failure as KMSKeyNotAccessibleFault.
  kmsError: (e) =>
    new KmsError(
      'KMSKeyNotAccessibleFault',
      `The specified KMS key does not exist, is not enabled or you do not have permissions to access it. (${e.code}: ${e.message})`,
    ),
};

export const DB_INSTANCE_KIND = 'rds:db';
export const DB_SNAPSHOT_KIND = 'rds:snapshot';
export const DEFAULT_RDS_KEY = 'alias/aws/rds';
export const INACCESSIBLE = 'inaccessible-encryption-credentials';

export type DBInstanceStatus = 'available' | 'stopped' | typeof INACCESSIBLE;

export interface DBInstanceData {
  readonly identifier: string;
  /** `db-…`: the resource ID in the storage's encryption context. */
  readonly dbiResourceId: string;
  readonly engine: string;
  readonly instanceClass: string;
  readonly allocatedStorage: number;
  readonly masterUsername?: string;
  readonly status: DBInstanceStatus;
  readonly storageEncrypted: boolean;
  readonly kmsKeyArn?: string;
  /** The storage's data key, encrypted under the KMS key with `{"aws:rds:db-id": dbiResourceId}`. */
  readonly encryptedDataKey?: Uint8Array<ArrayBuffer>;
  /** The grant RDS gave itself on the key. */
  readonly grant?: ServiceGrant;
  /** Same Region: the source's identifier; another Region: its ARN. */
  readonly readReplicaSource?: string;
  readonly readReplicas?: readonly string[];
}

export interface DBSnapshotData {
  readonly identifier: string;
  readonly instanceIdentifier: string;
  readonly dbiResourceId: string;
  readonly engine: string;
  readonly allocatedStorage: number;
  readonly snapshotType: 'manual';
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly encryptedDataKey?: Uint8Array<ArrayBuffer>;
  readonly dataKeyContext?: Readonly<Record<string, string>>;
  readonly sourceSnapshotArn?: string;
  readonly sourceRegion?: string;
}

export const dbInstanceArn = (region: string, account: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:db:${id}`;
export const dbSnapshotArn = (region: string, account: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:snapshot:${id}`;

const RDS_ARN = /^arn:aws:rds:([a-z0-9-]+):(\d{12}):(db|snapshot):([a-zA-Z0-9-]+)$/;

/** An identifier or ARN → Region and (lower-case, as RDS stores it) identifier. */
function parseRef(ctx: CallContext, ref: string, type: 'db' | 'snapshot') {
  const m = RDS_ARN.exec(ref);
  if (!m) return { region: ctx.region, id: ref.toLowerCase(), arn: false };
  if (m[3] !== type || m[2] !== ctx.accountId || !isKnownRegion(m[1]!))
    throw serviceError(
      'InvalidParameterValue',
      `Invalid ${type === 'db' ? 'DB instance' : 'DB snapshot'} ARN: ${ref}`,
    ); // (unverified)
  return { region: m[1]!, id: m[4]!.toLowerCase(), arn: true };
}

function instance(ctx: CallContext, ref: string): ResourceRecord<DBInstanceData> {
  const { region, id } = parseRef(ctx, ref, 'db');
  const r = ctx.tx.resource<DBInstanceData>(dbInstanceArn(region, ctx.accountId, id));
  if (!r || r.kind !== DB_INSTANCE_KIND)
    throw serviceError('DBInstanceNotFound', `DBInstance ${id} not found.`);
  return r;
}

function snapshot(ctx: CallContext, ref: string): ResourceRecord<DBSnapshotData> {
  const { region, id } = parseRef(ctx, ref, 'snapshot');
  const r = ctx.tx.resource<DBSnapshotData>(dbSnapshotArn(region, ctx.accountId, id));
  if (!r || r.kind !== DB_SNAPSHOT_KIND)
    throw serviceError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
  return r;
}

function assertNewInstance(ctx: CallContext, id: string) {
  if (ctx.tx.resource(dbInstanceArn(ctx.region, ctx.accountId, id)))
    throw serviceError('DBInstanceAlreadyExists', 'DB instance already exists');
}

function assertNewSnapshot(ctx: CallContext, id: string) {
  if (ctx.tx.resource(dbSnapshotArn(ctx.region, ctx.accountId, id)))
    throw serviceError(
      'DBSnapshotAlreadyExists',
      `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
    );
}

const dbContext = (dbiResourceId: string) => ({ 'aws:rds:db-id': dbiResourceId });

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

const dbSnapshotOut = (r: ResourceRecord<DBSnapshotData>): Record<string, unknown> => ({
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

/** RDS decrypts the storage's data key with its grant: the instance boots, or becomes inaccessible. */
async function boot(
  ctx: CallContext,
  d: Pick<DBInstanceData, 'kmsKeyArn' | 'encryptedDataKey' | 'dbiResourceId' | 'grant'>,
  region = ctx.region,
): Promise<DBInstanceStatus> {
  if (!d.kmsKeyArn || !d.encryptedDataKey) return 'available';
  try {
    const out = await callKms(
      RDS,
      ctx,
      'Decrypt',
      {
        CiphertextBlob: d.encryptedDataKey,
        EncryptionContext: dbContext(d.dbiResourceId),
        KeyId: d.kmsKeyArn,
        ...(d.grant ? { GrantTokens: [d.grant.grantToken] } : {}),
      },
      { as: serviceActor(RDS, ctx, region), region },
    );
    (out.Plaintext as Uint8Array).fill(0); // held by the DB host in this simulation, not stored
    return 'available';
  } catch (e) {
    if (e instanceof KmsError) return INACCESSIBLE;
    throw e;
  }
}

/**
 * Encrypted storage for a new DB instance: DescribeKey, CreateGrant for RDS and
 * GenerateDataKeyWithoutPlaintext as the caller through RDS, then the first boot with the grant.
 */
async function provisionStorage(ctx: CallContext, keyRef: string, dbiResourceId: string) {
  const kmsKeyArn = await describeSymmetricKey(RDS, ctx, keyRef);
  const context = dbContext(dbiResourceId);
  const grant = await createServiceGrant(RDS, ctx, kmsKeyArn, context);
  try {
    const out = await callKms(RDS, ctx, 'GenerateDataKeyWithoutPlaintext', {
      KeyId: kmsKeyArn,
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    const data = {
      storageEncrypted: true,
      kmsKeyArn: keyArnOf(out),
      encryptedDataKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
      grant,
      dbiResourceId,
    };
    return { ...data, status: await boot(ctx, data) };
  } catch (e) {
    await retireServiceGrant(RDS, ctx, grant);
    throw e;
  }
}

/** RDS reads encrypted storage (a snapshot or a source instance) with the caller's permission. */
async function readEncrypted(
  ctx: CallContext,
  src: { kmsKeyArn?: string; encryptedDataKey?: Uint8Array<ArrayBuffer> },
  context: Readonly<Record<string, string>>,
  region: string,
) {
  if (!src.kmsKeyArn || !src.encryptedDataKey) return;
  const out = await callKms(
    RDS,
    ctx,
    'Decrypt',
    { CiphertextBlob: src.encryptedDataKey, EncryptionContext: { ...context }, KeyId: src.kmsKeyArn },
    { region },
  );
  (out.Plaintext as Uint8Array).fill(0);
}

const identifier = S.str(1, 255);
const newIdentifier = S.str(1, 63, '^[a-zA-Z][a-zA-Z0-9-]*$');
const kmsKeyId = S.str(1, 2048);
const stripPassword = (ctx: CallContext) => {
  const { MasterUserPassword: _p, ...rest } = ctx.input as Record<string, unknown>;
  void _p;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), v]));
};
const dbResource = (field: string) => (ctx: CallContext) => {
  const ref = ctx.input[field] as string;
  return RDS_ARN.test(ref) ? ref : dbInstanceArn(ctx.region, ctx.accountId, ref.toLowerCase());
};
const snapshotResource = (field: string) => (ctx: CallContext) => {
  const ref = ctx.input[field] as string;
  return RDS_ARN.test(ref) ? ref : dbSnapshotArn(ctx.region, ctx.accountId, ref.toLowerCase());
};

/** Changes an instance's status (start, reboot). */
async function restart(ctx: CallContext, from: readonly DBInstanceStatus[]) {
  const r = instance(ctx, ctx.input.DBInstanceIdentifier);
  if (!from.includes(r.data.status))
    throw serviceError(
      'InvalidDBInstanceState',
      `DB instance ${r.data.identifier} is in ${r.data.status} state and cannot be ${ctx.op.name === 'rds:StartDBInstance' ? 'started' : 'rebooted'}.`,
    ); // (unverified)
  const status = await boot(ctx, r.data);
  return { DBInstance: dbInstanceOut(updateResource(ctx, r, { status })) };
}

export const rdsOperations: OperationFamily = [
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
        ? [instance(ctx, ref)]
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
      const r = instance(ctx, i.DBInstanceIdentifier);
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
      const r = instance(ctx, ctx.input.DBInstanceIdentifier);
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
      const r = instance(ctx, i.DBInstanceIdentifier);
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
            return instance(ctx, r.data.readReplicaSource!);
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
  serviceOperation(RDS, {
    name: 'CreateDBSnapshot',
    mutates: true,
    resource: snapshotResource('DBSnapshotIdentifier'),
    input: S.struct({ DBSnapshotIdentifier: newIdentifier, DBInstanceIdentifier: identifier }, [
      'DBSnapshotIdentifier',
      'DBInstanceIdentifier',
    ]),
    handler(ctx) {
      const r = instance(ctx, ctx.input.DBInstanceIdentifier);
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
        ? [snapshot(ctx, i.DBSnapshotIdentifier)]
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
      const src = snapshot(ctx, i.SourceDBSnapshotIdentifier);
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
      const s = snapshot(ctx, i.DBSnapshotIdentifier);
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
      const src = instance(ctx, i.SourceDBInstanceIdentifier);
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

/** A manual snapshot of an instance: its key and encrypted data key (no KMS call, unverified). */
function snapshotOf(
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
