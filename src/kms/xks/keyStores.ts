/**
 * External key stores (EXTERNAL_KEY_STORE, kms-api.md §2.10, §10): the XKS side of the custom key
 * store operations (operations/customKeyStores.ts), of CreateKey, and of the key store routing step
 * (cloudhsm/keyStoreRouting.ts).
 *
 * - CreateCustomKeyStore / UpdateCustomKeyStore check that the proxy API address (endpoint + path),
 *   the endpoint of a VPC store and the VPC endpoint service are not used by another external key
 *   store of the account and Region, then send the proxy a request through the new settings: the
 *   proxy must answer and accept the credential (Xks* exceptions).
 * - Connecting sends the same request on the simulated clock: CONNECTED, or FAILED with the
 *   ConnectionErrorCode of what went wrong (XKS_PROXY_NOT_REACHABLE, INVALID_CREDENTIALS, …).
 * - A KMS key in the store has two backing keys: key material KMS generates and keeps (as for any
 *   key), and the external key named by XksKeyId. Every cryptographic call is routed to the proxy:
 *   the KMS layer is sealed first, then the external key seals the result (double encryption, two
 *   real AES-GCM layers; crypto/symmetric.ts `OuterLayer`). When the proxy cannot serve the call,
 *   the call fails with KMSInvalidStateException (kms-api.md §10) and the store stays CONNECTED.
 *
 * Exception names are AWS's; messages are (unverified) wordings built from the model's exception
 * documentation.
 */
import { KmsError, Err } from '../errors.ts';
import { withOuterLayer, type OuterLayer } from '../crypto/symmetric.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { randomBytes } from '../crypto/random.ts';
import type { KeyRecord } from '../model/key.ts';
import type { CallContext } from '../operations/context.ts';
import { keyStores, isXksStore, type XksKeyStore } from '../cloudhsm/model.ts';
import { KeyStoreErr, keysInStore } from '../cloudhsm/keyStores.ts';
import {
  externalKeyProblem,
  reachProxy,
  hostOf,
  type ExternalKey,
  type ProxyProblem,
  type XksProxy,
  type XksProxySettings,
} from './model.ts';

const xks = (code: string, message: string) => new KmsError(code, message);

export const XksErr = {
  uriInUse: (uri: string) =>
    xks(
      'XksProxyUriInUseException',
      `The external key store proxy API address ${uri} is already associated with another external key store in this Region. Each external key store in a Region must use a unique external key store proxy API address.`,
    ),
  uriEndpointInUse: (endpoint: string) =>
    xks(
      'XksProxyUriEndpointInUseException',
      `The XksProxyUriEndpoint ${endpoint} is already associated with another external key store in this Region. An external key store with VPC_ENDPOINT_SERVICE connectivity needs a private DNS name of its own.`,
    ),
  vpcEndpointServiceInUse: (name: string) =>
    xks(
      'XksProxyVpcEndpointServiceInUseException',
      `The VPC endpoint service ${name} is already associated with another external key store in this Region.`,
    ),
  keyNotFound: (id: string) =>
    xks(
      'XksKeyNotFoundException',
      `The external key store proxy could not find the external key ${id} in its external key manager.`,
    ),
  keyAlreadyInUse: (id: string) =>
    xks(
      'XksKeyAlreadyInUseException',
      `The external key ${id} is already associated with another KMS key in this external key store. Each KMS key in an external key store must be associated with a different external key.`,
    ),
  keyInvalidConfiguration: (id: string, why: string) =>
    xks(
      'XksKeyInvalidConfigurationException',
      `The external key ${id} cannot be used: ${why}. It must be an enabled 256-bit AES symmetric key that can encrypt and decrypt.`,
    ),
} as const;

/** The exception CreateCustomKeyStore and UpdateCustomKeyStore throw when the proxy cannot be used. */
function settingsError(p: ProxyProblem, s: XksProxySettings): KmsError {
  const uri = `${s.uriEndpoint}${s.uriPath}`;
  switch (p.kind) {
    case 'NOT_REACHABLE':
    case 'INVALID_CONFIGURATION':
      return xks(
        'XksProxyUriUnreachableException',
        `KMS was unable to reach the external key store proxy at ${uri} (${p.detail}). The proxy must be reachable before you create the external key store or update its settings.`,
      );
    case 'VPC_ENDPOINT_SERVICE_NOT_FOUND':
      return xks(
        'XksProxyVpcEndpointServiceNotFoundException',
        `KMS could not find the VPC endpoint service ${s.vpcEndpointServiceName} (${p.detail}).`,
      );
    case 'VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION':
      return xks(
        'XksProxyVpcEndpointServiceInvalidConfigurationException',
        `The VPC endpoint service ${s.vpcEndpointServiceName} does not meet the requirements of an external key store: ${p.detail}.`,
      );
    case 'INVALID_CREDENTIALS':
      return xks(
        'XksProxyIncorrectAuthenticationCredentialException',
        `The external key store proxy at ${uri} rejected the authentication credential (access key ID ${s.accessKeyId}).`,
      );
  }
}

/** CreateCustomKeyStore's and UpdateCustomKeyStore's Xks* members. */
export interface XksInput {
  XksProxyConnectivity?: XksProxySettings['connectivity'];
  XksProxyUriEndpoint?: string;
  XksProxyUriPath?: string;
  XksProxyVpcEndpointServiceName?: string;
  XksProxyVpcEndpointServiceOwner?: string;
  XksProxyAuthenticationCredential?: { AccessKeyId: string; RawSecretAccessKey: string };
}

export const XKS_MEMBERS = [
  'XksProxyConnectivity',
  'XksProxyUriEndpoint',
  'XksProxyUriPath',
  'XksProxyVpcEndpointServiceName',
  'XksProxyVpcEndpointServiceOwner',
  'XksProxyAuthenticationCredential',
] as const;
/** Settings UpdateCustomKeyStore may change while the store is connected (kms-api.md §2.10). */
const CHANGEABLE_WHILE_CONNECTED = ['XksProxyUriPath', 'XksProxyAuthenticationCredential'];

/** The settings an input describes, on top of a store's current ones. */
export function settingsFrom(i: XksInput, current?: XksProxySettings): XksProxySettings {
  const connectivity = i.XksProxyConnectivity ?? current?.connectivity ?? 'PUBLIC_ENDPOINT';
  const vpc = connectivity === 'VPC_ENDPOINT_SERVICE';
  const serviceName = i.XksProxyVpcEndpointServiceName ?? current?.vpcEndpointServiceName;
  const owner = i.XksProxyVpcEndpointServiceOwner ?? current?.vpcEndpointServiceOwner;
  return {
    connectivity,
    uriEndpoint: i.XksProxyUriEndpoint ?? current!.uriEndpoint,
    uriPath: i.XksProxyUriPath ?? current!.uriPath,
    ...(vpc && serviceName !== undefined ? { vpcEndpointServiceName: serviceName } : {}),
    ...(vpc && owner !== undefined ? { vpcEndpointServiceOwner: owner } : {}),
    accessKeyId: i.XksProxyAuthenticationCredential?.AccessKeyId ?? current!.accessKeyId,
    rawSecretAccessKey: i.XksProxyAuthenticationCredential?.RawSecretAccessKey ?? current!.rawSecretAccessKey,
  };
}

/** CreateCustomKeyStore's checks of an EXTERNAL_KEY_STORE request that need no world (ValidationException). */
export function validateXksCreate(input: Record<string, unknown>): void {
  // (unverified) wordings: the required members are documented per connectivity.
  for (const m of ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword'])
    if (input[m] !== undefined)
      throw Err.Validation(`${m} is not valid for a custom key store of type EXTERNAL_KEY_STORE.`);
  for (const m of [
    'XksProxyConnectivity',
    'XksProxyUriEndpoint',
    'XksProxyUriPath',
    'XksProxyAuthenticationCredential',
  ])
    if (input[m] === undefined)
      throw Err.Validation(`${m} is required for a custom key store of type EXTERNAL_KEY_STORE.`);
  checkConnectivityMembers(input.XksProxyConnectivity as string, input);
}

function checkConnectivityMembers(connectivity: string, input: Record<string, unknown>) {
  if (connectivity === 'VPC_ENDPOINT_SERVICE' && input.XksProxyVpcEndpointServiceName === undefined)
    throw Err.Validation(
      'XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.',
    );
  if (
    connectivity === 'PUBLIC_ENDPOINT' &&
    (input.XksProxyVpcEndpointServiceName !== undefined ||
      input.XksProxyVpcEndpointServiceOwner !== undefined)
  )
    throw Err.Validation(
      'XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.',
    );
}

/**
 * The proxy settings of a new or updated external key store, checked against the other external
 * key stores of the account and Region, then against the proxy itself.
 */
export function checkXksSettings(ctx: CallContext, s: XksProxySettings, self?: XksKeyStore): void {
  const others = keyStores(ctx.tx, ctx.accountId, ctx.region)
    .filter(isXksStore)
    .filter((o) => o.arn !== self?.arn);
  const uri = (x: XksProxySettings) => `${hostOf(x.uriEndpoint)}${x.uriPath}`;
  if (others.some((o) => uri(o.data.xks) === uri(s))) throw XksErr.uriInUse(`${s.uriEndpoint}${s.uriPath}`);
  // A VPC store's private DNS name is its own; a public store cannot take one.
  if (
    others.some(
      (o) =>
        hostOf(o.data.xks.uriEndpoint) === hostOf(s.uriEndpoint) &&
        (s.connectivity === 'VPC_ENDPOINT_SERVICE' || o.data.xks.connectivity === 'VPC_ENDPOINT_SERVICE'),
    )
  )
    throw XksErr.uriEndpointInUse(s.uriEndpoint);
  if (
    s.vpcEndpointServiceName !== undefined &&
    others.some((o) => o.data.xks.vpcEndpointServiceName === s.vpcEndpointServiceName)
  )
    throw XksErr.vpcEndpointServiceInUse(s.vpcEndpointServiceName);
  const reached = reachProxy(ctx.tx, ctx.accountId, ctx.region, s);
  if ('problem' in reached) throw settingsError(reached.problem, s);
}

/**
 * UpdateCustomKeyStore on an external key store: the new settings (or undefined when no Xks*
 * member changes). The name, the credential and the URI path may change while CONNECTED; the
 * other settings need the store DISCONNECTED.
 */
export function updatedXksSettings(ctx: CallContext, store: XksKeyStore): XksProxySettings | undefined {
  const i = ctx.input as XksInput & Record<string, unknown>;
  for (const m of ['CloudHsmClusterId', 'KeyStorePassword'])
    if (i[m] !== undefined)
      // (unverified) wording.
      throw Err.UnsupportedOperation(
        `${m} is not valid for custom key store ${store.data.customKeyStoreId} of type EXTERNAL_KEY_STORE.`,
      );
  const given = XKS_MEMBERS.filter((m) => i[m] !== undefined);
  if (given.length === 0) return undefined;
  const blocked = given.filter((m) => !CHANGEABLE_WHILE_CONNECTED.includes(m));
  if (blocked.length && store.data.connectionState !== 'DISCONNECTED')
    throw KeyStoreErr.invalidState(
      `Custom key store ${store.data.customKeyStoreId} is ${store.data.connectionState}. Disconnect it before changing ${blocked.join(', ')}.`,
    );
  const next = settingsFrom(i, store.data.xks);
  checkConnectivityMembers(next.connectivity, {
    XksProxyVpcEndpointServiceName: next.vpcEndpointServiceName,
    XksProxyVpcEndpointServiceOwner: next.vpcEndpointServiceOwner,
  });
  checkXksSettings(ctx, next, store);
  return next;
}

const proxyName = (s: XksProxySettings) => `XKS proxy ${s.uriEndpoint}${s.uriPath}`;

/** The proxy of a store, for a request KMS sends it now; a trace hop either way. */
function proxyFor(ctx: CallContext, store: XksKeyStore, fail: (p: ProxyProblem) => KmsError): XksProxy {
  const reached = reachProxy(ctx.tx, store.accountId, store.region, store.data.xks);
  if ('problem' in reached) {
    ctx.hops.push({
      stage: 'keyStore',
      latencyMs: 1,
      label: `${proxyName(store.data.xks)} unavailable: ${reached.problem.detail}`,
      ok: false,
    });
    throw fail(reached.problem);
  }
  return reached.proxy;
}

/**
 * CreateKey in an external key store (precheck, after the checks common to custom key stores):
 * XksKeyId names an existing, usable external key of the proxy, not yet used by another KMS key
 * of the store. Proxy failures surface as CustomKeyStoreInvalidStateException (kms-api.md §10).
 */
export function checkXksKey(ctx: CallContext, store: XksKeyStore, xksKeyId: string | undefined): void {
  if (xksKeyId === undefined)
    // (unverified) wording.
    throw Err.Validation('XksKeyId is required for a KMS key with Origin EXTERNAL_KEY_STORE.');
  const proxy = proxyFor(ctx, store, (p) =>
    KeyStoreErr.invalidState(
      `KMS cannot reach the external key store proxy of custom key store ${store.data.customKeyStoreId}: ${p.detail}.`,
    ),
  );
  const external = proxy.data.externalKeys.find((k) => k.keyId === xksKeyId);
  if (!external) throw XksErr.keyNotFound(xksKeyId);
  const why = externalKeyProblem(external);
  if (why) throw XksErr.keyInvalidConfiguration(xksKeyId, why);
  if (keysInStore(ctx.tx, store).some((k) => k.xksKeyId === xksKeyId)) throw XksErr.keyAlreadyInUse(xksKeyId);
}

/** CreateKey's material for an external key store key: KMS's own layer; the external key is named. */
export async function createKeyInXksStore(
  ctx: CallContext,
  key: KeyRecord,
  store: XksKeyStore,
): Promise<void> {
  const material = await ctx.keyring.newSymmetricMaterial(ctx.now);
  key.materials.push(material);
  key.currentMaterialId = material.id;
  key.customKeyStoreId = store.data.customKeyStoreId;
  key.xksKeyId = ctx.input.XksKeyId as string;
  ctx.servedBy = `KMS key material generated in the AWS KMS HSM fleet; external key ${key.xksKeyId} checked by ${proxyName(store.data.xks)}`;
}

/** The external key's AES-GCM layer: IV (12 bytes) ‖ ciphertext ‖ tag, binding the same AAD. */
function externalLayer(keyring: Keyring, external: ExternalKey): OuterLayer {
  return {
    async seal(inner, additionalData) {
      const iv = randomBytes(12);
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData },
          await keyring.aesKey(external.material),
          inner,
        ),
      );
      const out = new Uint8Array(iv.length + sealed.length);
      out.set(iv);
      out.set(sealed, iv.length);
      return out;
    },
    async open(outer, additionalData) {
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: outer.slice(0, 12), additionalData },
          await keyring.aesKey(external.material),
          outer.slice(12),
        ),
      );
    },
  };
}

/**
 * The routing step for a key in an external key store (its store CONNECTED, checked by the
 * caller): the proxy must answer and hold the external key, usable; the key handed to the handler
 * seals and opens through both layers. The trace names the proxy and the external key.
 */
export function routeToXks(ctx: CallContext, key: KeyRecord, store: XksKeyStore): KeyRecord {
  const storeId = store.data.customKeyStoreId;
  ctx.hops.push({
    stage: 'keyStore',
    latencyMs: 1,
    label: `AWS KMS HSM fleet: KMS key material layer of ${key.keyId}`,
    ok: true,
  });
  // (unverified) wordings: AWS documents KMSInvalidStateException as the generic failure of
  // cryptographic operations on keys in a custom key store, without a fixed message.
  const failure = (why: string) =>
    Err.InvalidState(
      `KMS cannot perform this operation because the external key store proxy of custom key store ${storeId} ${why}.`,
    );
  const proxy = proxyFor(ctx, store, (p) => failure(`did not accept the request: ${p.detail}`));
  const external = proxy.data.externalKeys.find((k) => k.keyId === key.xksKeyId);
  const why = external ? externalKeyProblem(external) : 'cannot find it';
  if (!external || why) {
    ctx.hops.push({
      stage: 'keyStore',
      latencyMs: 1,
      label: `${proxyName(store.data.xks)}: external key ${key.xksKeyId} unusable: ${why}`,
      ok: false,
    });
    throw failure(`cannot use external key ${key.xksKeyId}: ${why}`);
  }
  ctx.servedBy = `${proxyName(store.data.xks)}: external key ${external.keyId} (${storeId})`;
  return withOuterLayer(key, externalLayer(ctx.keyring, external));
}
