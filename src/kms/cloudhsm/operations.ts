/**
 * A small simulated AWS CloudHSM v2 API, called through the engine like KMS operations and named
 * `cloudhsm:<Action>` (`kms.cloudHsm('CreateCluster', …)`, or `BaldrApiService.<Action>` on the wire):
 * CreateCluster, DescribeClusters, InitializeCluster, CreateHsm, DeleteHsm, DeleteCluster.
 * Inputs and outputs follow `@aws-sdk/client-cloudhsm-v2`; errors are CloudHSM's
 * (CloudHsmInvalidRequestException, CloudHsmResourceNotFoundException). Logged in CloudTrail with
 * `eventSource: cloudhsm.amazonaws.com`.
 *
 * Simulation choices (documented, not AWS facts):
 * - No VPC model: the i-th distinct subnet ID given to CreateCluster lies in the Region's i-th AZ.
 * - Cluster and HSM creation and deletion complete at once (CloudHSM takes minutes): a new cluster
 *   is UNINITIALIZED, a new HSM ACTIVE, and a deleted HSM is gone.
 * - InitializeCluster (SignedCert + TrustAnchor) makes the cluster INITIALIZED; activating it (the
 *   CloudHSM CLI's `cluster activate`) and managing the `kmsuser` crypto user are lab calls
 *   (labOperations.ts), as this lab has no CloudHSM CLI. Certificates are not cryptographically
 *   checked: they must be PEM certificates, and the trust anchor is kept for KMS to compare.
 * - Error messages are (unverified) wordings; the exception names are CloudHSM's.
 */
import { KmsError } from '../errors.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily, OperationSpec } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { REGIONS } from '../world/regions.ts';
import {
  clusterArn,
  CLUSTER_KIND,
  edit,
  findCluster,
  hsmArn,
  hsmsOf,
  HSM_KIND,
  newBase32Id,
  newEniId,
  newSecurityGroupId,
  newVpcId,
  synchroniseCluster,
  type Cluster,
  type ClusterData,
  type HsmData,
} from './model.ts';
import { clusterOut, hsmOut } from './views.ts';
import { answeredBy, CLOUDHSM_ENDPOINT } from './endpoints.ts';

export const invalidRequest = (m: string) => new KmsError('CloudHsmInvalidRequestException', m);
export const resourceNotFound = (m: string) => new KmsError('CloudHsmResourceNotFoundException', m);

const clusterIdShape = S.str(undefined, undefined, '^cluster-[2-7a-zA-Z]{11,16}$');
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/;
export const MAX_HSMS_PER_CLUSTER = 28;

/** The cluster named in the input, in the caller's account and Region. */
export function clusterFor(ctx: CallContext, clusterId: string): Cluster {
  const cluster = findCluster(ctx.tx, ctx.accountId, ctx.region, clusterId);
  if (!cluster) throw resourceNotFound(`The cluster ${clusterId} does not exist.`);
  return cluster;
}

function cloudHsm(spec: Omit<OperationSpec, 'action' | 'readOnly' | 'eventSource'>): OperationSpec {
  return {
    ...spec,
    name: `cloudhsm:${spec.name}`,
    action: `cloudhsm:${spec.name}`,
    readOnly: !spec.mutates,
    eventSource: 'cloudhsm.amazonaws.com',
    prepare: answeredBy((ctx) => CLOUDHSM_ENDPOINT(ctx.region)),
  };
}

export const cloudHsmOperations: OperationFamily = [
  cloudHsm({
    name: 'CreateCluster',
    mutates: true,
    input: S.struct(
      {
        HsmType: S.str(undefined, 32, '^((p|)hsm[0-9][a-z.]*\\.[a-zA-Z]+)$'),
        SubnetIds: S.list(S.str(undefined, undefined, '^subnet-[0-9a-fA-F]{8,17}$'), 1, 10),
        SourceBackupId: S.str(),
        BackupRetentionPolicy: S.struct({ Type: S.enum(['DAYS']), Value: S.str(1, 3) }),
        NetworkType: S.enum(['IPV4', 'DUALSTACK']),
        Mode: S.enum(['FIPS', 'NON_FIPS']),
        TagList: S.list(S.struct({ Key: S.str(1, 128), Value: S.str(0, 256) }, ['Key', 'Value']), 1, 50),
      },
      ['HsmType', 'SubnetIds'],
    ),
    handler(ctx) {
      const i = ctx.input as { HsmType: string; SubnetIds: string[]; SourceBackupId?: string };
      if (i.SourceBackupId !== undefined)
        throw invalidRequest('Restoring a cluster from a backup is not simulated in KMS Lab.');
      const subnets = [...new Set(i.SubnetIds)];
      const azs = REGIONS.find((r) => r.name === ctx.region)!.availabilityZones;
      if (subnets.length > azs.length)
        throw invalidRequest(`The subnets must be in different Availability Zones of ${ctx.region}.`);
      const clusterId = newBase32Id('cluster-');
      const data: ClusterData = {
        clusterId,
        state: 'UNINITIALIZED',
        hsmType: i.HsmType,
        vpcId: newVpcId(),
        securityGroup: newSecurityGroupId(),
        // Simulated VPC: the i-th subnet lies in the Region's i-th Availability Zone.
        subnetMapping: Object.fromEntries(subnets.map((s, n) => [azs[n]!, s])),
        keyMaterial: [],
        tags: [...((ctx.input.TagList as { Key: string; Value: string }[] | undefined) ?? [])],
      };
      const cluster: Cluster = {
        arn: clusterArn(ctx.region, ctx.accountId, clusterId),
        kind: CLUSTER_KIND,
        accountId: ctx.accountId,
        region: ctx.region,
        createdAt: ctx.now,
        data,
      };
      ctx.tx.putResource(cluster);
      return { Cluster: clusterOut(ctx.tx, cluster) };
    },
    trailResponse: (out) => ({ cluster: { clusterId: (out.Cluster as { ClusterId: string }).ClusterId } }),
  }),
  cloudHsm({
    name: 'DescribeClusters',
    mutates: false,
    input: S.struct({
      Filters: S.map(S.list(S.str())),
      NextToken: S.str(undefined, 256),
      MaxResults: S.int(1, 100),
    }),
    handler(ctx) {
      const filters = (ctx.input.Filters ?? {}) as Record<string, string[]>;
      for (const name of Object.keys(filters))
        if (!['clusterIds', 'vpcIds', 'states'].includes(name))
          throw invalidRequest(`Invalid filter name: ${name}`);
      const clusters = ctx.tx
        .resources<ClusterData>(CLUSTER_KIND, ctx.accountId, ctx.region)
        .filter(
          (c) =>
            (!filters.clusterIds || filters.clusterIds.includes(c.data.clusterId)) &&
            (!filters.vpcIds || filters.vpcIds.includes(c.data.vpcId)) &&
            (!filters.states || filters.states.includes(c.data.state)),
        );
      const start = ctx.input.NextToken ? Number(atobSafe(ctx.input.NextToken)) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalidRequest('Invalid NextToken.');
      const max = (ctx.input.MaxResults as number | undefined) ?? 100;
      const page = clusters.slice(start, start + max);
      return {
        Clusters: page.map((c) => clusterOut(ctx.tx, c)),
        ...(start + max < clusters.length ? { NextToken: btoa(String(start + max)) } : {}),
      };
    },
  }),
  cloudHsm({
    name: 'InitializeCluster',
    mutates: true,
    input: S.struct(
      { ClusterId: clusterIdShape, SignedCert: S.str(undefined, 5000), TrustAnchor: S.str(undefined, 5000) },
      ['ClusterId', 'SignedCert', 'TrustAnchor'],
    ),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      if (cluster.data.state !== 'UNINITIALIZED')
        throw invalidRequest(
          `The cluster ${cluster.data.clusterId} is in state ${cluster.data.state}; only an UNINITIALIZED cluster can be initialized.`,
        );
      if (hsmsOf(ctx.tx, cluster).length === 0)
        throw invalidRequest(
          `The cluster ${cluster.data.clusterId} has no HSM: create one before initializing the cluster.`,
        );
      for (const [name, pem] of [
        ['SignedCert', ctx.input.SignedCert],
        ['TrustAnchor', ctx.input.TrustAnchor],
      ] as const)
        if (!PEM_CERTIFICATE.test(pem)) throw invalidRequest(`${name} is not a PEM-encoded certificate.`);
      const c = edit(ctx.tx, cluster);
      c.data.state = 'INITIALIZED';
      c.data.trustAnchor = ctx.input.TrustAnchor;
      c.data.clusterCertificate = ctx.input.SignedCert;
      c.data.stateMessage = 'Cluster initialized; activate it to use it (KmsLab.ActivateCluster).';
      return { State: c.data.state, StateMessage: c.data.stateMessage };
    },
  }),
  cloudHsm({
    name: 'CreateHsm',
    mutates: true,
    input: S.struct(
      {
        ClusterId: clusterIdShape,
        AvailabilityZone: S.str(
          undefined,
          undefined,
          '^[a-z]{2}(-(gov))?-(east|west|north|south|central){1,2}-\\d[a-z]$',
        ),
        IpAddress: S.str(undefined, undefined, '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$'),
      },
      ['ClusterId', 'AvailabilityZone'],
    ),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      const az = ctx.input.AvailabilityZone as string;
      const subnetId = cluster.data.subnetMapping[az];
      if (!subnetId)
        throw invalidRequest(
          `The cluster ${cluster.data.clusterId} has no subnet in Availability Zone ${az}.`,
        );
      const existing = hsmsOf(ctx.tx, cluster);
      if (existing.length >= MAX_HSMS_PER_CLUSTER)
        throw invalidRequest(
          `The cluster ${cluster.data.clusterId} already has ${MAX_HSMS_PER_CLUSTER} HSMs.`,
        );
      const azIndex = Object.keys(cluster.data.subnetMapping).indexOf(az);
      const hsmId = newBase32Id('hsm-');
      const data: HsmData = {
        hsmId,
        clusterId: cluster.data.clusterId,
        availabilityZone: az,
        subnetId,
        eniId: newEniId(),
        eniIp: ctx.input.IpAddress ?? `10.0.${azIndex}.${10 + existing.length}`,
        // Simulated: creation completes at once (CloudHSM reports CREATE_IN_PROGRESS for minutes).
        state: 'ACTIVE',
        // A new HSM is cloned from the cluster's latest backup: it holds every key of the cluster.
        materialIds: [],
      };
      const hsm = {
        arn: hsmArn(ctx.region, ctx.accountId, hsmId),
        kind: HSM_KIND,
        accountId: ctx.accountId,
        region: ctx.region,
        createdAt: ctx.now,
        data,
      };
      ctx.tx.putResource(hsm);
      synchroniseCluster(ctx.tx, cluster);
      return { Hsm: hsmOut(ctx.tx, ctx.tx.resource<HsmData>(hsm.arn)!) };
    },
    trailResponse: (out) => ({ hsm: { hsmId: (out.Hsm as { HsmId: string }).HsmId } }),
  }),
  cloudHsm({
    name: 'DeleteHsm',
    mutates: true,
    input: S.struct(
      {
        ClusterId: clusterIdShape,
        HsmId: S.str(undefined, undefined, '^hsm-[2-7a-zA-Z]{11,16}$'),
        EniId: S.str(),
        EniIp: S.str(),
      },
      ['ClusterId'],
    ),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      const { HsmId, EniId, EniIp } = ctx.input as { HsmId?: string; EniId?: string; EniIp?: string };
      if ([HsmId, EniId, EniIp].filter((v) => v !== undefined).length !== 1)
        throw invalidRequest('Specify exactly one of HsmId, EniId or EniIp.');
      const hsm = hsmsOf(ctx.tx, cluster).find(
        (h) => h.data.hsmId === HsmId || h.data.eniId === EniId || h.data.eniIp === EniIp,
      );
      if (!hsm)
        throw resourceNotFound(
          `The HSM ${HsmId ?? EniId ?? EniIp} does not exist in cluster ${cluster.data.clusterId}.`,
        );
      ctx.tx.deleteResource(hsm.arn);
      return { HsmId: hsm.data.hsmId };
    },
    trailResponse: (out) => ({ hsmId: out.HsmId }),
  }),
  cloudHsm({
    name: 'DeleteCluster',
    mutates: true,
    input: S.struct({ ClusterId: clusterIdShape }, ['ClusterId']),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      if (hsmsOf(ctx.tx, cluster).length > 0)
        throw invalidRequest(
          `The cluster ${cluster.data.clusterId} still has HSMs: delete them before deleting the cluster.`,
        );
      const out = { ...clusterOut(ctx.tx, cluster), State: 'DELETED' };
      ctx.tx.deleteResource(cluster.arn);
      // A custom key store keeps naming a deleted cluster: connecting then fails (CLUSTER_NOT_FOUND).
      return { Cluster: out };
    },
    trailResponse: (out) => ({ cluster: { clusterId: (out.Cluster as { ClusterId: string }).ClusterId } }),
  }),
];

function atobSafe(s: string): string {
  try {
    return atob(s);
  } catch {
    return 'x';
  }
}
