/**
 * The simulated RDS world: the service's identity towards KMS, its two resource kinds (DB
 * instances `rds:db` and manual DB snapshots `rds:snapshot`) in the world's one resource
 * collection, their ARNs, and the lookups every RDS operation starts with.
 */
import { KmsError } from '../../errors.ts';
import type { ResourceRecord } from '../../model/resource.ts';
import type { CallContext } from '../../operations/context.ts';
import { isKnownRegion } from '../../world/regions.ts';
import { serviceError, type ServiceInfo } from '../common.ts';
import type { ServiceGrant } from '../serviceGrants.ts';

/** RDS as a caller of KMS: its IAM prefix, service principal and error vocabulary. */
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

/** Resource kind of a DB instance. */
export const DB_INSTANCE_KIND = 'rds:db';
/** Resource kind of a manual DB snapshot. */
export const DB_SNAPSHOT_KIND = 'rds:snapshot';
/** The AWS managed key RDS uses when StorageEncrypted comes without a KmsKeyId. */
export const DEFAULT_RDS_KEY = 'alias/aws/rds';
/** The status of an instance whose data key KMS refused to decrypt. */
export const INACCESSIBLE = 'inaccessible-encryption-credentials';

export type DBInstanceStatus = 'available' | 'stopped' | typeof INACCESSIBLE;

/** A DB instance as RDS stores it. */
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

/** A manual DB snapshot: the instance's storage at a point in time, with its key. */
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

/** `arn:aws:rds:<region>:<account>:db:<id>`. */
export const dbInstanceArn = (region: string, account: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:db:${id}`;
/** `arn:aws:rds:<region>:<account>:snapshot:<id>`. */
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

/** The DB instance an identifier or ARN names, or `DBInstanceNotFound`. */
export function findDBInstance(ctx: CallContext, ref: string): ResourceRecord<DBInstanceData> {
  const { region, id } = parseRef(ctx, ref, 'db');
  const r = ctx.tx.resource<DBInstanceData>(dbInstanceArn(region, ctx.accountId, id));
  if (!r || r.kind !== DB_INSTANCE_KIND)
    throw serviceError('DBInstanceNotFound', `DBInstance ${id} not found.`);
  return r;
}

/** The DB snapshot an identifier or ARN names, or `DBSnapshotNotFound`. */
export function findDBSnapshot(ctx: CallContext, ref: string): ResourceRecord<DBSnapshotData> {
  const { region, id } = parseRef(ctx, ref, 'snapshot');
  const r = ctx.tx.resource<DBSnapshotData>(dbSnapshotArn(region, ctx.accountId, id));
  if (!r || r.kind !== DB_SNAPSHOT_KIND)
    throw serviceError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
  return r;
}

/** `DBInstanceAlreadyExists` unless the (lower-case) identifier is free in the caller's Region. */
export function assertNewInstance(ctx: CallContext, id: string) {
  if (ctx.tx.resource(dbInstanceArn(ctx.region, ctx.accountId, id)))
    throw serviceError('DBInstanceAlreadyExists', 'DB instance already exists');
}

/** `DBSnapshotAlreadyExists` unless the (lower-case) identifier is free in the caller's Region. */
export function assertNewSnapshot(ctx: CallContext, id: string) {
  if (ctx.tx.resource(dbSnapshotArn(ctx.region, ctx.accountId, id)))
    throw serviceError(
      'DBSnapshotAlreadyExists',
      `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
    );
}

/** The encryption context of an instance's storage data key. */
export const dbContext = (dbiResourceId: string) => ({ 'aws:rds:db-id': dbiResourceId });

/** The ARN an operation authorizes against, for an input member holding an instance identifier or ARN. */
export const dbResource = (field: string) => (ctx: CallContext) => {
  const ref = ctx.input[field] as string;
  return RDS_ARN.test(ref) ? ref : dbInstanceArn(ctx.region, ctx.accountId, ref.toLowerCase());
};
/** The ARN an operation authorizes against, for an input member holding a snapshot identifier or ARN. */
export const snapshotResource = (field: string) => (ctx: CallContext) => {
  const ref = ctx.input[field] as string;
  return RDS_ARN.test(ref) ? ref : dbSnapshotArn(ctx.region, ctx.accountId, ref.toLowerCase());
};
