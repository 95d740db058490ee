/**
 * The simulated AWS CloudHSM world: clusters, their HSMs, Availability Zone outages and custom key
 * stores, all kept in the world's one generic resource collection (model/resource.ts).
 *
 * - A cluster (`cloudhsm:cluster`) lives in one account and Region; its subnets map to the
 *   Region's Availability Zones. It holds its key material (the HSM keys that back KMS keys)
 *   wrapped under the store's domain key, like the cluster's own backups: the material never
 *   leaves the "HSMs" (views strip it, see views.ts).
 * - An HSM (`cloudhsm:hsm`) sits in one AZ of its cluster and lists the material IDs synchronised
 *   to it. An HSM that is down when a key is created receives it when it comes back; a new HSM
 *   receives all of the cluster's material (CloudHSM clones new HSMs from a backup).
 * - An AZ outage (`lab:az-outage`) is a lab fault: every HSM in that AZ becomes unreachable.
 * - A custom key store (`kms:custom-key-store`) names its cluster and remembers the kmsuser
 *   password KMS logs in with; an external key store (EXTERNAL_KEY_STORE) instead holds its XKS
 *   proxy settings (xks/model.ts).
 */
import { randomBytes } from '../crypto/random.ts';
import type { KeyState } from '../model/enums.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { WorldTx } from '../model/world.ts';
import type { XksProxySettings } from '../xks/model.ts';

export const CLUSTER_KIND = 'cloudhsm:cluster';
export const HSM_KIND = 'cloudhsm:hsm';
export const AZ_OUTAGE_KIND = 'lab:az-outage';
export const KEY_STORE_KIND = 'kms:custom-key-store';

/** CloudHSM v2 ClusterState values this simulation uses. */
export type ClusterState = 'UNINITIALIZED' | 'INITIALIZED' | 'ACTIVE' | 'DEGRADED';
/** CloudHSM v2 HsmState values (CREATE_IN_PROGRESS and DELETE_IN_PROGRESS complete at once here). */
export type HsmState = 'CREATE_IN_PROGRESS' | 'ACTIVE' | 'DEGRADED' | 'DELETE_IN_PROGRESS' | 'DELETED';

/** One HSM key of the cluster: a KMS key's 256-bit AES material, wrapped under the domain key. */
export interface HsmKeyMaterial {
  /** The KMS key material ID. */
  readonly id: string;
  /** The KMS key it backs (the HSM key's label is its key ID). */
  readonly keyArn: string;
  readonly createdAt: number;
  /** AES-GCM(domain key); never leaves the engine (views strip it). */
  readonly wrapped: Uint8Array<ArrayBuffer>;
}

/** The `kmsuser` crypto user (CU) of a cluster. */
export interface KmsUser {
  /** Simulated: the lab keeps the password to check KMS's logins against it. */
  readonly password: string;
  readonly lockedOut: boolean;
}

export interface ClusterData {
  readonly clusterId: string;
  state: ClusterState;
  stateMessage?: string;
  readonly hsmType: string;
  readonly vpcId: string;
  readonly securityGroup: string;
  /** AZ → subnet ID. */
  readonly subnetMapping: Record<string, string>;
  /** The customer's CA certificate (customerCA.crt) given to InitializeCluster. */
  trustAnchor?: string;
  clusterCertificate?: string;
  kmsUser?: KmsUser;
  /** Key material of every KMS key created in this cluster. */
  keyMaterial: HsmKeyMaterial[];
  tags: { Key: string; Value: string }[];
}

export interface HsmData {
  readonly hsmId: string;
  readonly clusterId: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly eniId: string;
  readonly eniIp: string;
  state: HsmState;
  /** Lab fault: the HSM was stopped (unreachable until started again). */
  stopped?: boolean;
  /** IDs of the key materials synchronised to this HSM. */
  materialIds: string[];
}

export type ConnectionState = 'CONNECTED' | 'CONNECTING' | 'FAILED' | 'DISCONNECTED' | 'DISCONNECTING';

interface KeyStoreBase {
  readonly customKeyStoreId: string;
  name: string;
  connectionState: ConnectionState;
  connectionErrorCode?: string;
  /** While CONNECTING: the simulated time the attempt completes. */
  connectAt?: number;
}

export interface CloudHsmKeyStoreData extends KeyStoreBase {
  readonly type: 'AWS_CLOUDHSM';
  cloudHsmClusterId: string;
  trustAnchorCertificate: string;
  /**
   * The kmsuser password KMS logs in with: the KeyStorePassword it was given, until KMS rotates it
   * on each successful connection (kms-api.md §10); then only KMS (and the cluster) knows it.
   */
  keyStorePassword: string;
}

/** An external key store (EXTERNAL_KEY_STORE): its XKS proxy settings (xks/model.ts). */
export interface XksKeyStoreData extends KeyStoreBase {
  readonly type: 'EXTERNAL_KEY_STORE';
  xks: XksProxySettings;
}

export type CustomKeyStoreData = CloudHsmKeyStoreData | XksKeyStoreData;

export type Cluster = ResourceRecord<ClusterData>;
export type Hsm = ResourceRecord<HsmData>;
export type CustomKeyStore = ResourceRecord<CustomKeyStoreData>;
export type CloudHsmKeyStore = ResourceRecord<CloudHsmKeyStoreData>;
export type XksKeyStore = ResourceRecord<XksKeyStoreData>;

export const isCloudHsmStore = (s: CustomKeyStore): s is CloudHsmKeyStore => s.data.type === 'AWS_CLOUDHSM';
export const isXksStore = (s: CustomKeyStore): s is XksKeyStore => s.data.type === 'EXTERNAL_KEY_STORE';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** `cluster-` / `hsm-` IDs: 11 characters of [2-7a-z], as CloudHSM's (e.g. `cluster-igklspoyj5v`). */
export const newBase32Id = (prefix: string, n = 11): string =>
  prefix + Array.from(randomBytes(n), (b) => BASE32[b % 32]).join('');
const hex = (n: number) => Array.from(randomBytes(n), (b) => b.toString(16).padStart(2, '0')).join('');
/** `cks-` + 17 hex, as in the KMS examples (`cks-1234567890abcdef0`). */
export const newCustomKeyStoreId = (): string => `cks-${hex(9).slice(0, 17)}`;
export const newVpcId = (): string => `vpc-${hex(9).slice(0, 17)}`;
export const newSecurityGroupId = (): string => `sg-${hex(9).slice(0, 17)}`;
export const newEniId = (): string => `eni-${hex(9).slice(0, 17)}`;

export const clusterArn = (region: string, accountId: string, clusterId: string): string =>
  `arn:aws:cloudhsm:${region}:${accountId}:cluster/${clusterId}`;
export const hsmArn = (region: string, accountId: string, hsmId: string): string =>
  `arn:aws:cloudhsm:${region}:${accountId}:hsm/${hsmId}`;
export const keyStoreArn = (region: string, accountId: string, id: string): string =>
  `arn:aws:kms:${region}:${accountId}:custom-key-store/${id}`;
export const azOutageArn = (region: string, az: string): string =>
  `arn:aws:ec2:${region}::availability-zone/${az}`;

export const findCluster = (tx: WorldTx, accountId: string, region: string, clusterId: string) =>
  tx.resource<ClusterData>(clusterArn(region, accountId, clusterId));

export const hsmsOf = (tx: WorldTx, cluster: Cluster): Hsm[] =>
  tx
    .resources<HsmData>(HSM_KIND, cluster.accountId, cluster.region)
    .filter((h) => h.data.clusterId === cluster.data.clusterId);

export const isAzDown = (tx: WorldTx, region: string, az: string): boolean =>
  tx.resource(azOutageArn(region, az)) !== undefined;

/** Why an HSM cannot serve calls right now, or undefined when it can. */
export function hsmUnavailability(tx: WorldTx, hsm: Hsm): string | undefined {
  if (hsm.data.state !== 'ACTIVE') return `state ${hsm.data.state}`;
  if (hsm.data.stopped) return 'stopped';
  if (isAzDown(tx, hsm.region, hsm.data.availabilityZone)) return `${hsm.data.availabilityZone} is down`;
  return undefined;
}

export const availableHsms = (tx: WorldTx, cluster: Cluster): Hsm[] =>
  hsmsOf(tx, cluster).filter((h) => hsmUnavailability(tx, h) === undefined);

/** KMS's high-availability rule: at least two active HSMs in different Availability Zones. */
export const hasTwoActiveAzs = (tx: WorldTx, cluster: Cluster): boolean =>
  new Set(availableHsms(tx, cluster).map((h) => h.data.availabilityZone)).size >= 2;

/** Copies a resource so a change can be staged (records in the world are never mutated in place). */
export function edit<T>(tx: WorldTx, r: ResourceRecord<T>): ResourceRecord<T> {
  const copy = structuredClone(r);
  tx.putResource(copy);
  return copy;
}

/**
 * CloudHSM's key synchronisation: every reachable HSM of the cluster receives every key material
 * of the cluster it does not hold yet. Run after any change that may leave an HSM behind.
 */
export function synchroniseCluster(tx: WorldTx, cluster: Cluster): void {
  const ids = cluster.data.keyMaterial.map((m) => m.id);
  for (const hsm of availableHsms(tx, cluster)) {
    const missing = ids.filter((id) => !hsm.data.materialIds.includes(id));
    if (missing.length) edit(tx, hsm).data.materialIds.push(...missing);
  }
}

export const keyStores = (tx: WorldTx, accountId: string, region: string): CustomKeyStore[] =>
  tx.resources<CustomKeyStoreData>(KEY_STORE_KIND, accountId, region);

export const findKeyStore = (tx: WorldTx, accountId: string, region: string, id: string) =>
  tx.resource<CustomKeyStoreData>(keyStoreArn(region, accountId, id));

/** A key's state while its store is disconnected, remembered so that reconnecting restores it. */
export type AvailableState = Extract<KeyState, 'Enabled' | 'Disabled'>;
