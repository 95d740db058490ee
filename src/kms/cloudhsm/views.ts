/**
 * CloudHSM resources as callers see them: CloudHSM v2's `Cluster` and `Hsm` shapes
 * (`@aws-sdk/client-cloudhsm-v2`), and the lab's world view. Key material never appears here,
 * not even wrapped: only the IDs of the materials each HSM holds.
 */
import type { WorldTx } from '../model/world.ts';
import {
  hsmsOf,
  hsmUnavailability,
  type Cluster,
  type CustomKeyStore,
  type Hsm,
  type HsmState,
} from './model.ts';

/** The state CloudHSM reports: a stopped HSM, or one in a lost AZ, is DEGRADED (lab faults). */
function reportedHsmState(tx: WorldTx, hsm: Hsm): { State: HsmState; StateMessage?: string } {
  const why = hsmUnavailability(tx, hsm);
  if (hsm.data.state === 'ACTIVE' && why)
    return { State: 'DEGRADED', StateMessage: `HSM unreachable: ${why} (lab fault)` };
  return { State: hsm.data.state };
}

export function hsmOut(tx: WorldTx, hsm: Hsm): Record<string, unknown> {
  return {
    AvailabilityZone: hsm.data.availabilityZone,
    ClusterId: hsm.data.clusterId,
    SubnetId: hsm.data.subnetId,
    EniId: hsm.data.eniId,
    EniIp: hsm.data.eniIp,
    HsmId: hsm.data.hsmId,
    ...reportedHsmState(tx, hsm),
  };
}

export function clusterOut(tx: WorldTx, cluster: Cluster): Record<string, unknown> {
  const c = cluster.data;
  return {
    BackupPolicy: 'DEFAULT',
    BackupRetentionPolicy: { Type: 'DAYS', Value: '90' },
    ClusterId: c.clusterId,
    CreateTimestamp: new Date(cluster.createdAt),
    Hsms: hsmsOf(tx, cluster).map((h) => hsmOut(tx, h)),
    HsmType: c.hsmType,
    SecurityGroup: c.securityGroup,
    State: c.state,
    ...(c.stateMessage ? { StateMessage: c.stateMessage } : {}),
    SubnetMapping: { ...c.subnetMapping },
    VpcId: c.vpcId,
    NetworkType: 'IPV4',
    Certificates: c.clusterCertificate ? { ClusterCertificate: c.clusterCertificate } : {},
    TagList: c.tags.map((t) => ({ ...t })),
    Mode: 'FIPS',
  };
}

/** The lab's view of a cluster: its HSMs by AZ, their reachability and synchronised materials. */
export interface ClusterView {
  readonly arn: string;
  readonly clusterId: string;
  readonly accountId: string;
  readonly region: string;
  readonly state: string;
  readonly hsmType: string;
  readonly subnetMapping: Readonly<Record<string, string>>;
  readonly initialized: boolean;
  readonly kmsUser?: { readonly exists: true; readonly lockedOut: boolean };
  /** IDs of the key materials the cluster holds, with the KMS key each backs. */
  readonly keyMaterials: readonly {
    readonly id: string;
    readonly keyArn: string;
    readonly createdAt: number;
    /** The KMS key was deleted while KMS could not reach the cluster: the material stayed behind. */
    readonly orphaned?: true;
  }[];
  readonly hsms: readonly HsmView[];
}

export interface HsmView {
  readonly hsmId: string;
  readonly availabilityZone: string;
  readonly state: string;
  readonly stopped: boolean;
  /** Why it cannot serve calls (stopped, AZ down), when it cannot. */
  readonly unavailable?: string;
  readonly materialIds: readonly string[];
}

export function clusterView(tx: WorldTx, cluster: Cluster): ClusterView {
  const c = cluster.data;
  return {
    arn: cluster.arn,
    clusterId: c.clusterId,
    accountId: cluster.accountId,
    region: cluster.region,
    state: c.state,
    hsmType: c.hsmType,
    subnetMapping: { ...c.subnetMapping },
    initialized: c.trustAnchor !== undefined,
    ...(c.kmsUser ? { kmsUser: { exists: true as const, lockedOut: c.kmsUser.lockedOut } } : {}),
    keyMaterials: c.keyMaterial.map(({ id, keyArn, createdAt }) => ({
      id,
      keyArn,
      createdAt,
      ...(tx.key(keyArn) ? {} : { orphaned: true as const }),
    })),
    hsms: hsmsOf(tx, cluster).map((h) => {
      const why = hsmUnavailability(tx, h);
      return {
        hsmId: h.data.hsmId,
        availabilityZone: h.data.availabilityZone,
        state: reportedHsmState(tx, h).State,
        stopped: h.data.stopped === true,
        ...(why ? { unavailable: why } : {}),
        materialIds: [...h.data.materialIds],
      };
    }),
  };
}

/**
 * DescribeCustomKeyStores' CustomKeyStoresListEntry: CloudHsmClusterId and TrustAnchorCertificate
 * for a CloudHSM key store, XksProxyConfiguration (without the secret) for an external key store.
 */
export function customKeyStoreEntry(store: CustomKeyStore): Record<string, unknown> {
  const s = store.data;
  return {
    CustomKeyStoreId: s.customKeyStoreId,
    CustomKeyStoreName: s.name,
    ...(s.type === 'AWS_CLOUDHSM'
      ? { CloudHsmClusterId: s.cloudHsmClusterId, TrustAnchorCertificate: s.trustAnchorCertificate }
      : {}),
    ConnectionState: s.connectionState,
    ...(s.connectionState === 'FAILED' && s.connectionErrorCode
      ? { ConnectionErrorCode: s.connectionErrorCode }
      : {}),
    CreationDate: new Date(store.createdAt),
    CustomKeyStoreType: s.type,
    ...(s.type === 'EXTERNAL_KEY_STORE'
      ? {
          XksProxyConfiguration: {
            Connectivity: s.xks.connectivity,
            AccessKeyId: s.xks.accessKeyId,
            UriEndpoint: s.xks.uriEndpoint,
            UriPath: s.xks.uriPath,
            ...(s.xks.vpcEndpointServiceName !== undefined
              ? { VpcEndpointServiceName: s.xks.vpcEndpointServiceName }
              : {}),
            ...(s.xks.vpcEndpointServiceOwner !== undefined
              ? { VpcEndpointServiceOwner: s.xks.vpcEndpointServiceOwner }
              : {}),
          },
        }
      : {}),
  };
}

/** The lab's view of a custom key store (no password, no XKS secret). */
export interface CustomKeyStoreView {
  readonly customKeyStoreId: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly type: 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
  /** AWS_CLOUDHSM only. */
  readonly cloudHsmClusterId?: string;
  /** EXTERNAL_KEY_STORE only: where KMS reaches its XKS proxy. */
  readonly xksProxy?: {
    readonly connectivity: string;
    readonly uriEndpoint: string;
    readonly uriPath: string;
    readonly vpcEndpointServiceName?: string;
    readonly accessKeyId: string;
  };
  readonly connectionState: string;
  readonly connectionErrorCode?: string;
  /** While CONNECTING: when the attempt completes (simulated epoch ms). */
  readonly connectAt?: number;
}

export const customKeyStoreView = (store: CustomKeyStore): CustomKeyStoreView => ({
  customKeyStoreId: store.data.customKeyStoreId,
  accountId: store.accountId,
  region: store.region,
  name: store.data.name,
  type: store.data.type,
  ...(store.data.type === 'AWS_CLOUDHSM' ? { cloudHsmClusterId: store.data.cloudHsmClusterId } : {}),
  ...(store.data.type === 'EXTERNAL_KEY_STORE'
    ? {
        xksProxy: {
          connectivity: store.data.xks.connectivity,
          uriEndpoint: store.data.xks.uriEndpoint,
          uriPath: store.data.xks.uriPath,
          ...(store.data.xks.vpcEndpointServiceName !== undefined
            ? { vpcEndpointServiceName: store.data.xks.vpcEndpointServiceName }
            : {}),
          accessKeyId: store.data.xks.accessKeyId,
        },
      }
    : {}),
  connectionState: store.data.connectionState,
  ...(store.data.connectionErrorCode ? { connectionErrorCode: store.data.connectionErrorCode } : {}),
  ...(store.data.connectAt !== undefined ? { connectAt: store.data.connectAt } : {}),
});
