/**
 * Amazon Redshift encryption at rest (kms-api.md §15), shapes of `@aws-sdk/client-redshift`: a
 * four-tier key hierarchy rooted in a KMS key —
 *
 *   data block keys → database key → cluster key → KMS key (root)
 *
 * - CreateCluster with `Encrypted` (key: `KmsKeyId`, else `alias/aws/redshift`, created on first
 *   use). Redshift, as the caller through `kms:ViaService = redshift.<region>.amazonaws.com`, calls
 *   DescribeKey, CreateGrant for its Regional principal `redshift.<region>.amazonaws.com`
 *   (constrained to `{"aws:redshift:arn": <cluster ARN>}`, unverified) and GenerateDataKey for the
 *   cluster key with encryption context
 *   `{"aws:redshift:arn": "arn:aws:redshift:<region>:<acct>:cluster:<name>", "aws:redshift:createtime": "<YYYYMMDDTHHMMZ>"}`.
 *   Redshift keeps the KMS-encrypted cluster key; with the plaintext it encrypts a random database
 *   key, which encrypts the data block keys (AES-256-GCM here); every plaintext is then discarded.
 * - RotateEncryptionKey: Decrypt of the current cluster key, a new cluster key (GenerateDataKey,
 *   `createtime` of the rotation — unverified), a new database key, the data block keys re-encrypted
 *   under it.
 * - RebootCluster: Redshift itself, with its grant, decrypts the cluster key.
 * - DeleteCluster: Redshift retires its grant.
 * - DescribeClusters shows the hierarchy as IDs only (`EncryptionKeyHierarchy`, a lab extension),
 *   never key bytes.
 *
 * Errors follow Redshift: `AccessDenied` (unverified) for IAM denials, `UnauthorizedOperation` for
 * KMS denials and `InvalidClusterState` for other KMS failures (unverified), `ClusterNotFound`,
 * `ClusterAlreadyExists`.
 */
import { randomBytes, toHex } from '../crypto/random.ts';
import { KmsError } from '../errors.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import {
  callKms,
  keyArnOf,
  newResource,
  openWithDataKey,
  sealWithDataKey,
  serviceError,
  serviceOperation,
  updateResource,
  type ServiceInfo,
} from './common.ts';
import {
  compactMinute,
  createServiceGrant,
  describeSymmetricKey,
  retireServiceGrant,
  serviceActor,
  type ServiceGrant,
} from './serviceGrants.ts';

export const REDSHIFT: ServiceInfo = {
  actionPrefix: 'redshift',
  endpointPrefix: 'redshift',
  principal: 'redshift.amazonaws.com',
  eventSource: 'redshift.amazonaws.com',
  accessDeniedCode: 'AccessDenied',
  // (unverified) how Redshift words KMS failures to its caller.
  kmsError: (e) =>
    e.code === 'AccessDeniedException'
      ? new KmsError('UnauthorizedOperation', `Redshift cannot use the KMS key: ${e.message}`)
      : new KmsError('InvalidClusterState', `The KMS key cannot be used: ${e.code}: ${e.message}`),
};

export const CLUSTER_KIND = 'redshift:cluster';
export const DEFAULT_REDSHIFT_KEY = 'alias/aws/redshift';
/** (unverified) How many data block keys the simulation keeps per cluster (illustrative). */
export const DATA_BLOCK_KEYS = 4;

interface SealedKey {
  readonly id: string;
  readonly sealed: Uint8Array<ArrayBuffer>;
}

export interface KeyHierarchy {
  readonly clusterKeyId: string;
  /** The cluster key encrypted under the KMS key (GenerateDataKey's CiphertextBlob). */
  readonly encryptedClusterKey: Uint8Array<ArrayBuffer>;
  readonly clusterKeyContext: Readonly<Record<string, string>>;
  /** The database key, encrypted under the cluster key. */
  readonly databaseKey: SealedKey;
  /** The data block keys, encrypted under the database key. */
  readonly dataBlockKeys: readonly SealedKey[];
  readonly createdAt: number;
  readonly rotations: number;
}

export interface ClusterData {
  readonly identifier: string;
  readonly nodeType: string;
  readonly numberOfNodes: number;
  readonly masterUsername: string;
  readonly dbName: string;
  readonly status: 'available';
  readonly encrypted: boolean;
  readonly kmsKeyArn?: string;
  readonly grant?: ServiceGrant;
  readonly hierarchy?: KeyHierarchy;
}

export const clusterArn = (region: string, account: string, name: string): string =>
  `arn:aws:redshift:${region}:${account}:cluster:${name}`;

function cluster(ctx: CallContext, id: string): ResourceRecord<ClusterData> {
  const r = ctx.tx.resource<ClusterData>(clusterArn(ctx.region, ctx.accountId, id.toLowerCase()));
  if (!r || r.kind !== CLUSTER_KIND) throw serviceError('ClusterNotFound', `Cluster ${id} not found.`);
  return r;
}

const keyId = (prefix: string) => `${prefix}-${toHex(randomBytes(8))}`;
const aad = (arn: string, tier: string, id: string) => `${arn}#${tier}#${id}`;

/** The cluster key's encryption context. */
const clusterContext = (arn: string, at: number) => ({
  'aws:redshift:arn': arn,
  'aws:redshift:createtime': compactMinute(at),
});

/** A new cluster key from KMS and a new database key under it; block keys (re)sealed under that. */
async function newHierarchy(
  ctx: CallContext,
  arn: string,
  kmsKeyArn: string,
  blockKeys: readonly { id: string; key: Uint8Array<ArrayBuffer> }[],
  previous?: KeyHierarchy,
): Promise<{ hierarchy: KeyHierarchy; kmsKeyArn: string }> {
  const context = clusterContext(arn, ctx.now);
  const out = await callKms(REDSHIFT, ctx, 'GenerateDataKey', {
    KeyId: kmsKeyArn,
    KeySpec: 'AES_256',
    EncryptionContext: context,
  });
  const clusterKey = out.Plaintext as Uint8Array<ArrayBuffer>;
  const clusterKeyId = keyId('ck');
  const databaseKey = randomBytes(32);
  const databaseKeyId = keyId('dbk');
  const sealedDatabaseKey = await sealWithDataKey(
    clusterKey,
    databaseKey,
    aad(arn, 'database', databaseKeyId),
  );
  const dataBlockKeys = await Promise.all(
    blockKeys.map(async (b) => ({
      id: b.id,
      sealed: await sealWithDataKey(databaseKey, b.key, aad(arn, 'block', b.id)),
    })),
  );
  clusterKey.fill(0);
  databaseKey.fill(0);
  for (const b of blockKeys) b.key.fill(0);
  return {
    kmsKeyArn: keyArnOf(out),
    hierarchy: {
      clusterKeyId,
      encryptedClusterKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
      clusterKeyContext: context,
      databaseKey: { id: databaseKeyId, sealed: sealedDatabaseKey },
      dataBlockKeys,
      createdAt: previous?.createdAt ?? ctx.now,
      rotations: previous ? previous.rotations + 1 : 0,
    },
  };
}

const hierarchyOut = (h: KeyHierarchy, kmsKeyArn: string) => ({
  RootKey: kmsKeyArn,
  ClusterKeyId: h.clusterKeyId,
  ClusterKeyEncryptionContext: { ...h.clusterKeyContext },
  DatabaseKeyId: h.databaseKey.id,
  DataBlockKeyIds: h.dataBlockKeys.map((b) => b.id),
  Rotations: h.rotations,
});

export const clusterOut = (r: ResourceRecord<ClusterData>): Record<string, unknown> => ({
  ClusterIdentifier: r.data.identifier,
  NodeType: r.data.nodeType,
  ClusterStatus: r.data.status,
  ClusterAvailabilityStatus: 'Available',
  MasterUsername: r.data.masterUsername,
  DBName: r.data.dbName,
  ClusterCreateTime: new Date(r.createdAt),
  NumberOfNodes: r.data.numberOfNodes,
  Encrypted: r.data.encrypted,
  ...(r.data.kmsKeyArn ? { KmsKeyId: r.data.kmsKeyArn } : {}),
  ...(r.data.hierarchy && r.data.kmsKeyArn
    ? { EncryptionKeyHierarchy: hierarchyOut(r.data.hierarchy, r.data.kmsKeyArn) }
    : {}),
});

const clusterIdentifier = S.str(1, 63, '^[a-zA-Z][a-zA-Z0-9-]*$');
const clusterResource = (ctx: CallContext) =>
  clusterArn(ctx.region, ctx.accountId, (ctx.input.ClusterIdentifier as string).toLowerCase());
const stripPassword = (ctx: CallContext) => {
  const { MasterUserPassword: _p, ...rest } = ctx.input as Record<string, unknown>;
  void _p;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), v]));
};

export const redshiftOperations: OperationFamily = [
  serviceOperation(REDSHIFT, {
    name: 'CreateCluster',
    mutates: true,
    resource: clusterResource,
    input: S.struct(
      {
        ClusterIdentifier: clusterIdentifier,
        NodeType: S.str(1, 64),
        MasterUsername: S.str(1, 128),
        MasterUserPassword: { ...S.str(8, 64), sensitive: true },
        NumberOfNodes: S.int(1, 128),
        DBName: S.str(1, 64),
        Encrypted: S.bool,
        KmsKeyId: S.str(1, 2048),
      },
      ['ClusterIdentifier', 'NodeType', 'MasterUsername'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const id = (i.ClusterIdentifier as string).toLowerCase();
      const arn = clusterArn(ctx.region, ctx.accountId, id);
      if (ctx.tx.resource(arn)) throw serviceError('ClusterAlreadyExists', 'Cluster already exists');
      if (i.KmsKeyId !== undefined && i.Encrypted !== true)
        throw serviceError(
          'InvalidParameterCombination',
          'KmsKeyId can be specified only when Encrypted is true.',
        ); // (unverified)
      let encryption: Partial<ClusterData> = {};
      if (i.Encrypted === true) {
        const keyArn = await describeSymmetricKey(REDSHIFT, ctx, i.KmsKeyId ?? DEFAULT_REDSHIFT_KEY);
        const grant = await createServiceGrant(REDSHIFT, ctx, keyArn, { 'aws:redshift:arn': arn });
        try {
          const blocks = Array.from({ length: DATA_BLOCK_KEYS }, () => ({
            id: keyId('dbl'),
            key: randomBytes(32),
          }));
          const { hierarchy, kmsKeyArn } = await newHierarchy(ctx, arn, keyArn, blocks);
          encryption = { kmsKeyArn, grant, hierarchy };
        } catch (e) {
          await retireServiceGrant(REDSHIFT, ctx, grant);
          throw e;
        }
      }
      const data: ClusterData = {
        identifier: id,
        nodeType: i.NodeType,
        numberOfNodes: i.NumberOfNodes ?? 1,
        masterUsername: i.MasterUsername,
        dbName: i.DBName ?? 'dev',
        status: 'available',
        encrypted: i.Encrypted === true,
        ...encryption,
      };
      const r = newResource(ctx, CLUSTER_KIND, arn, data);
      ctx.tx.putResource(r);
      return { Cluster: clusterOut(r) };
    },
    trailRequest: stripPassword,
  }),
  serviceOperation(REDSHIFT, {
    name: 'DescribeClusters',
    mutates: false,
    resource: (ctx) =>
      ctx.input.ClusterIdentifier ? clusterResource(ctx) : clusterArn(ctx.region, ctx.accountId, '*'),
    input: S.struct({ ClusterIdentifier: S.str(1, 63) }),
    handler(ctx) {
      const id = ctx.input.ClusterIdentifier as string | undefined;
      const all = id
        ? [cluster(ctx, id)]
        : ctx.tx.resources<ClusterData>(CLUSTER_KIND, ctx.accountId, ctx.region);
      return { Clusters: all.map(clusterOut) };
    },
  }),
  serviceOperation(REDSHIFT, {
    name: 'RotateEncryptionKey',
    mutates: true,
    resource: clusterResource,
    input: S.struct({ ClusterIdentifier: S.str(1, 63) }, ['ClusterIdentifier']),
    async handler(ctx) {
      const r = cluster(ctx, ctx.input.ClusterIdentifier);
      const h = r.data.hierarchy;
      if (!r.data.encrypted || !h || !r.data.kmsKeyArn)
        throw serviceError(
          'InvalidClusterState',
          `Cluster ${r.data.identifier} is not encrypted: there is no encryption key to rotate.`,
        ); // (unverified)
      // Unwrap the old hierarchy: KMS decrypts the cluster key; the rest is local.
      const out = await callKms(REDSHIFT, ctx, 'Decrypt', {
        CiphertextBlob: h.encryptedClusterKey,
        EncryptionContext: { ...h.clusterKeyContext },
        KeyId: r.data.kmsKeyArn,
      });
      const oldClusterKey = out.Plaintext as Uint8Array<ArrayBuffer>;
      const oldDatabaseKey = await openWithDataKey(
        oldClusterKey,
        h.databaseKey.sealed,
        aad(r.arn, 'database', h.databaseKey.id),
      );
      oldClusterKey.fill(0);
      const blocks = await Promise.all(
        h.dataBlockKeys.map(async (b) => ({
          id: b.id,
          key: await openWithDataKey(oldDatabaseKey, b.sealed, aad(r.arn, 'block', b.id)),
        })),
      );
      oldDatabaseKey.fill(0);
      const { hierarchy } = await newHierarchy(ctx, r.arn, r.data.kmsKeyArn, blocks, h);
      return { Cluster: clusterOut(updateResource(ctx, r, { hierarchy })) };
    },
  }),
  serviceOperation(REDSHIFT, {
    name: 'RebootCluster',
    mutates: true,
    resource: clusterResource,
    input: S.struct({ ClusterIdentifier: S.str(1, 63) }, ['ClusterIdentifier']),
    async handler(ctx) {
      const r = cluster(ctx, ctx.input.ClusterIdentifier);
      const h = r.data.hierarchy;
      if (h && r.data.kmsKeyArn) {
        // Redshift loads the cluster key into memory with its own grant.
        const out = await callKms(
          REDSHIFT,
          ctx,
          'Decrypt',
          {
            CiphertextBlob: h.encryptedClusterKey,
            EncryptionContext: { ...h.clusterKeyContext },
            KeyId: r.data.kmsKeyArn,
            ...(r.data.grant ? { GrantTokens: [r.data.grant.grantToken] } : {}),
          },
          { as: serviceActor(REDSHIFT, ctx) },
        );
        (out.Plaintext as Uint8Array).fill(0);
      }
      return { Cluster: { ...clusterOut(r), ClusterStatus: 'rebooting' } };
    },
  }),
  serviceOperation(REDSHIFT, {
    name: 'DeleteCluster',
    mutates: true,
    resource: clusterResource,
    input: S.struct(
      {
        ClusterIdentifier: S.str(1, 63),
        SkipFinalClusterSnapshot: S.bool,
        FinalClusterSnapshotIdentifier: S.str(1, 255),
      },
      ['ClusterIdentifier'],
    ),
    async handler(ctx) {
      const r = cluster(ctx, ctx.input.ClusterIdentifier);
      if (ctx.input.SkipFinalClusterSnapshot !== true)
        throw serviceError(
          'InvalidParameterCombination',
          'FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is specified (final snapshots are not simulated).',
        ); // (unverified)
      await retireServiceGrant(REDSHIFT, ctx, r.data.grant);
      ctx.tx.deleteResource(r.arn);
      return { Cluster: { ...clusterOut(r), ClusterStatus: 'deleting' } };
    },
  }),
];
