/**
 * Read-only views of the simulated services' resources (issue 9), for the lab's Services panel:
 * what the service consoles show (names, encryption settings, the KMS key, grants, counters) and
 * never key material — no plaintext or encrypted data keys, no bucket keys, no sealed values.
 * Object bodies and SecureString values stay encrypted: reading them is a service call
 * (GetObject, GetParameter WithDecryption) that KMS authorizes.
 */
import type { ResourceRecord } from '../model/resource.ts';
import type { WorldTx } from '../model/world.ts';
import type { VolumeData, SnapshotData } from './ebs.ts';
import { EBS_DEFAULTS_KIND, SNAPSHOT_KIND, VOLUME_KIND } from './ebs.ts';
import type { DBInstanceData, DBSnapshotData } from './rds.ts';
import { DB_INSTANCE_KIND, DB_SNAPSHOT_KIND } from './rds.ts';
import type { ClusterData } from './redshift.ts';
import { CLUSTER_KIND } from './redshift.ts';
import type { BucketData, ObjectData } from './s3.ts';
import type { SecretData } from './secretsManager.ts';
import { SECRET_KIND } from './secretsManager.ts';
import type { ParameterData } from './ssm.ts';
import { PARAMETER_KIND } from './ssm.ts';

interface Base {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: number;
}

export interface BucketView extends Base {
  readonly kind: 's3:bucket';
  readonly name: string;
  readonly sseAlgorithm: 'AES256' | 'aws:kms';
  /** As configured (absent: `alias/aws/s3` for SSE-KMS). */
  readonly kmsMasterKeyId?: string;
  readonly bucketKeyEnabled: boolean;
  /** KMS requests S3 made for the bucket, by operation. */
  readonly kmsRequests: Readonly<Record<string, number>>;
  /** Principals for whom S3 holds a bucket key now (ARN → expiry, epoch ms). */
  readonly bucketKeys: Readonly<Record<string, number>>;
}

export interface ObjectView extends Base {
  readonly kind: 's3:object';
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType?: string;
  readonly sse: 'AES256' | 'aws:kms';
  readonly kmsKeyArn?: string;
  readonly bucketKeyEnabled: boolean;
}

export interface VolumeView extends Base {
  readonly kind: 'ec2:volume';
  readonly volumeId: string;
  readonly size: number;
  readonly availabilityZone: string;
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly snapshotId?: string;
  readonly state: 'available' | 'in-use';
  readonly attachment?: {
    readonly instanceId: string;
    readonly device: string;
    readonly attachTime: number;
    readonly grantId?: string;
  };
}

export interface SnapshotView extends Base {
  readonly kind: 'ec2:snapshot';
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSize: number;
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly encryptionContext?: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly sourceSnapshotId?: string;
  readonly sourceRegion?: string;
}

export interface EbsDefaultsView extends Base {
  readonly kind: 'ec2:ebs-encryption-defaults';
  readonly encryptionByDefault: boolean;
  readonly kmsKeyId: string;
}

export interface DBInstanceView extends Base {
  readonly kind: 'rds:db';
  readonly identifier: string;
  readonly dbiResourceId: string;
  readonly engine: string;
  readonly instanceClass: string;
  readonly allocatedStorage: number;
  readonly status: string;
  readonly storageEncrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly grantId?: string;
  readonly readReplicaSource?: string;
  readonly readReplicas: readonly string[];
}

export interface DBSnapshotView extends Base {
  readonly kind: 'rds:snapshot';
  readonly identifier: string;
  readonly instanceIdentifier: string;
  readonly engine: string;
  readonly allocatedStorage: number;
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly sourceSnapshotArn?: string;
  readonly sourceRegion?: string;
}

export interface RedshiftClusterView extends Base {
  readonly kind: 'redshift:cluster';
  readonly identifier: string;
  readonly nodeType: string;
  readonly numberOfNodes: number;
  readonly dbName: string;
  readonly status: string;
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly grantId?: string;
  /** The key hierarchy as IDs only. */
  readonly hierarchy?: {
    readonly clusterKeyId: string;
    readonly clusterKeyContext: Readonly<Record<string, string>>;
    readonly databaseKeyId: string;
    readonly dataBlockKeyIds: readonly string[];
    readonly rotations: number;
  };
}

export interface ParameterView extends Base {
  readonly kind: 'ssm:parameter';
  readonly name: string;
  readonly type: 'String' | 'StringList' | 'SecureString';
  readonly tier: 'Standard' | 'Advanced';
  readonly version: number;
  readonly lastModified: number;
  readonly description?: string;
  /** String and StringList only: a SecureString's value is read with GetParameter WithDecryption. */
  readonly value?: string;
  readonly kmsKeyArn?: string;
  /** SecureString: how the value is protected (Standard: KMS Encrypt; Advanced: a data key). */
  readonly envelope?: boolean;
}

export interface SecretView extends Base {
  readonly kind: 'secretsmanager:secret';
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly versions: readonly {
    readonly versionId: string;
    readonly stages: readonly string[];
    readonly createdAt: number;
    readonly kmsKeyArn: string;
    readonly binary: boolean;
  }[];
}

export type ServiceResourceView =
  | BucketView
  | ObjectView
  | VolumeView
  | SnapshotView
  | EbsDefaultsView
  | DBInstanceView
  | DBSnapshotView
  | RedshiftClusterView
  | ParameterView
  | SecretView;

const base = (r: ResourceRecord): Base => ({
  arn: r.arn,
  accountId: r.accountId,
  region: r.region,
  createdAt: r.createdAt,
});

const opt = <K extends string, V>(k: K, v: V | undefined) =>
  (v === undefined ? {} : { [k]: v }) as Partial<Record<K, V>>;

/** One resource as its view, or undefined for kinds the panel does not show. */
export function serviceResourceView(r: ResourceRecord, now: number): ServiceResourceView | undefined {
  switch (r.kind) {
    case 's3:bucket': {
      const d = r.data as BucketData;
      return {
        ...base(r),
        kind: 's3:bucket',
        name: d.name,
        sseAlgorithm: d.encryption.SSEAlgorithm,
        ...opt('kmsMasterKeyId', d.encryption.KMSMasterKeyID),
        bucketKeyEnabled: d.encryption.BucketKeyEnabled,
        kmsRequests: { ...d.kmsRequests },
        bucketKeys: Object.fromEntries(
          Object.entries(d.bucketKeys)
            .filter(([, k]) => k.expiresAt > now)
            .map(([p, k]) => [p, k.expiresAt]),
        ),
      };
    }
    case 's3:object': {
      const d = r.data as ObjectData;
      return {
        ...base(r),
        kind: 's3:object',
        bucket: d.bucket,
        key: d.key,
        size: d.size,
        etag: d.etag,
        lastModified: d.lastModified,
        ...opt('contentType', d.contentType),
        sse: d.sse,
        ...opt('kmsKeyArn', d.kmsKeyArn),
        bucketKeyEnabled: d.bucketKeyEnabled,
      };
    }
    case VOLUME_KIND: {
      const d = r.data as VolumeData;
      const a = d.attachment;
      return {
        ...base(r),
        kind: 'ec2:volume',
        volumeId: d.volumeId,
        size: d.size,
        availabilityZone: d.availabilityZone,
        encrypted: d.encrypted,
        ...opt('kmsKeyArn', d.kmsKeyArn),
        ...opt('snapshotId', d.snapshotId),
        state: d.state,
        ...(a
          ? {
              attachment: {
                instanceId: a.instanceId,
                device: a.device,
                attachTime: a.attachTime,
                ...opt('grantId', a.grantId),
              },
            }
          : {}),
      };
    }
    case SNAPSHOT_KIND: {
      const d = r.data as SnapshotData;
      return {
        ...base(r),
        kind: 'ec2:snapshot',
        snapshotId: d.snapshotId,
        volumeId: d.volumeId,
        volumeSize: d.volumeSize,
        encrypted: d.encrypted,
        ...opt('kmsKeyArn', d.kmsKeyArn),
        ...opt('encryptionContext', d.dataKeyContext ? { ...d.dataKeyContext } : undefined),
        ...opt('description', d.description),
        ...opt('sourceSnapshotId', d.sourceSnapshotId),
        ...opt('sourceRegion', d.sourceRegion),
      };
    }
    case EBS_DEFAULTS_KIND: {
      const d = r.data as { encryptionByDefault: boolean; kmsKeyId: string };
      return {
        ...base(r),
        kind: 'ec2:ebs-encryption-defaults',
        encryptionByDefault: d.encryptionByDefault,
        kmsKeyId: d.kmsKeyId,
      };
    }
    case DB_INSTANCE_KIND: {
      const d = r.data as DBInstanceData;
      return {
        ...base(r),
        kind: 'rds:db',
        identifier: d.identifier,
        dbiResourceId: d.dbiResourceId,
        engine: d.engine,
        instanceClass: d.instanceClass,
        allocatedStorage: d.allocatedStorage,
        status: d.status,
        storageEncrypted: d.storageEncrypted,
        ...opt('kmsKeyArn', d.kmsKeyArn),
        ...opt('grantId', d.grant?.grantId),
        ...opt('readReplicaSource', d.readReplicaSource),
        readReplicas: [...(d.readReplicas ?? [])],
      };
    }
    case DB_SNAPSHOT_KIND: {
      const d = r.data as DBSnapshotData;
      return {
        ...base(r),
        kind: 'rds:snapshot',
        identifier: d.identifier,
        instanceIdentifier: d.instanceIdentifier,
        engine: d.engine,
        allocatedStorage: d.allocatedStorage,
        encrypted: d.encrypted,
        ...opt('kmsKeyArn', d.kmsKeyArn),
        ...opt('sourceSnapshotArn', d.sourceSnapshotArn),
        ...opt('sourceRegion', d.sourceRegion),
      };
    }
    case CLUSTER_KIND: {
      const d = r.data as ClusterData;
      const h = d.hierarchy;
      return {
        ...base(r),
        kind: 'redshift:cluster',
        identifier: d.identifier,
        nodeType: d.nodeType,
        numberOfNodes: d.numberOfNodes,
        dbName: d.dbName,
        status: d.status,
        encrypted: d.encrypted,
        ...opt('kmsKeyArn', d.kmsKeyArn),
        ...opt('grantId', d.grant?.grantId),
        ...(h
          ? {
              hierarchy: {
                clusterKeyId: h.clusterKeyId,
                clusterKeyContext: { ...h.clusterKeyContext },
                databaseKeyId: h.databaseKey.id,
                dataBlockKeyIds: h.dataBlockKeys.map((b) => b.id),
                rotations: h.rotations,
              },
            }
          : {}),
      };
    }
    case PARAMETER_KIND: {
      const d = r.data as ParameterData;
      return {
        ...base(r),
        kind: 'ssm:parameter',
        name: d.name,
        type: d.type,
        tier: d.tier,
        version: d.version,
        lastModified: d.lastModified,
        ...opt('description', d.description),
        ...(d.type === 'SecureString' ? {} : opt('value', d.value)),
        ...opt('kmsKeyArn', d.kmsKeyArn),
        ...(d.type === 'SecureString' ? { envelope: d.encryptedDataKey !== undefined } : {}),
      };
    }
    case SECRET_KIND: {
      const d = r.data as SecretData;
      return {
        ...base(r),
        kind: 'secretsmanager:secret',
        name: d.name,
        ...opt('description', d.description),
        ...opt('kmsKeyId', d.kmsKeyId),
        versions: d.versions.map((v) => ({
          versionId: v.versionId,
          stages: [...v.stages],
          createdAt: v.createdAt,
          kmsKeyArn: v.kmsKeyArn,
          binary: v.binary,
        })),
      };
    }
  }
  return undefined;
}

/** Every service resource of the world (all accounts and Regions), oldest first. */
export function serviceResourceViews(tx: WorldTx, now: number): ServiceResourceView[] {
  const out: ServiceResourceView[] = [];
  for (const kind of SERVICE_RESOURCE_KINDS)
    for (const r of tx.resources(kind)) {
      const v = serviceResourceView(r, now);
      if (v) out.push(v);
    }
  return out.sort((a, b) => a.createdAt - b.createdAt || a.arn.localeCompare(b.arn));
}

export const SERVICE_RESOURCE_KINDS = [
  's3:bucket',
  's3:object',
  VOLUME_KIND,
  SNAPSHOT_KIND,
  EBS_DEFAULTS_KIND,
  DB_INSTANCE_KIND,
  DB_SNAPSHOT_KIND,
  CLUSTER_KIND,
  PARAMETER_KIND,
  SECRET_KIND,
] as const;
