/**
 * `npm run api` speaks CloudHSM v2 (`BaldrApiService.*`) beside KMS: the real
 * `@aws-sdk/client-cloudhsm-v2` builds a cluster with HSMs in two AZs, the lab's `KmsLab.*` controls
 * activate it and inject faults, and the real `@aws-sdk/client-kms` creates a custom key store and a
 * key in it over the same server.
 */
import {
  CloudHSMV2Client,
  CreateClusterCommand,
  CreateHsmCommand,
  DeleteClusterCommand,
  DeleteHsmCommand,
  DescribeClustersCommand,
  InitializeClusterCommand,
} from '@aws-sdk/client-cloudhsm-v2';
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  DisconnectCustomKeyStoreCommand,
  EncryptCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/node/server.ts';
import { credentials, expectKmsError, labCall } from './harness.ts';

const TRUST_ANCHOR =
  '-----BEGIN CERTIFICATE-----\nMIIBcustomerCAcertificateForTheLab==\n-----END CERTIFICATE-----\n';
const SIGNED_CERT =
  '-----BEGIN CERTIFICATE-----\nMIIBclusterCertificateSignedByTheCA==\n-----END CERTIFICATE-----\n';

let server: ApiServer;
let hsm: CloudHSMV2Client;

beforeAll(async () => {
  server = await startApiServer({ port: 0 });
  hsm = new CloudHSMV2Client({ region: 'us-east-1', credentials, endpoint: server.url, maxAttempts: 1 });
});
afterAll(() => server.close());

async function lab(control: string, input: unknown) {
  const res = await labCall(server.url, control, input);
  expect(res.status).toBe(200);
  return res.json();
}

describe('CloudHSM v2 wire protocol', () => {
  it('creates a cluster and HSMs with the real SDK, then a custom key store and a key with client-kms', async () => {
    const { Cluster } = await hsm.send(
      new CreateClusterCommand({
        HsmType: 'hsm2m.medium',
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      }),
    );
    const clusterId = Cluster!.ClusterId!;
    expect(clusterId).toMatch(/^cluster-[2-7a-z]{11}$/);
    expect(Cluster).toMatchObject({
      State: 'UNINITIALIZED',
      SubnetMapping: { 'us-east-1a': 'subnet-0aaaaaaaaaaaaaaaa', 'us-east-1b': 'subnet-0bbbbbbbbbbbbbbbb' },
    });
    expect(Cluster!.CreateTimestamp).toBeInstanceOf(Date);
    const a = await hsm.send(new CreateHsmCommand({ ClusterId: clusterId, AvailabilityZone: 'us-east-1a' }));
    const b = await hsm.send(new CreateHsmCommand({ ClusterId: clusterId, AvailabilityZone: 'us-east-1b' }));
    expect(a.Hsm).toMatchObject({ State: 'ACTIVE', AvailabilityZone: 'us-east-1a', ClusterId: clusterId });
    const init = await hsm.send(
      new InitializeClusterCommand({
        ClusterId: clusterId,
        SignedCert: SIGNED_CERT,
        TrustAnchor: TRUST_ANCHOR,
      }),
    );
    expect(init.State).toBe('INITIALIZED');
    await lab('ActivateCluster', { ClusterId: clusterId });
    await lab('SetKmsUserPassword', { ClusterId: clusterId, Password: 'kmsuser-Passw0rd' });
    const described = await hsm.send(new DescribeClustersCommand({ Filters: { clusterIds: [clusterId] } }));
    expect(described.Clusters!.map((c) => [c.State, c.Hsms!.length])).toEqual([['ACTIVE', 2]]);

    const kms = new KMSClient({
      region: 'us-east-1',
      credentials,
      endpoint: server.url,
      maxAttempts: 1,
    });
    const { CustomKeyStoreId } = await kms.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: 'ExampleKeyStore',
        CloudHsmClusterId: clusterId,
        TrustAnchorCertificate: TRUST_ANCHOR,
        KeyStorePassword: 'kmsuser-Passw0rd',
      }),
    );
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId }));
    await lab('AdvanceClock', { Seconds: 60 });
    const stores = await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId }));
    expect(stores.CustomKeyStores![0]).toMatchObject({
      ConnectionState: 'CONNECTED',
      CloudHsmClusterId: clusterId,
    });
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId }),
    );
    expect(KeyMetadata).toMatchObject({ CustomKeyStoreId, CloudHsmClusterId: clusterId });
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new TextEncoder().encode('over the wire') }),
    );

    // Faults over the wire: lose an AZ, stop the other AZ's HSM → the documented failure.
    await lab('LoseAvailabilityZone', { AvailabilityZone: 'us-east-1a' });
    expect((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext).toBeDefined();
    await lab('StopHsm', { HsmId: b.Hsm!.HsmId });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await lab('RestoreAvailabilityZone', { AvailabilityZone: 'us-east-1a' });
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId }));
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob })),
      'KMSInvalidStateException',
      `${KeyMetadata!.Arn} is unavailable.`,
    );

    // CloudHSM's own errors reach the SDK by name.
    await expect(hsm.send(new DeleteClusterCommand({ ClusterId: clusterId }))).rejects.toMatchObject({
      name: 'CloudHsmInvalidRequestException',
    });
    const deleted = await hsm.send(new DeleteHsmCommand({ ClusterId: clusterId, HsmId: a.Hsm!.HsmId }));
    expect(deleted.HsmId).toBe(a.Hsm!.HsmId);
    await expect(
      hsm.send(new DescribeClustersCommand({ Filters: { clusterIds: ['cluster-abcdefghijk'] } })),
    ).resolves.toMatchObject({ Clusters: [] });
  });
});
