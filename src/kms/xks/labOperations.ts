/**
 * Lab controls for external key stores: the customer's side of an XKS proxy, which this lab has no
 * other way to set up, and the faults a learner injects to watch an external key store break.
 * Named `lab:<Name>` (`kms.lab('StopXksProxy', { UriEndpoint })`, `KmsLab.StopXksProxy` on the
 * wire); traced but not in CloudTrail; they act in the caller's account and Region.
 *
 * Setup: CreateXksProxy (a proxy at `https://<host><path>`, on a public endpoint or behind a VPC
 * endpoint service of the Region; answers the credential to give KMS), CreateExternalKey (a key of
 * the external key manager behind the proxy; AES_256 by default, AES_128 to show an invalid one).
 * Faults: StopXksProxy / StartXksProxy (unreachable), BreakXksProxyCredential (the proxy rotates
 * its credential: KMS's no longer authenticates; answers the new one, which UpdateCustomKeyStore
 * may give KMS even while the store is CONNECTED), DeleteExternalKey.
 */
import { KmsError } from '../errors.ts';
import { randomBytes, toHex } from '../crypto/random.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { edit } from '../cloudhsm/model.ts';
import { lab } from '../cloudhsm/endpoints.ts';
import {
  hostOf,
  proxyAtHost,
  XKS_PROXY_KIND,
  xksProxies,
  xksProxyArn,
  type XksCredential,
  type XksProxy,
  type XksProxyData,
} from './model.ts';
import { xksProxyView } from './views.ts';

const invalidRequest = (m: string) => new KmsError('InvalidRequestException', m);
const notFound = (m: string) => new KmsError('ResourceNotFoundException', m);

const uriEndpoint = S.str(10, 128, '^https://[a-zA-Z0-9.-]+$');
const uriPath = S.str(10, 128, '^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$');
const externalKeyId = S.str(1, 128, '^[a-zA-Z0-9-_.]+$');

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** A credential of the shapes KMS accepts: access key ID 20 × [A-Z2-7], secret 44 × base64. */
function newCredential(): XksCredential {
  return {
    accessKeyId: Array.from(randomBytes(20), (b) => BASE32[b % 32]).join(''),
    rawSecretAccessKey: btoa(String.fromCharCode(...randomBytes(33))),
  };
}
const credentialOut = (c: XksCredential) => ({
  AccessKeyId: c.accessKeyId,
  RawSecretAccessKey: c.rawSecretAccessKey,
});

/** The caller's proxy at an endpoint. */
function proxyFor(ctx: CallContext, endpoint: string): XksProxy {
  const proxy = xksProxies(ctx.tx, ctx.accountId).find(
    (p) => hostOf(p.data.uriEndpoint) === hostOf(endpoint),
  );
  if (!proxy) throw notFound(`There is no XKS proxy of account ${ctx.accountId} at ${endpoint}.`);
  return proxy;
}

const proxyOutput = (ctx: CallContext, p: XksProxy) => ({
  XksProxy: xksProxyView(ctx.tx.resource<XksProxyData>(p.arn)!),
});
const byEndpoint = S.struct({ UriEndpoint: uriEndpoint }, ['UriEndpoint']);

export const xksLabOperations: OperationFamily = [
  lab({
    name: 'CreateXksProxy',
    input: S.struct(
      {
        UriEndpoint: uriEndpoint,
        UriPath: uriPath,
        Connectivity: S.enum(['PUBLIC_ENDPOINT', 'VPC_ENDPOINT_SERVICE']),
      },
      ['UriEndpoint', 'UriPath'],
    ),
    handler(ctx) {
      const i = ctx.input as {
        UriEndpoint: string;
        UriPath: string;
        Connectivity?: XksProxyData['connectivity'];
      };
      if (proxyAtHost(ctx.tx, i.UriEndpoint))
        throw invalidRequest(`An XKS proxy already answers at ${i.UriEndpoint}.`);
      const connectivity = i.Connectivity ?? 'PUBLIC_ENDPOINT';
      const data: XksProxyData = {
        uriEndpoint: `https://${hostOf(i.UriEndpoint)}`,
        uriPath: i.UriPath,
        connectivity,
        // Simulated VPC endpoint service: its private DNS name is the proxy's host.
        ...(connectivity === 'VPC_ENDPOINT_SERVICE'
          ? {
              vpcEndpointServiceName: `com.amazonaws.vpce.${ctx.region}.vpce-svc-${toHex(randomBytes(9)).slice(0, 17)}`,
            }
          : {}),
        credential: newCredential(),
        externalKeys: [],
      };
      const proxy: XksProxy = {
        arn: xksProxyArn(ctx.region, ctx.accountId, i.UriEndpoint),
        kind: XKS_PROXY_KIND,
        accountId: ctx.accountId,
        region: ctx.region,
        createdAt: ctx.now,
        data,
      };
      ctx.tx.putResource(proxy);
      return { ...proxyOutput(ctx, proxy), Credential: credentialOut(data.credential) };
    },
  }),
  lab({
    name: 'CreateExternalKey',
    input: S.struct(
      { UriEndpoint: uriEndpoint, KeyId: externalKeyId, KeySpec: S.enum(['AES_256', 'AES_128']) },
      ['UriEndpoint'],
    ),
    async handler(ctx) {
      const proxy = proxyFor(ctx, ctx.input.UriEndpoint);
      const keyId = (ctx.input.KeyId as string | undefined) ?? `external-key-${toHex(randomBytes(6))}`;
      if (proxy.data.externalKeys.some((k) => k.keyId === keyId))
        throw invalidRequest(
          `The external key manager behind ${proxy.data.uriEndpoint} already has a key ${keyId}.`,
        );
      const keySpec = (ctx.input.KeySpec as 'AES_256' | 'AES_128' | undefined) ?? 'AES_256';
      const raw = randomBytes(keySpec === 'AES_256' ? 32 : 16);
      const material = await ctx.keyring.wrapNewMaterial(raw, ctx.now);
      raw.fill(0);
      edit(ctx.tx, proxy).data.externalKeys.push({
        keyId,
        keySpec,
        enabled: true,
        createdAt: ctx.now,
        material,
      });
      return { ExternalKey: { KeyId: keyId, KeySpec: keySpec, Enabled: true }, ...proxyOutput(ctx, proxy) };
    },
  }),
  lab({
    name: 'DeleteExternalKey',
    input: S.struct({ UriEndpoint: uriEndpoint, KeyId: externalKeyId }, ['UriEndpoint', 'KeyId']),
    handler(ctx) {
      const proxy = proxyFor(ctx, ctx.input.UriEndpoint);
      if (!proxy.data.externalKeys.some((k) => k.keyId === ctx.input.KeyId))
        throw notFound(
          `The external key manager behind ${proxy.data.uriEndpoint} has no key ${ctx.input.KeyId}.`,
        );
      const p = edit(ctx.tx, proxy);
      p.data.externalKeys = p.data.externalKeys.filter((k) => k.keyId !== ctx.input.KeyId);
      return proxyOutput(ctx, proxy);
    },
  }),
  lab({
    name: 'StopXksProxy',
    input: byEndpoint,
    handler(ctx) {
      const proxy = proxyFor(ctx, ctx.input.UriEndpoint);
      edit(ctx.tx, proxy).data.stopped = true;
      return proxyOutput(ctx, proxy);
    },
  }),
  lab({
    name: 'StartXksProxy',
    input: byEndpoint,
    handler(ctx) {
      const proxy = proxyFor(ctx, ctx.input.UriEndpoint);
      delete edit(ctx.tx, proxy).data.stopped;
      return proxyOutput(ctx, proxy);
    },
  }),
  lab({
    name: 'BreakXksProxyCredential',
    input: byEndpoint,
    handler(ctx) {
      const proxy = proxyFor(ctx, ctx.input.UriEndpoint);
      const credential = newCredential();
      edit(ctx.tx, proxy).data.credential = credential;
      return { ...proxyOutput(ctx, proxy), Credential: credentialOut(credential) };
    },
  }),
];

/** The names of the external key store fault controls. */
export const XKS_FAULTS = [
  'StopXksProxy',
  'StartXksProxy',
  'BreakXksProxyCredential',
  'DeleteExternalKey',
] as const;
export type XksFault = (typeof XKS_FAULTS)[number];
