/**
 * External key stores over `npm run api`: the lab's `KmsLab.*` controls set up an XKS proxy with an
 * external key, and the real `@aws-sdk/client-kms` creates an external key store, a key with an
 * XksKeyId, and encrypts through the proxy; the proxy's fault reaches the SDK by name.
 */
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  EncryptCommand,
  GenerateRandomCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/node/server.ts';
import { credentials, labCall } from './harness.ts';

let server: ApiServer;
let kms: KMSClient;

beforeAll(async () => {
  server = await startApiServer({ port: 0 });
  kms = new KMSClient({ region: 'us-east-1', credentials, endpoint: server.url, maxAttempts: 1 });
});
afterAll(() => server.close());

async function lab(control: string, input: unknown) {
  const res = await labCall(server.url, control, input);
  expect(res.status).toBe(200);
  return res.json();
}

describe('external key stores over the wire', () => {
  it('creates an external key store and a key with XksKeyId, and encrypts through the proxy', async () => {
    const endpoint = 'https://xks.wire.example.com';
    const { Credential } = await lab('CreateXksProxy', { UriEndpoint: endpoint, UriPath: '/kms/xks/v1' });
    await lab('CreateExternalKey', { UriEndpoint: endpoint, KeyId: 'wire-key' });
    const { CustomKeyStoreId } = await kms.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: 'WireExternalKeyStore',
        CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
        XksProxyConnectivity: 'PUBLIC_ENDPOINT',
        XksProxyUriEndpoint: endpoint,
        XksProxyUriPath: '/kms/xks/v1',
        XksProxyAuthenticationCredential: Credential,
      }),
    );
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId }));
    await lab('AdvanceClock', { Seconds: 60 });
    const { CustomKeyStores } = await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId }));
    expect(CustomKeyStores![0]).toMatchObject({
      ConnectionState: 'CONNECTED',
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      XksProxyConfiguration: {
        Connectivity: 'PUBLIC_ENDPOINT',
        UriEndpoint: endpoint,
        UriPath: '/kms/xks/v1',
      },
    });
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId, XksKeyId: 'wire-key' }),
    );
    expect(KeyMetadata).toMatchObject({ CustomKeyStoreId, XksKeyConfiguration: { Id: 'wire-key' } });
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new TextEncoder().encode('via xks') }),
    );
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(new TextDecoder().decode(Plaintext)).toBe('via xks');
    await expect(
      kms.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    await lab('StopXksProxy', { UriEndpoint: endpoint });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await expect(
      kms.send(
        new CreateCustomKeyStoreCommand({
          CustomKeyStoreName: 'Unreachable',
          CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
          XksProxyConnectivity: 'PUBLIC_ENDPOINT',
          XksProxyUriEndpoint: 'https://nowhere.example.com',
          XksProxyUriPath: '/kms/xks/v1',
          XksProxyAuthenticationCredential: Credential,
        }),
      ),
    ).rejects.toMatchObject({ name: 'XksProxyUriUnreachableException' });
  });
});
