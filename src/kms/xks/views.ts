/**
 * XKS proxies as the lab shows them: where they answer, whether they run, their external keys.
 * Never the proxy's secret access key, nor any external key material, not even wrapped.
 */
import type { XksProxy } from './model.ts';

export interface XksProxyView {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly uriEndpoint: string;
  readonly uriPath: string;
  readonly connectivity: string;
  readonly vpcEndpointServiceName?: string;
  /** The access key ID of the credential the proxy accepts (its secret is never shown). */
  readonly accessKeyId: string;
  readonly running: boolean;
  readonly externalKeys: readonly {
    readonly keyId: string;
    readonly keySpec: string;
    readonly enabled: boolean;
    readonly createdAt: number;
  }[];
}

export const xksProxyView = (p: XksProxy): XksProxyView => ({
  arn: p.arn,
  accountId: p.accountId,
  region: p.region,
  uriEndpoint: p.data.uriEndpoint,
  uriPath: p.data.uriPath,
  connectivity: p.data.connectivity,
  ...(p.data.vpcEndpointServiceName !== undefined
    ? { vpcEndpointServiceName: p.data.vpcEndpointServiceName }
    : {}),
  accessKeyId: p.data.credential.accessKeyId,
  running: p.data.stopped !== true,
  externalKeys: p.data.externalKeys.map(({ keyId, keySpec, enabled, createdAt }) => ({
    keyId,
    keySpec,
    enabled,
    createdAt,
  })),
});
