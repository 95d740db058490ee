/**
 * External key stores (EXTERNAL_KEY_STORE, kms-api.md §2.10, §10): the simulated XKS proxy and its
 * external key manager (lab controls), the store's life with the Xks* parameters and exceptions,
 * keys with an XksKeyId, double encryption routed through the proxy, and the proxy's faults.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, MemoryStore, type CallTrace, type Kms } from '../../src/kms/index.ts';
import { connectionState, east, rejection, traces } from './cloudHsmSetup.ts';

const START = new Date('2026-01-01T00:00:00Z');
const ENDPOINT = 'https://xks.example.com';
const PATH = '/example/kms/xks/v1';
let kms: Kms;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
});

interface Credential {
  AccessKeyId: string;
  RawSecretAccessKey: string;
}

async function createProxy(
  endpoint = ENDPOINT,
  connectivity: 'PUBLIC_ENDPOINT' | 'VPC_ENDPOINT_SERVICE' = 'PUBLIC_ENDPOINT',
) {
  const out = (await kms.lab(
    'CreateXksProxy',
    { UriEndpoint: endpoint, UriPath: PATH, Connectivity: connectivity },
    east,
  )) as { Credential: Credential; XksProxy: { vpcEndpointServiceName?: string; running: boolean } };
  return out;
}

const externalKey = async (KeyId: string, KeySpec = 'AES_256', endpoint = ENDPOINT) =>
  kms.lab('CreateExternalKey', { UriEndpoint: endpoint, KeyId, KeySpec }, east);

const xksInput = (credential: Credential, over: Record<string, unknown> = {}) => ({
  CustomKeyStoreName: 'ExampleExternalKeyStore',
  CustomKeyStoreType: 'EXTERNAL_KEY_STORE' as const,
  XksProxyConnectivity: 'PUBLIC_ENDPOINT' as const,
  XksProxyUriEndpoint: ENDPOINT,
  XksProxyUriPath: PATH,
  XksProxyAuthenticationCredential: credential,
  ...over,
});

const createXksStore = async (credential: Credential, over: Record<string, unknown> = {}) =>
  (await kms.call('CreateCustomKeyStore', xksInput(credential, over) as never, east)).CustomKeyStoreId!;

async function connect(id: string) {
  await kms.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, east);
  await kms.advanceClock(60);
  return connectionState(kms, id);
}

const keyStoreHops = (t: CallTrace) => t.hops.filter((h) => h.stage === 'keyStore');

describe('CreateCustomKeyStore with XKS parameters', () => {
  it('validates the parameters: required members, credential shape, CloudHSM members', async () => {
    const credential = (await createProxy()).Credential;
    const missing = await rejection(
      kms.call(
        'CreateCustomKeyStore',
        { CustomKeyStoreName: 'x', CustomKeyStoreType: 'EXTERNAL_KEY_STORE', XksProxyUriEndpoint: ENDPOINT },
        east,
      ),
    );
    expect(missing.code).toBe('ValidationException');
    const badKeyId = await rejection(
      createXksStore({ ...credential, AccessKeyId: 'lowercase-is-not-base32' }),
    );
    expect(badKeyId.code).toBe('ValidationException');
    const shortSecret = await rejection(createXksStore({ ...credential, RawSecretAccessKey: 'short' }));
    expect(shortSecret.code).toBe('ValidationException');
    const badPath = await rejection(createXksStore(credential, { XksProxyUriPath: '/not/the/xks/path' }));
    expect(badPath.code).toBe('ValidationException');
    const mixed = await rejection(createXksStore(credential, { KeyStorePassword: 'kmsuser-Passw0rd' }));
    expect(mixed.code).toBe('ValidationException');
    const noService = await rejection(
      createXksStore(credential, { XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE' }),
    );
    expect(noService.code).toBe('ValidationException');
    const xksOnCloudHsm = await rejection(
      kms.call(
        'CreateCustomKeyStore',
        { CustomKeyStoreName: 'x', XksProxyUriEndpoint: ENDPOINT, CloudHsmClusterId: 'cluster-abcdefghijk' },
        east,
      ),
    );
    expect(xksOnCloudHsm.code).toBe('ValidationException');
  });

  it('checks the proxy: unreachable, wrong path, wrong credential, missing VPC endpoint service', async () => {
    const unreachable = await rejection(
      createXksStore({ AccessKeyId: 'ABCDEFGHIJKLMNOPQRST', RawSecretAccessKey: 'a'.repeat(43) }),
    );
    expect(unreachable.code).toBe('XksProxyUriUnreachableException');
    const { Credential } = await createProxy();
    const wrongPath = await rejection(createXksStore(Credential, { XksProxyUriPath: '/other/kms/xks/v1' }));
    expect(wrongPath.code).toBe('XksProxyUriUnreachableException');
    const wrongSecret = await rejection(
      createXksStore({ ...Credential, RawSecretAccessKey: 'b'.repeat(44) }),
    );
    expect(wrongSecret.code).toBe('XksProxyIncorrectAuthenticationCredentialException');
    const vpc = await rejection(
      createXksStore(Credential, {
        XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
        XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      }),
    );
    expect(vpc.code).toBe('XksProxyVpcEndpointServiceNotFoundException');
    await kms.lab('StopXksProxy', { UriEndpoint: ENDPOINT }, east);
    expect((await rejection(createXksStore(Credential))).code).toBe('XksProxyUriUnreachableException');
  });

  it('creates a DISCONNECTED store, describes it without the secret, and refuses a proxy address in use', async () => {
    const { Credential } = await createProxy();
    const id = await createXksStore(Credential);
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);
    const { CustomKeyStores } = await kms.call('DescribeCustomKeyStores', { CustomKeyStoreId: id }, east);
    const entry = CustomKeyStores![0]!;
    expect(entry).toMatchObject({
      CustomKeyStoreId: id,
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      ConnectionState: 'DISCONNECTED',
      XksProxyConfiguration: {
        Connectivity: 'PUBLIC_ENDPOINT',
        AccessKeyId: Credential.AccessKeyId,
        UriEndpoint: ENDPOINT,
        UriPath: PATH,
      },
    });
    expect(entry).not.toHaveProperty('CloudHsmClusterId');
    expect(entry).not.toHaveProperty('TrustAnchorCertificate');
    expect(JSON.stringify(CustomKeyStores)).not.toContain(Credential.RawSecretAccessKey);
    // CloudTrail never logs the credential; nor do the lab's views.
    const record = kms.trail().find((r) => r.eventName === 'CreateCustomKeyStore')!;
    expect(record.requestParameters!.xksProxyAuthenticationCredential).toBe('HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(JSON.stringify(kms.trail())).not.toContain(Credential.RawSecretAccessKey);
    expect(JSON.stringify(kms.customKeyStores())).not.toContain(Credential.RawSecretAccessKey);
    expect(kms.customKeyStores()[0]).toMatchObject({
      type: 'EXTERNAL_KEY_STORE',
      xksProxy: { uriEndpoint: ENDPOINT, uriPath: PATH },
    });
    const again = await rejection(createXksStore(Credential, { CustomKeyStoreName: 'second' }));
    expect(again.code).toBe('XksProxyUriInUseException');
  });

  it('reaches a proxy behind a VPC endpoint service, whose private DNS name is its own', async () => {
    const vpcEndpoint = 'https://xks.private.example.com';
    const { Credential, XksProxy } = await createProxy(vpcEndpoint, 'VPC_ENDPOINT_SERVICE');
    const service = XksProxy.vpcEndpointServiceName!;
    expect(service).toMatch(/^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}$/);
    // Not reachable on a public endpoint.
    const asPublic = await rejection(createXksStore(Credential, { XksProxyUriEndpoint: vpcEndpoint }));
    expect(asPublic.code).toBe('XksProxyUriUnreachableException');
    const vpc = {
      XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
      XksProxyUriEndpoint: vpcEndpoint,
      XksProxyVpcEndpointServiceName: service,
    };
    const id = await createXksStore(Credential, vpc);
    expect(await connect(id)).toEqual({ state: 'CONNECTED', error: undefined });
    const { CustomKeyStores } = await kms.call('DescribeCustomKeyStores', { CustomKeyStoreId: id }, east);
    expect(CustomKeyStores![0]!.XksProxyConfiguration).toMatchObject({
      Connectivity: 'VPC_ENDPOINT_SERVICE',
      VpcEndpointServiceName: service,
    });
    // Another store may not take the same private DNS name, even with another path.
    const sameDns = await rejection(
      createXksStore(Credential, { ...vpc, CustomKeyStoreName: 'second', XksProxyUriPath: '/kms/xks/v1' }),
    );
    expect(sameDns.code).toBe('XksProxyUriEndpointInUseException');
  });
});

describe('keys in an external key store', () => {
  let credential: Credential;
  let storeId: string;
  let keyId: string;

  beforeEach(async () => {
    credential = (await createProxy()).Credential;
    await externalKey('external-key-1');
    storeId = await createXksStore(credential);
    const early = await rejection(
      kms.call(
        'CreateKey',
        { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId: 'external-key-1' },
        east,
      ),
    );
    expect(early.code).toBe('CustomKeyStoreInvalidStateException');
    expect(await connect(storeId)).toEqual({ state: 'CONNECTED', error: undefined });
    const { KeyMetadata } = await kms.call(
      'CreateKey',
      { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId: 'external-key-1' },
      east,
    );
    keyId = KeyMetadata!.KeyId!;
    expect(KeyMetadata).toMatchObject({
      Origin: 'EXTERNAL_KEY_STORE',
      CustomKeyStoreId: storeId,
      XksKeyConfiguration: { Id: 'external-key-1' },
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
    expect(KeyMetadata).not.toHaveProperty('CloudHsmClusterId');
  });

  const encrypt = (text = 'hello', id = keyId) =>
    kms.call('Encrypt', { KeyId: id, Plaintext: new TextEncoder().encode(text) }, east);
  const decryptText = async (CiphertextBlob: Uint8Array | undefined) =>
    new TextDecoder().decode((await kms.call('Decrypt', { CiphertextBlob }, east)).Plaintext);

  it('refuses a missing, unknown, invalid or already used external key', async () => {
    const create = (XksKeyId?: string) =>
      kms.call('CreateKey', { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId }, east);
    expect((await rejection(create())).code).toBe('ValidationException');
    expect((await rejection(create('no-such-key'))).code).toBe('XksKeyNotFoundException');
    await externalKey('short-key', 'AES_128');
    expect((await rejection(create('short-key'))).code).toBe('XksKeyInvalidConfigurationException');
    expect((await rejection(create('external-key-1'))).code).toBe('XksKeyAlreadyInUseException');
    await externalKey('external-key-2');
    expect((await create('external-key-2')).KeyMetadata!.XksKeyConfiguration).toEqual({
      Id: 'external-key-2',
    });
    // XksKeyId belongs to EXTERNAL_KEY_STORE keys; a CloudHSM origin does not fit this store.
    const stray = await rejection(kms.call('CreateKey', { XksKeyId: 'external-key-2' }, east));
    expect(stray.code).toBe('ValidationException');
    const wrongOrigin = await rejection(
      kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: storeId }, east),
    );
    expect(wrongOrigin.code).toBe('UnsupportedOperationException');
  });

  it('double-encrypts through the XKS proxy: both layers are real, the trace names the proxy', async () => {
    const seen = traces(kms);
    const { CiphertextBlob } = await encrypt('secret');
    expect(await decryptText(CiphertextBlob)).toBe('secret');
    for (const t of seen) {
      const hops = keyStoreHops(t).map((h) => h.label);
      expect(hops.some((l) => l.startsWith('AWS KMS HSM fleet: KMS key material layer'))).toBe(true);
      expect(hops.at(-1)).toBe(`XKS proxy ${ENDPOINT}${PATH}: external key external-key-1 (${storeId})`);
    }
    const records = kms.trail().filter((r) => r.eventName === 'Encrypt' || r.eventName === 'Decrypt');
    for (const r of records) expect(r.additionalEventData).toEqual({ customKeyStoreId: storeId });
    // The external layer adds its own IV and tag to what a key in the default key store produces.
    const plain = (await kms.call('CreateKey', {}, east)).KeyMetadata!.KeyId!;
    const single = (await encrypt('secret', plain)).CiphertextBlob!;
    expect(CiphertextBlob!.length).toBe(single.length + 12 + 16);
    // Data keys and re-encryption in and out of the store.
    const dk = await kms.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }, east);
    const out = await kms.call(
      'ReEncrypt',
      { CiphertextBlob: dk.CiphertextBlob, DestinationKeyId: plain },
      east,
    );
    const back = await kms.call(
      'ReEncrypt',
      { CiphertextBlob: out.CiphertextBlob, DestinationKeyId: keyId },
      east,
    );
    expect((await kms.call('Decrypt', { CiphertextBlob: back.CiphertextBlob }, east)).Plaintext).toEqual(
      dk.Plaintext,
    );
    // An external key of the same name but other material cannot open the outer layer.
    await kms.lab('DeleteExternalKey', { UriEndpoint: ENDPOINT, KeyId: 'external-key-1' }, east);
    const gone = await rejection(kms.call('Decrypt', { CiphertextBlob }, east));
    expect(gone.code).toBe('KMSInvalidStateException');
    await externalKey('external-key-1');
    const wrong = await rejection(kms.call('Decrypt', { CiphertextBlob }, east));
    expect(wrong.code).toBe('InvalidCiphertextException');
  });

  it('fails crypto with KMSInvalidStateException while the proxy is down; reconnecting then FAILS', async () => {
    const { CiphertextBlob } = await encrypt('kept');
    await kms.lab('StopXksProxy', { UriEndpoint: ENDPOINT }, east);
    const seen = traces(kms);
    const err = await rejection(kms.call('Decrypt', { CiphertextBlob }, east));
    expect(err.code).toBe('KMSInvalidStateException');
    expect(err.message).toContain(storeId);
    expect(
      keyStoreHops(seen[0]!).some(
        (h) => !h.ok && h.label.startsWith(`XKS proxy ${ENDPOINT}${PATH} unavailable`),
      ),
    ).toBe(true);
    // The store stays CONNECTED and the key Enabled: only the calls fail.
    expect((await connectionState(kms, storeId)).state).toBe('CONNECTED');
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Enabled');
    await externalKey('external-key-2');
    const create = await rejection(
      kms.call(
        'CreateKey',
        { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId: 'external-key-2' },
        east,
      ),
    );
    expect(create.code).toBe('CustomKeyStoreInvalidStateException');
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    const unavailable = await rejection(kms.call('Decrypt', { CiphertextBlob }, east));
    expect({ code: unavailable.code, message: unavailable.message }).toEqual({
      code: 'KMSInvalidStateException',
      message: `${arn} is unavailable.`,
    });
    expect(await connect(storeId)).toEqual({ state: 'FAILED', error: 'XKS_PROXY_NOT_REACHABLE' });
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    await kms.lab('StartXksProxy', { UriEndpoint: ENDPOINT }, east);
    expect(await connect(storeId)).toEqual({ state: 'CONNECTED', error: undefined });
    expect(await decryptText(CiphertextBlob)).toBe('kept');
  });

  it('follows a rotated proxy credential: crypto fails until KMS is given the new one, even while CONNECTED', async () => {
    const { CiphertextBlob } = await encrypt('rotated');
    const { Credential } = (await kms.lab('BreakXksProxyCredential', { UriEndpoint: ENDPOINT }, east)) as {
      Credential: Credential;
    };
    expect((await rejection(kms.call('Decrypt', { CiphertextBlob }, east))).code).toBe(
      'KMSInvalidStateException',
    );
    // Only the credential and the URI path may change while CONNECTED; each is checked with the proxy.
    const endpoint = await rejection(
      kms.call(
        'UpdateCustomKeyStore',
        { CustomKeyStoreId: storeId, XksProxyUriEndpoint: 'https://other.example.com' },
        east,
      ),
    );
    expect(endpoint.code).toBe('CustomKeyStoreInvalidStateException');
    const stale = await rejection(
      kms.call(
        'UpdateCustomKeyStore',
        { CustomKeyStoreId: storeId, XksProxyAuthenticationCredential: credential },
        east,
      ),
    );
    expect(stale.code).toBe('XksProxyIncorrectAuthenticationCredentialException');
    const path = await rejection(
      kms.call('UpdateCustomKeyStore', { CustomKeyStoreId: storeId, XksProxyUriPath: '/kms/xks/v2' }, east),
    );
    expect(path.code).toBe('XksProxyUriUnreachableException');
    const cloudHsm = await rejection(
      kms.call(
        'UpdateCustomKeyStore',
        { CustomKeyStoreId: storeId, KeyStorePassword: 'kmsuser-Passw0rd' },
        east,
      ),
    );
    expect(cloudHsm.code).toBe('UnsupportedOperationException');
    // Reconnecting with the stale credential fails with INVALID_CREDENTIALS.
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    expect(await connect(storeId)).toEqual({ state: 'FAILED', error: 'INVALID_CREDENTIALS' });
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    await kms.call(
      'UpdateCustomKeyStore',
      {
        CustomKeyStoreId: storeId,
        XksProxyAuthenticationCredential: Credential,
        NewCustomKeyStoreName: 'renamed',
      },
      east,
    );
    expect(await connect(storeId)).toEqual({ state: 'CONNECTED', error: undefined });
    expect(await decryptText(CiphertextBlob)).toBe('rotated');
    // While CONNECTED, the new credential can be given at once.
    const next = (
      (await kms.lab('BreakXksProxyCredential', { UriEndpoint: ENDPOINT }, east)) as {
        Credential: Credential;
      }
    ).Credential;
    await kms.call(
      'UpdateCustomKeyStore',
      { CustomKeyStoreId: storeId, XksProxyAuthenticationCredential: next },
      east,
    );
    expect(await decryptText(CiphertextBlob)).toBe('rotated');
    const { CustomKeyStores } = await kms.call(
      'DescribeCustomKeyStores',
      { CustomKeyStoreName: 'renamed' },
      east,
    );
    expect(CustomKeyStores![0]!.XksProxyConfiguration!.AccessKeyId).toBe(next.AccessKeyId);
  });

  it('refuses what external key stores do not support, GenerateRandom included', async () => {
    const random = await rejection(
      kms.call('GenerateRandom', { NumberOfBytes: 32, CustomKeyStoreId: storeId }, east),
    );
    expect(random.code).toBe('UnsupportedOperationException');
    const pair = await rejection(
      kms.call('GenerateDataKeyPair', { KeyId: keyId, KeyPairSpec: 'RSA_2048' }, east),
    );
    expect(pair.code).toBe('UnsupportedOperationException');
    expect((await rejection(kms.call('EnableKeyRotation', { KeyId: keyId }, east))).code).toBe(
      'UnsupportedOperationException',
    );
    await externalKey('external-key-2');
    for (const input of [
      { KeySpec: 'HMAC_256' as const, KeyUsage: 'GENERATE_VERIFY_MAC' as const },
      { MultiRegion: true },
    ])
      expect(
        (
          await rejection(
            kms.call(
              'CreateKey',
              {
                Origin: 'EXTERNAL_KEY_STORE',
                CustomKeyStoreId: storeId,
                XksKeyId: 'external-key-2',
                ...input,
              },
              east,
            ),
          )
        ).code,
      ).toBe('UnsupportedOperationException');
  });

  it('deletes the store only once its keys are deleted, leaving the external keys alone', async () => {
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Unavailable');
    const withKeys = await rejection(kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: storeId }, east));
    expect(withKeys.code).toBe('CustomKeyStoreHasCMKsException');
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, east);
    await kms.advanceClock(7 * 86_400);
    await kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    expect((await rejection(connectionState(kms, storeId))).code).toBe('CustomKeyStoreNotFoundException');
    const { XksProxy } = (await kms.lab('StartXksProxy', { UriEndpoint: ENDPOINT }, east)) as {
      XksProxy: { externalKeys: { keyId: string }[] };
    };
    expect(XksProxy.externalKeys.map((k) => k.keyId)).toEqual(['external-key-1']);
    expect(JSON.stringify(XksProxy)).not.toContain('wrapped');
  });
});

describe('XKS lab controls', () => {
  it('are traced through the KMS Lab control endpoint and stay out of CloudTrail', async () => {
    const seen = traces(kms);
    await createProxy();
    await kms.lab('StopXksProxy', { UriEndpoint: ENDPOINT }, east);
    expect(seen.map((t) => t.hops.find((h) => h.stage === 'endpoint')!.label)).toEqual([
      'KMS Lab control',
      'KMS Lab control',
    ]);
    expect(kms.trail()).toEqual([]);
    expect(kms.labOperations()).toEqual(
      expect.arrayContaining([
        'lab:CreateXksProxy',
        'lab:CreateExternalKey',
        'lab:StopXksProxy',
        'lab:StartXksProxy',
        'lab:BreakXksProxyCredential',
      ]),
    );
    expect((await rejection(createProxy())).code).toBe('InvalidRequestException');
  });
});

describe('Kms.xksProxies()', () => {
  it('shows proxies and their external keys, never the secret', async () => {
    const { Credential } = await createProxy();
    await externalKey('ext-key-1');
    const [proxy] = kms.xksProxies();
    expect(proxy).toMatchObject({
      uriEndpoint: ENDPOINT,
      running: true,
      accessKeyId: Credential.AccessKeyId,
    });
    expect(proxy!.externalKeys.map((k) => k.keyId)).toEqual(['ext-key-1']);
    expect(JSON.stringify(kms.xksProxies())).not.toContain(Credential.RawSecretAccessKey);
  });
});
