/**
 * Custom key store operations (kms-api.md §2.10, §10): CreateCustomKeyStore, ConnectCustomKeyStore,
 * DisconnectCustomKeyStore, DescribeCustomKeyStores, UpdateCustomKeyStore, DeleteCustomKeyStore,
 * for AWS CloudHSM key stores and external key stores (EXTERNAL_KEY_STORE, whose XKS side lives in
 * xks/keyStores.ts); and the CreateKey side of keys in such a store.
 */
import {
  newCustomKeyStoreId,
  keyStoreArn,
  KEY_STORE_KIND,
  keyStores,
  findKeyStore,
  edit,
  findCluster,
  hasTwoActiveAzs,
  synchroniseCluster,
  availableHsms,
  isCloudHsmStore,
  type CloudHsmKeyStore,
  type CustomKeyStore,
  type CustomKeyStoreData,
  type XksKeyStore,
} from '../cloudhsm/model.ts';
import {
  checkXksKey,
  checkXksSettings,
  createKeyInXksStore,
  settingsFrom,
  updatedXksSettings,
  validateXksCreate,
  XKS_MEMBERS,
  type XksInput,
} from '../xks/keyStores.ts';
import { customKeyStoreEntry } from '../cloudhsm/views.ts';
import {
  CONNECT_DELAY_MS,
  disconnectStore,
  keysInStore,
  KeyStoreErr,
  requireUsableCluster,
} from '../cloudhsm/keyStores.ts';
import { Err } from '../errors.ts';
import type { KeySpec } from '../model/enums.ts';
import type { KeyRecord } from '../model/key.ts';
import type { CallContext } from './context.ts';
import { paginate } from './paginate.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';

export const MAX_CUSTOM_KEY_STORES = 10;
const storeId = S.str(1, 64);
const clusterId = S.str(19, 24, '^cluster-[2-7a-zA-Z]{11,16}$');
const password: typeof storeId = { ...S.str(7, 32), sensitive: true };
const xks = {
  XksProxyUriEndpoint: S.str(10, 128, '^https://[a-zA-Z0-9.-]+$'),
  XksProxyUriPath: S.str(10, 128, '^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$'),
  XksProxyVpcEndpointServiceName: S.str(
    20,
    64,
    '^(com|eu)\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$',
  ),
  XksProxyVpcEndpointServiceOwner: S.str(12, 12, '^[0-9]{12}$'),
  XksProxyAuthenticationCredential: S.struct(
    {
      AccessKeyId: { ...S.str(20, 30, '^[A-Z2-7]+$'), sensitive: true },
      RawSecretAccessKey: { ...S.str(43, 64, '^[a-zA-Z0-9\\/+=]+$'), sensitive: true },
    },
    ['AccessKeyId', 'RawSecretAccessKey'],
  ),
  XksProxyConnectivity: S.enum(['PUBLIC_ENDPOINT', 'VPC_ENDPOINT_SERVICE']),
};
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** The store named by CustomKeyStoreId, in the caller's account and Region. */
export function storeFor(ctx: CallContext, id: string): CustomKeyStore {
  const store = findKeyStore(ctx.tx, ctx.accountId, ctx.region, id);
  if (!store) throw KeyStoreErr.notFound(id);
  return store;
}

/** CloudTrail: neither the kmsuser password nor the XKS proxy credential is ever logged. */
const hidePassword = (ctx: CallContext) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx.input as Record<string, unknown>))
    if (v !== undefined)
      out[k.charAt(0).toLowerCase() + k.slice(1)] =
        k === 'KeyStorePassword' || k === 'XksProxyAuthenticationCredential' ? HIDDEN : v;
  return out;
};

const xksGiven = (input: Record<string, unknown>) => XKS_MEMBERS.filter((m) => input[m] !== undefined);

/** Stores a new custom key store (DISCONNECTED) and answers CreateCustomKeyStore. */
function putStore(ctx: CallContext, data: CustomKeyStoreData) {
  ctx.tx.putResource({
    arn: keyStoreArn(ctx.region, ctx.accountId, data.customKeyStoreId),
    kind: KEY_STORE_KIND,
    accountId: ctx.accountId,
    region: ctx.region,
    createdAt: ctx.now,
    data,
  });
  return { CustomKeyStoreId: data.customKeyStoreId };
}

function checkNewName(ctx: CallContext, store: CustomKeyStore, name: string | undefined) {
  if (
    name !== undefined &&
    keyStores(ctx.tx, ctx.accountId, ctx.region).some((s) => s.arn !== store.arn && s.data.name === name)
  )
    throw KeyStoreErr.nameInUse(name);
}

/**
 * UpdateCustomKeyStore on an external key store: the name, and the Xks* settings (the credential
 * and URI path even while CONNECTED; the rest only DISCONNECTED), checked with the proxy.
 */
function updateXksStore(ctx: CallContext, store: XksKeyStore, name: string | undefined) {
  const settings = updatedXksSettings(ctx, store);
  checkNewName(ctx, store, name);
  const s = edit(ctx.tx, store);
  if (name !== undefined) s.data.name = name;
  if (settings) s.data.xks = settings;
  return {};
}

export const customKeyStoreOperations: OperationFamily = [
  {
    name: 'CreateCustomKeyStore',
    action: 'kms:CreateCustomKeyStore',
    readOnly: false,
    mutates: true,
    input: S.struct(
      {
        CustomKeyStoreName: S.str(1, 256),
        CloudHsmClusterId: clusterId,
        TrustAnchorCertificate: S.str(1, 5000),
        KeyStorePassword: password,
        CustomKeyStoreType: S.enum(['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']),
        ...xks,
      },
      ['CustomKeyStoreName'],
    ),
    validate(input) {
      if (input.CustomKeyStoreType === 'EXTERNAL_KEY_STORE') return validateXksCreate(input);
      const stray = xksGiven(input);
      if (stray.length)
        // (unverified) wording.
        throw Err.Validation(
          `${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} valid only for a custom key store of type EXTERNAL_KEY_STORE.`,
        );
      for (const m of ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword'])
        if (input[m] === undefined)
          // (unverified) wording; AWS requires all three for an AWS_CLOUDHSM key store.
          throw Err.Validation(`${m} is required for a custom key store of type AWS_CLOUDHSM.`);
    },
    handler(ctx) {
      const i = ctx.input as {
        CustomKeyStoreName: string;
        CloudHsmClusterId: string;
        TrustAnchorCertificate: string;
        KeyStorePassword: string;
      };
      const existing = keyStores(ctx.tx, ctx.accountId, ctx.region);
      if (existing.length >= MAX_CUSTOM_KEY_STORES)
        throw Err.LimitExceeded(
          `You have reached the limit of ${MAX_CUSTOM_KEY_STORES} custom key stores in this account and Region.`,
        );
      if (existing.some((s) => s.data.name === i.CustomKeyStoreName))
        throw KeyStoreErr.nameInUse(i.CustomKeyStoreName);
      if (ctx.input.CustomKeyStoreType === 'EXTERNAL_KEY_STORE') {
        const settings = settingsFrom(ctx.input as XksInput);
        checkXksSettings(ctx, settings);
        return putStore(ctx, {
          customKeyStoreId: newCustomKeyStoreId(),
          name: i.CustomKeyStoreName,
          type: 'EXTERNAL_KEY_STORE',
          xks: settings,
          connectionState: 'DISCONNECTED',
        });
      }
      const cluster = findCluster(ctx.tx, ctx.accountId, ctx.region, i.CloudHsmClusterId);
      if (!cluster) throw KeyStoreErr.clusterNotFound(i.CloudHsmClusterId);
      if (existing.some((s) => isCloudHsmStore(s) && s.data.cloudHsmClusterId === i.CloudHsmClusterId))
        throw KeyStoreErr.clusterInUse(i.CloudHsmClusterId);
      if (cluster.data.state !== 'ACTIVE') throw KeyStoreErr.clusterNotActive(i.CloudHsmClusterId);
      if (cluster.data.trustAnchor?.trim() !== i.TrustAnchorCertificate.trim())
        throw KeyStoreErr.incorrectTrustAnchor(i.CloudHsmClusterId);
      requireUsableCluster(ctx.tx, ctx.accountId, ctx.region, i.CloudHsmClusterId);
      return putStore(ctx, {
        customKeyStoreId: newCustomKeyStoreId(),
        name: i.CustomKeyStoreName,
        type: 'AWS_CLOUDHSM',
        cloudHsmClusterId: i.CloudHsmClusterId,
        trustAnchorCertificate: i.TrustAnchorCertificate,
        keyStorePassword: i.KeyStorePassword,
        connectionState: 'DISCONNECTED',
      });
    },
    trailRequest: hidePassword,
    trailResponse: (out) => ({ customKeyStoreId: out.CustomKeyStoreId }),
  },
  {
    name: 'ConnectCustomKeyStore',
    action: 'kms:ConnectCustomKeyStore',
    readOnly: false,
    mutates: true,
    input: S.struct({ CustomKeyStoreId: storeId }, ['CustomKeyStoreId']),
    handler(ctx) {
      const store = storeFor(ctx, ctx.input.CustomKeyStoreId);
      const state = store.data.connectionState;
      if (state === 'DISCONNECTING' || state === 'FAILED')
        throw KeyStoreErr.invalidState(
          `Custom key store ${store.data.customKeyStoreId} is ${state}. ${state === 'FAILED' ? 'Disconnect it (DisconnectCustomKeyStore), fix the problem, then connect it again.' : 'Wait until it is DISCONNECTED.'}`,
        );
      // Connecting a store that is connected or connecting succeeds and changes nothing.
      if (state === 'CONNECTED' || state === 'CONNECTING') return {};
      if (isCloudHsmStore(store)) {
        const cluster = findCluster(ctx.tx, ctx.accountId, ctx.region, store.data.cloudHsmClusterId);
        if (cluster && cluster.data.state !== 'ACTIVE')
          throw KeyStoreErr.clusterNotActive(store.data.cloudHsmClusterId);
      }
      // Asynchronous: the attempt completes on the simulated clock (keyStores.ts).
      const s = edit(ctx.tx, store);
      s.data.connectionState = 'CONNECTING';
      delete s.data.connectionErrorCode;
      s.data.connectAt = ctx.now + CONNECT_DELAY_MS;
      return {};
    },
  },
  {
    name: 'DisconnectCustomKeyStore',
    action: 'kms:DisconnectCustomKeyStore',
    readOnly: false,
    mutates: true,
    input: S.struct({ CustomKeyStoreId: storeId }, ['CustomKeyStoreId']),
    handler(ctx) {
      const store = storeFor(ctx, ctx.input.CustomKeyStoreId);
      const state = store.data.connectionState;
      if (state === 'DISCONNECTED' || state === 'DISCONNECTING')
        throw KeyStoreErr.invalidState(`Custom key store ${store.data.customKeyStoreId} is ${state}.`);
      disconnectStore(ctx.tx, store);
      return {};
    },
  },
  {
    name: 'DescribeCustomKeyStores',
    action: 'kms:DescribeCustomKeyStores',
    readOnly: true,
    mutates: false,
    input: S.struct({
      CustomKeyStoreId: storeId,
      CustomKeyStoreName: S.str(1, 256),
      Limit: S.limit,
      Marker: S.marker,
    }),
    validate(input) {
      if (input.CustomKeyStoreId !== undefined && input.CustomKeyStoreName !== undefined)
        // (unverified) wording: the two filters are documented as mutually exclusive.
        throw Err.Validation('Specify either CustomKeyStoreId or CustomKeyStoreName, not both.');
    },
    handler(ctx) {
      const { CustomKeyStoreId: id, CustomKeyStoreName: name } = ctx.input as {
        CustomKeyStoreId?: string;
        CustomKeyStoreName?: string;
      };
      let stores = keyStores(ctx.tx, ctx.accountId, ctx.region);
      if (id !== undefined) stores = stores.filter((s) => s.data.customKeyStoreId === id);
      if (name !== undefined) stores = stores.filter((s) => s.data.name === name);
      if ((id !== undefined || name !== undefined) && stores.length === 0)
        throw KeyStoreErr.notFound(id ?? name!);
      const { page, ...rest } = paginate(stores, ctx.input.Limit, ctx.input.Marker, 1000);
      return { CustomKeyStores: page.map(customKeyStoreEntry), ...rest };
    },
  },
  {
    name: 'UpdateCustomKeyStore',
    action: 'kms:UpdateCustomKeyStore',
    readOnly: false,
    mutates: true,
    input: S.struct(
      {
        CustomKeyStoreId: storeId,
        NewCustomKeyStoreName: S.str(1, 256),
        KeyStorePassword: password,
        CloudHsmClusterId: clusterId,
        ...xks,
      },
      ['CustomKeyStoreId'],
    ),
    handler(ctx) {
      const i = ctx.input as {
        CustomKeyStoreId: string;
        NewCustomKeyStoreName?: string;
        KeyStorePassword?: string;
        CloudHsmClusterId?: string;
      };
      const found = storeFor(ctx, i.CustomKeyStoreId);
      if (!isCloudHsmStore(found)) return updateXksStore(ctx, found as XksKeyStore, i.NewCustomKeyStoreName);
      const store = found;
      const stray = xksGiven(ctx.input);
      if (stray.length)
        // (unverified) wording.
        throw Err.UnsupportedOperation(
          `${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} not valid for custom key store ${store.data.customKeyStoreId} of type AWS_CLOUDHSM.`,
        );
      // Only a rename is allowed while the store is not DISCONNECTED.
      if (
        (i.KeyStorePassword !== undefined || i.CloudHsmClusterId !== undefined) &&
        store.data.connectionState !== 'DISCONNECTED'
      )
        throw KeyStoreErr.invalidState(
          `Custom key store ${store.data.customKeyStoreId} is ${store.data.connectionState}. Disconnect it before changing its password or cluster.`,
        );
      checkNewName(ctx, store, i.NewCustomKeyStoreName);
      if (i.CloudHsmClusterId !== undefined && i.CloudHsmClusterId !== store.data.cloudHsmClusterId) {
        // Simulated clusters have no backup history: only the store's own cluster is related.
        if (!findCluster(ctx.tx, ctx.accountId, ctx.region, i.CloudHsmClusterId))
          throw KeyStoreErr.clusterNotFound(i.CloudHsmClusterId);
        throw KeyStoreErr.clusterNotRelated(i.CloudHsmClusterId);
      }
      if (i.CloudHsmClusterId !== undefined)
        requireUsableCluster(ctx.tx, ctx.accountId, ctx.region, i.CloudHsmClusterId);
      const s = edit(ctx.tx, store);
      if (i.NewCustomKeyStoreName !== undefined) s.data.name = i.NewCustomKeyStoreName;
      if (i.KeyStorePassword !== undefined) s.data.keyStorePassword = i.KeyStorePassword;
      return {};
    },
    trailRequest: hidePassword,
  },
  {
    name: 'DeleteCustomKeyStore',
    action: 'kms:DeleteCustomKeyStore',
    readOnly: false,
    mutates: true,
    input: S.struct({ CustomKeyStoreId: storeId }, ['CustomKeyStoreId']),
    handler(ctx) {
      const store = storeFor(ctx, ctx.input.CustomKeyStoreId);
      if (store.data.connectionState !== 'DISCONNECTED')
        throw KeyStoreErr.invalidState(
          `Custom key store ${store.data.customKeyStoreId} is ${store.data.connectionState}. Disconnect it before deleting it.`,
        );
      if (keysInStore(ctx.tx, store).length > 0) throw KeyStoreErr.hasKeys(store.data.customKeyStoreId);
      ctx.tx.deleteResource(store.arn);
      return {};
    },
  },
];

/**
 * CreateKey with a CustomKeyStoreId (precheck): the Origin of the store's type (AWS_CLOUDHSM or
 * EXTERNAL_KEY_STORE), SYMMETRIC_DEFAULT and single-Region only; the store CONNECTED; then a
 * CloudHSM store's cluster with two active HSMs in different AZs, or an external key store's
 * proxy answering with a usable external key (xks/keyStores.ts).
 */
export function checkCustomKeyStoreKey(ctx: CallContext, spec: KeySpec): void {
  const i = ctx.input as {
    CustomKeyStoreId: string;
    Origin?: string;
    KeyUsage?: string;
    MultiRegion?: boolean;
    XksKeyId?: string;
  };
  const origin = i.Origin ?? 'AWS_KMS';
  if (origin !== 'AWS_CLOUDHSM' && origin !== 'EXTERNAL_KEY_STORE')
    // (unverified) wording.
    throw Err.Validation(
      `Origin ${origin} is not valid with a CustomKeyStoreId: use AWS_CLOUDHSM or EXTERNAL_KEY_STORE.`,
    );
  const store = storeFor(ctx, i.CustomKeyStoreId);
  if (origin !== store.data.type)
    throw Err.UnsupportedOperation(
      `Origin ${origin} is not valid for custom key store ${store.data.customKeyStoreId} of type ${store.data.type}.`,
    );
  // (unverified) wordings: custom key stores hold only symmetric, single-Region keys.
  if (spec !== 'SYMMETRIC_DEFAULT' || (i.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT')
    throw Err.UnsupportedOperation(
      `KeySpec ${spec} is not supported in a custom key store: only SYMMETRIC_DEFAULT keys with KeyUsage ENCRYPT_DECRYPT.`,
    );
  if (i.MultiRegion === true)
    throw Err.UnsupportedOperation('Multi-Region keys cannot be created in a custom key store.');
  if (store.data.connectionState !== 'CONNECTED')
    throw KeyStoreErr.invalidState(
      `Custom key store ${store.data.customKeyStoreId} is ${store.data.connectionState}; it must be CONNECTED to create a KMS key in it.`,
    );
  if (!isCloudHsmStore(store)) return checkXksKey(ctx, store as XksKeyStore, i.XksKeyId);
  const cluster = findCluster(ctx.tx, ctx.accountId, ctx.region, store.data.cloudHsmClusterId);
  if (!cluster) throw KeyStoreErr.clusterNotFound(store.data.cloudHsmClusterId);
  if (!hasTwoActiveAzs(ctx.tx, cluster)) throw KeyStoreErr.invalidConfiguration(cluster.data.clusterId);
}

/**
 * CreateKey's material for a custom key store key. An external key store key gets KMS material
 * as usual and names its external key (xks/keyStores.ts). A CloudHSM key store key gets a 256-bit
 * AES key generated "in the cluster" (kept wrapped in the cluster record) and synchronised to every
 * reachable HSM; the KMS key record keeps only the material's ID and date: its `wrapped` is empty,
 * as the material lives in the HSMs.
 */
export async function createKeyInCustomKeyStore(ctx: CallContext, key: KeyRecord): Promise<void> {
  const found = storeFor(ctx, ctx.input.CustomKeyStoreId);
  if (!isCloudHsmStore(found)) return createKeyInXksStore(ctx, key, found as XksKeyStore);
  const store: CloudHsmKeyStore = found;
  const cluster = findCluster(ctx.tx, ctx.accountId, ctx.region, store.data.cloudHsmClusterId)!;
  const material = await ctx.keyring.newSymmetricMaterial(ctx.now);
  const c = edit(ctx.tx, cluster);
  c.data.keyMaterial.push({
    id: material.id,
    keyArn: key.arn,
    createdAt: ctx.now,
    wrapped: material.wrapped,
  });
  synchroniseCluster(ctx.tx, c);
  key.materials.push({ id: material.id, createdAt: material.createdAt, wrapped: new Uint8Array(0) });
  key.currentMaterialId = material.id;
  key.customKeyStoreId = store.data.customKeyStoreId;
  key.cloudHsmClusterId = cluster.data.clusterId;
  const hsms = availableHsms(ctx.tx, c);
  ctx.servedBy = `key generated in ${cluster.data.clusterId}, synchronised to ${hsms.map((h) => `${h.data.hsmId} (${h.data.availabilityZone})`).join(', ')}`;
}
