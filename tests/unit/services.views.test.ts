/** `kms.serviceResources()`: the Services panel's read-only view, without key material or secrets. */
import { describe, expect, it } from 'vitest';
import type { ServiceResourceView } from '../../src/kms/index.ts';
import { ACCOUNT, bytes, newKms } from './servicesHelpers.ts';

const find = <K extends ServiceResourceView['kind']>(all: ServiceResourceView[], kind: K) =>
  all.filter((r): r is Extract<ServiceResourceView, { kind: K }> => r.kind === kind);

describe('kms.serviceResources()', () => {
  it('lists every service resource with its encryption settings, never key material or secret values', async () => {
    const kms = await newKms();
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const key = KeyMetadata!.Arn!;
    await kms.service('s3', 'CreateBucket', { Bucket: 'views-bucket' });
    await kms.service('s3', 'PutBucketEncryption', {
      Bucket: 'views-bucket',
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    for (const k of ['a', 'b', 'c'])
      await kms.service('s3', 'PutObject', {
        Bucket: 'views-bucket',
        Key: k,
        Body: bytes('object-body-secret'),
      });
    await kms.service('ec2', 'CreateVolume', { AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: true });
    await kms.service('ssm', 'PutParameter', { Name: '/p', Value: 'parameter-secret', Type: 'SecureString' });
    await kms.service('ssm', 'PutParameter', { Name: '/plain', Value: 'visible', Type: 'String' });
    await kms.service('secretsmanager', 'CreateSecret', { Name: 's', SecretString: 'secret-value-secret' });
    await kms.service('rds', 'CreateDBInstance', {
      DBInstanceIdentifier: 'db1',
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      StorageEncrypted: true,
    });
    await kms.service('redshift', 'CreateCluster', {
      ClusterIdentifier: 'c1',
      NodeType: 'ra3.xlplus',
      MasterUsername: 'admin',
      MasterUserPassword: 'Password-123',
      Encrypted: true,
    });

    const all = kms.serviceResources();
    const [bucket] = find(all, 's3:bucket');
    expect(bucket).toMatchObject({
      name: 'views-bucket',
      accountId: ACCOUNT,
      sseAlgorithm: 'aws:kms',
      kmsMasterKeyId: key,
      bucketKeyEnabled: true,
      kmsRequests: { GenerateDataKey: 1 },
    });
    expect(Object.keys(bucket!.bucketKeys)).toEqual([`arn:aws:iam::${ACCOUNT}:root`]);
    expect(find(all, 's3:object').map((o) => [o.key, o.kmsKeyArn, o.bucketKeyEnabled])).toEqual([
      ['a', key, true],
      ['b', key, true],
      ['c', key, true],
    ]);
    expect(find(all, 'ec2:volume')[0]).toMatchObject({ encrypted: true, state: 'available' });
    expect(find(all, 'ssm:parameter').map((p) => [p.name, p.value])).toEqual([
      ['/p', undefined],
      ['/plain', 'visible'],
    ]);
    expect(find(all, 'secretsmanager:secret')[0]!.versions).toHaveLength(1);
    expect(find(all, 'rds:db')[0]).toMatchObject({
      identifier: 'db1',
      storageEncrypted: true,
      status: 'available',
    });
    expect(find(all, 'redshift:cluster')[0]!.hierarchy!.dataBlockKeyIds.length).toBeGreaterThan(0);

    // Plain data only: no bytes anywhere, no data keys, no sealed values, no secrets.
    const walk = (v: unknown): void => {
      expect(v instanceof Uint8Array).toBe(false);
      if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(all);
    const json = JSON.stringify(all);
    for (const leak of [
      'encryptedDataKey',
      'ciphertext',
      'material',
      'sealed',
      'grantToken',
      'secret-value-secret',
      'parameter-secret',
      'object-body-secret',
      'Password-123',
    ])
      expect(json).not.toContain(leak);
  });
});
