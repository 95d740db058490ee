/**
 * The simulated world behind external key stores (EXTERNAL_KEY_STORE, kms-api.md §2.10, §10): the
 * customer's XKS proxies and the external key manager each one fronts.
 *
 * - An XKS proxy (`lab:xks-proxy`) is a lab resource: the proxy at `https://<host><path>`, reached
 *   either on a public endpoint or through a VPC endpoint service of the store's Region, with the
 *   authentication credential KMS must sign its requests with (the proxy's, reported to KMS in
 *   XksProxyAuthenticationCredential) and its availability (a stopped proxy is unreachable).
 *   Created and broken by lab calls (xks/labOperations.ts); a host serves one proxy.
 * - Its external key manager holds the external keys: AES keys (256-bit to be usable; others exist
 *   to show XksKeyInvalidConfigurationException), wrapped under the domain key like any material.
 *   They never leave the manager: views strip them (xks/views.ts).
 * - An external key store keeps the proxy settings it was given (`XksProxySettings`); KMS reaches the
 *   proxy only through them (`reachProxy`), so a wrong setting, a stopped proxy or a changed
 *   credential shows at the next request KMS sends.
 */
import type { KeyMaterialRecord } from '../model/key.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { WorldTx } from '../model/world.ts';

export const XKS_PROXY_KIND = 'lab:xks-proxy';

export type XksConnectivity = 'PUBLIC_ENDPOINT' | 'VPC_ENDPOINT_SERVICE';

/** What an external key store knows of its proxy (CreateCustomKeyStore's Xks* parameters). */
export interface XksProxySettings {
  connectivity: XksConnectivity;
  /** `https://<host>` (port 443 implied). */
  uriEndpoint: string;
  /** `/[prefix/]kms/xks/v1`. */
  uriPath: string;
  vpcEndpointServiceName?: string;
  vpcEndpointServiceOwner?: string;
  accessKeyId: string;
  /** Simulated: kept to sign requests; never shown (DescribeCustomKeyStores, views, CloudTrail). */
  rawSecretAccessKey: string;
}

export interface XksCredential {
  readonly accessKeyId: string;
  readonly rawSecretAccessKey: string;
}

export type ExternalKeySpec = 'AES_256' | 'AES_128';

/** A key of the external key manager. */
export interface ExternalKey {
  readonly keyId: string;
  readonly keySpec: ExternalKeySpec;
  enabled: boolean;
  readonly createdAt: number;
  /** The AES key, wrapped under the domain key; never leaves the engine (views strip it). */
  readonly material: KeyMaterialRecord;
}

export interface XksProxyData {
  readonly uriEndpoint: string;
  readonly uriPath: string;
  readonly connectivity: XksConnectivity;
  /** VPC_ENDPOINT_SERVICE: the endpoint service in front of the proxy (its private DNS name is the host). */
  readonly vpcEndpointServiceName?: string;
  /** The credential the proxy accepts. */
  credential: XksCredential;
  /** Lab fault: the proxy is down (unreachable) until started again. */
  stopped?: boolean;
  externalKeys: ExternalKey[];
}

export type XksProxy = ResourceRecord<XksProxyData>;

export const hostOf = (uriEndpoint: string): string => uriEndpoint.replace(/^https:\/\//, '').toLowerCase();

/** A proxy is named by its host, unique in the whole lab world. */
export const xksProxyArn = (region: string, accountId: string, uriEndpoint: string): string =>
  `arn:aws:kmslab:${region}:${accountId}:xks-proxy/${hostOf(uriEndpoint)}`;

export const xksProxies = (tx: WorldTx, accountId?: string, region?: string): XksProxy[] =>
  tx.resources<XksProxyData>(XKS_PROXY_KIND, accountId, region);

export const proxyAtHost = (tx: WorldTx, uriEndpoint: string): XksProxy | undefined =>
  xksProxies(tx).find((p) => hostOf(p.data.uriEndpoint) === hostOf(uriEndpoint));

/** Why KMS cannot use a proxy through a store's settings. */
export type ProxyProblemKind =
  | 'NOT_REACHABLE'
  | 'VPC_ENDPOINT_SERVICE_NOT_FOUND'
  | 'VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION'
  | 'INVALID_CONFIGURATION'
  | 'INVALID_CREDENTIALS';

export interface ProxyProblem {
  readonly kind: ProxyProblemKind;
  readonly detail: string;
}

/** The ConnectionErrorCode each problem gives a connection attempt (kms-api.md §10). */
export const CONNECTION_ERROR: Record<ProxyProblemKind, string> = {
  NOT_REACHABLE: 'XKS_PROXY_NOT_REACHABLE',
  VPC_ENDPOINT_SERVICE_NOT_FOUND: 'XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND',
  VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION: 'XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION',
  INVALID_CONFIGURATION: 'XKS_PROXY_INVALID_CONFIGURATION',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
};

/**
 * KMS sending a request to the proxy through a store's settings (in the store's account and
 * Region): the proxy that answers, or why none does. In order: the VPC endpoint service (found in
 * the Region under its owner, with the endpoint's private DNS name as host) or the public host;
 * the proxy running; the URI path; the credential (SigV4 with the access key ID and secret).
 */
export function reachProxy(
  tx: WorldTx,
  accountId: string,
  region: string,
  s: XksProxySettings,
): { proxy: XksProxy } | { problem: ProxyProblem } {
  const fail = (kind: ProxyProblemKind, detail: string) => ({ problem: { kind, detail } });
  let proxy: XksProxy | undefined;
  if (s.connectivity === 'VPC_ENDPOINT_SERVICE') {
    const owner = s.vpcEndpointServiceOwner ?? accountId;
    proxy = xksProxies(tx, owner, region).find(
      (p) => p.data.vpcEndpointServiceName === s.vpcEndpointServiceName,
    );
    if (!proxy)
      return fail(
        'VPC_ENDPOINT_SERVICE_NOT_FOUND',
        `no VPC endpoint service ${s.vpcEndpointServiceName} owned by ${owner} in ${region}`,
      );
    if (hostOf(proxy.data.uriEndpoint) !== hostOf(s.uriEndpoint))
      return fail(
        'VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION',
        `the private DNS name of ${s.vpcEndpointServiceName} is ${hostOf(proxy.data.uriEndpoint)}, not ${hostOf(s.uriEndpoint)}`,
      );
  } else {
    proxy = proxyAtHost(tx, s.uriEndpoint);
    if (!proxy || proxy.data.connectivity !== 'PUBLIC_ENDPOINT')
      return fail('NOT_REACHABLE', `nothing answers at ${s.uriEndpoint} on the internet`);
  }
  if (proxy.data.stopped) return fail('NOT_REACHABLE', `the XKS proxy at ${s.uriEndpoint} is down`);
  if (proxy.data.uriPath !== s.uriPath)
    return fail('INVALID_CONFIGURATION', `the proxy answers at ${proxy.data.uriPath}, not ${s.uriPath}`);
  const c = proxy.data.credential;
  if (c.accessKeyId !== s.accessKeyId || c.rawSecretAccessKey !== s.rawSecretAccessKey)
    return fail('INVALID_CREDENTIALS', `the proxy rejects the authentication credential ${s.accessKeyId}`);
  return { proxy };
}

/** Why an external key cannot back a KMS key: AES-256, enabled (it always allows encrypt and decrypt). */
export function externalKeyProblem(key: ExternalKey): string | undefined {
  if (key.keySpec !== 'AES_256') return `it is an ${key.keySpec} key, not a 256-bit AES key`;
  if (!key.enabled) return 'it is disabled';
  return undefined;
}

/** Why a connection attempt to an external key store fails (a ConnectionErrorCode), or undefined. */
export function xksConnectionError(
  tx: WorldTx,
  store: { accountId: string; region: string; data: { xks: XksProxySettings } },
): string | undefined {
  const reached = reachProxy(tx, store.accountId, store.region, store.data.xks);
  return 'problem' in reached ? CONNECTION_ERROR[reached.problem.kind] : undefined;
}
