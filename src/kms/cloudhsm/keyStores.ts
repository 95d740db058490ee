/**
 * The life of an AWS CloudHSM key store (kms-api.md §2.10, §10): its checks against the cluster,
 * connecting (CONNECTING → CONNECTED or FAILED on the simulated clock), disconnecting (its keys
 * become Unavailable) and reconnecting (they return to the state they had).
 *
 * Exception names are AWS's; their messages are (unverified) wordings built from the model's
 * exception documentation.
 */
import { KmsError } from '../errors.ts';
import type { KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import type { TimedBehaviour } from '../world/scheduler.ts';
import { newHexId } from '../crypto/random.ts';
import { xksConnectionError } from '../xks/model.ts';
import {
  availableHsms,
  edit,
  findCluster,
  findKeyStore,
  hasTwoActiveAzs,
  hsmsOf,
  isCloudHsmStore,
  KEY_STORE_KIND,
  type CloudHsmKeyStore,
  type Cluster,
  type CustomKeyStore,
  type CustomKeyStoreData,
  type XksKeyStore,
} from './model.ts';

/** Simulated time a connection attempt takes (AWS: "can take an extended amount of time"). */
export const CONNECT_DELAY_MS = 60_000;

export const KeyStoreErr = {
  invalidState: (m: string) => new KmsError('CustomKeyStoreInvalidStateException', m),
  notFound: (id: string) =>
    new KmsError(
      'CustomKeyStoreNotFoundException',
      `Custom key store ${id} does not exist in this account and Region.`,
    ),
  nameInUse: (name: string) =>
    new KmsError(
      'CustomKeyStoreNameInUseException',
      `A custom key store with the name ${name} already exists in this account and Region.`,
    ),
  hasKeys: (id: string) =>
    new KmsError(
      'CustomKeyStoreHasCMKsException',
      `Custom key store ${id} contains KMS keys. Delete them (ScheduleKeyDeletion) before deleting the custom key store.`,
    ),
  clusterNotFound: (id: string) =>
    new KmsError(
      'CloudHsmClusterNotFoundException',
      `AWS KMS cannot find the AWS CloudHSM cluster with the specified cluster ID ${id}.`,
    ),
  clusterInUse: (id: string) =>
    new KmsError(
      'CloudHsmClusterInUseException',
      `The AWS CloudHSM cluster ${id} is already associated with a custom key store.`,
    ),
  clusterNotActive: (id: string) =>
    new KmsError(
      'CloudHsmClusterNotActiveException',
      `The AWS CloudHSM cluster ${id} is not active. Initialize and activate the cluster and try again.`,
    ),
  clusterNotRelated: (id: string) =>
    new KmsError(
      'CloudHsmClusterNotRelatedException',
      `The AWS CloudHSM cluster ${id} does not share a backup history with the custom key store's cluster.`,
    ),
  invalidConfiguration: (id: string) =>
    new KmsError(
      'CloudHsmClusterInvalidConfigurationException',
      `The AWS CloudHSM cluster ${id} must contain at least two active HSMs, each in a different Availability Zone.`,
    ),
  incorrectTrustAnchor: (id: string) =>
    new KmsError(
      'IncorrectTrustAnchorException',
      `The trust anchor certificate does not match the trust anchor certificate of AWS CloudHSM cluster ${id}.`,
    ),
} as const;

/** The cluster behind a store, which must exist, be ACTIVE and span two AZs with active HSMs. */
export function requireUsableCluster(
  tx: WorldTx,
  accountId: string,
  region: string,
  clusterId: string,
): Cluster {
  const cluster = findCluster(tx, accountId, region, clusterId);
  if (!cluster) throw KeyStoreErr.clusterNotFound(clusterId);
  if (cluster.data.state !== 'ACTIVE') throw KeyStoreErr.clusterNotActive(clusterId);
  if (!hasTwoActiveAzs(tx, cluster)) throw KeyStoreErr.invalidConfiguration(clusterId);
  return cluster;
}

/** Keys of a custom key store (in every state, pending deletion included). */
export const keysInStore = (tx: WorldTx, store: CustomKeyStore): KeyRecord[] =>
  tx.keysIn(store.accountId, store.region).filter((k) => k.customKeyStoreId === store.data.customKeyStoreId);

/** Disconnects a store now; its keys become Unavailable (keys pending deletion stay so). */
export function disconnectStore(tx: WorldTx, store: CustomKeyStore): void {
  const s = edit(tx, store);
  s.data.connectionState = 'DISCONNECTED';
  delete s.data.connectionErrorCode;
  delete s.data.connectAt;
  for (const key of keysInStore(tx, store)) {
    if (key.state !== 'Enabled' && key.state !== 'Disabled') continue;
    const k = tx.editKey(key.arn);
    k.stateWhenAvailable = key.state;
    k.state = 'Unavailable';
  }
}

/**
 * Why a connection attempt fails (a ConnectionErrorCode), or undefined when KMS can log in as
 * kmsuser to at least one active HSM of the cluster (or, for an external key store, when its XKS
 * proxy answers and accepts the credential: xks/model.ts).
 */
export function connectionError(tx: WorldTx, store: CustomKeyStore): string | undefined {
  if (!isCloudHsmStore(store)) return xksConnectionError(tx, store as XksKeyStore);
  const cluster = findCluster(tx, store.accountId, store.region, store.data.cloudHsmClusterId);
  if (!cluster) return 'CLUSTER_NOT_FOUND';
  if (availableHsms(tx, cluster).length === 0) return 'INSUFFICIENT_CLOUDHSM_HSMS';
  const user = cluster.data.kmsUser;
  if (!user) return 'USER_NOT_FOUND';
  if (user.lockedOut) return 'USER_LOCKED_OUT';
  if (user.password !== store.data.keyStorePassword) return 'INVALID_CREDENTIALS';
  return undefined;
}

/** Completes a connection attempt: CONNECTED (keys available again) or FAILED with its code. */
export function completeConnection(tx: WorldTx, store: CustomKeyStore): void {
  const s = edit(tx, store);
  delete s.data.connectAt;
  const error = connectionError(tx, store);
  if (error) {
    s.data.connectionState = 'FAILED';
    s.data.connectionErrorCode = error;
    return;
  }
  s.data.connectionState = 'CONNECTED';
  delete s.data.connectionErrorCode;
  if (isCloudHsmStore(s)) rotateKmsUserPassword(tx, s);
  for (const key of keysInStore(tx, store)) {
    if (key.state !== 'Unavailable') continue;
    const k = tx.editKey(key.arn);
    k.state = key.stateWhenAvailable ?? 'Enabled';
    delete k.stateWhenAvailable;
  }
}

/**
 * Once logged in, KMS rotates the kmsuser password (kms-api.md §10): from then on only KMS (the
 * store) and the cluster know it, and the password the customer gave no longer logs in. Changing
 * it in the cluster afterwards makes the next connection fail with INVALID_CREDENTIALS.
 */
function rotateKmsUserPassword(tx: WorldTx, store: CloudHsmKeyStore): void {
  const cluster = findCluster(tx, store.accountId, store.region, store.data.cloudHsmClusterId);
  if (!cluster?.data.kmsUser) return;
  const password = `kms-${newHexId(12)}`;
  edit(tx, cluster).data.kmsUser = { ...cluster.data.kmsUser, password };
  store.data.keyStorePassword = password;
}

/** The clock side of ConnectCustomKeyStore: each CONNECTING store completes after CONNECT_DELAY_MS. */
export const customKeyStoreConnection: TimedBehaviour = {
  name: 'custom key store connection',
  upcoming(tx) {
    return tx
      .resources<CustomKeyStoreData>(KEY_STORE_KIND)
      .filter((s) => s.data.connectionState === 'CONNECTING' && s.data.connectAt !== undefined)
      .map((s) => ({
        at: s.data.connectAt!,
        kind: 'ConnectCustomKeyStore',
        // Not a key: the custom key store's (lab) ARN.
        keyArn: s.arn,
        accountId: s.accountId,
        region: s.region,
        description: `Custom key store ${s.data.customKeyStoreId} finishes connecting to ${s.data.type === 'AWS_CLOUDHSM' ? s.data.cloudHsmClusterId : `its XKS proxy ${s.data.xks.uriEndpoint}${s.data.xks.uriPath}`}`,
      }));
  },
  fire(event, ctx) {
    const store = ctx.tx.resource<CustomKeyStoreData>(event.keyArn);
    if (store?.data.connectionState === 'CONNECTING') completeConnection(ctx.tx, store);
  },
};

/**
 * CancelKeyDeletion of a custom key store key: Disabled as for any key (kms-api.md §7) when its
 * store is connected; otherwise Unavailable, and Disabled once the store reconnects (§4 [12][13]).
 */
export function cancelDeletionInStore(tx: WorldTx, key: KeyRecord): void {
  if (!key.customKeyStoreId) return;
  const store = findKeyStore(tx, key.accountId, key.region, key.customKeyStoreId);
  if (store?.data.connectionState === 'CONNECTED') return;
  key.stateWhenAvailable = 'Disabled';
  key.state = 'Unavailable';
}

/**
 * The end of a CloudHSM key's waiting period: KMS makes a best effort to delete its key material
 * from the cluster (kms-api.md §7), which it can only while the store is connected and the cluster
 * exists. Otherwise the material stays in the cluster, orphaned (AWS: delete it with the CloudHSM
 * tools). External keys of an external key store are never touched. Returns what happened.
 */
export function deleteMaterialFromCluster(tx: WorldTx, key: KeyRecord): 'deleted' | 'orphaned' | undefined {
  if (!key.cloudHsmClusterId || !key.customKeyStoreId) return undefined;
  const cluster = findCluster(tx, key.accountId, key.region, key.cloudHsmClusterId);
  if (!cluster?.data.keyMaterial.some((m) => m.keyArn === key.arn)) return undefined;
  const store = findKeyStore(tx, key.accountId, key.region, key.customKeyStoreId);
  if (store?.data.connectionState !== 'CONNECTED') return 'orphaned';
  const gone = new Set(cluster.data.keyMaterial.filter((m) => m.keyArn === key.arn).map((m) => m.id));
  const c = edit(tx, cluster);
  c.data.keyMaterial = c.data.keyMaterial.filter((m) => !gone.has(m.id));
  for (const hsm of hsmsOf(tx, cluster))
    if (hsm.data.materialIds.some((id) => gone.has(id)))
      edit(tx, hsm).data.materialIds = hsm.data.materialIds.filter((id) => !gone.has(id));
  return 'deleted';
}
