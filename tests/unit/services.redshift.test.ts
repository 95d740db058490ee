/**
 * Redshift encryption (kms-api.md §15): the four-tier hierarchy rooted in a KMS key, the cluster
 * key from GenerateDataKey with `aws:redshift:arn` + `aws:redshift:createtime`, Redshift's grant,
 * RotateEncryptionKey, and two-key access.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Kms } from '../../src/kms/index.ts';
import { ACCOUNT, kmsRecords, newKms, rejection, userWith } from './servicesHelpers.ts';

let kms: Kms;
beforeEach(async () => {
  kms = await newKms();
});

type Hierarchy = {
  RootKey: string;
  ClusterKeyId: string;
  ClusterKeyEncryptionContext: Record<string, string>;
  DatabaseKeyId: string;
  DataBlockKeyIds: string[];
  Rotations: number;
};
type Cluster = {
  ClusterIdentifier: string;
  Encrypted: boolean;
  KmsKeyId?: string;
  EncryptionKeyHierarchy?: Hierarchy;
};

const ARN = `arn:aws:redshift:us-east-1:${ACCOUNT}:cluster:analytics`;

const createCluster = async (input: Record<string, unknown>, caller?: Parameters<Kms['service']>[3]) =>
  (
    await kms.service(
      'redshift',
      'CreateCluster',
      {
        ClusterIdentifier: 'analytics',
        NodeType: 'ra3.xlplus',
        MasterUsername: 'awsuser',
        MasterUserPassword: 'Sup3rSecret!',
        ...input,
      },
      caller,
    )
  ).Cluster as Cluster;

const describeCluster = async () =>
  (
    (await kms.service('redshift', 'DescribeClusters', { ClusterIdentifier: 'analytics' }))
      .Clusters as Cluster[]
  )[0]!;

describe('CreateCluster', () => {
  it('Encrypted: DescribeKey, CreateGrant for Redshift, GenerateDataKey for the cluster key with arn + createtime', async () => {
    const from = kms.trail().length;
    const c = await createCluster({ Encrypted: true });
    const managed = kms.keys().find((k) => k.keyManager === 'AWS')!;
    expect(kms.aliases().find((a) => a.aliasName === 'alias/aws/redshift')!.targetKeyId).toBe(managed.keyId);
    expect(c).toMatchObject({ ClusterIdentifier: 'analytics', Encrypted: true, KmsKeyId: managed.arn });
    const context = { 'aws:redshift:arn': ARN, 'aws:redshift:createtime': '20260101T0000Z' };
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => r.eventName)).toEqual(['DescribeKey', 'CreateGrant', 'GenerateDataKey']);
    for (const r of calls)
      expect(r).toMatchObject({
        userAgent: 'redshift.amazonaws.com',
        userIdentity: { type: 'Root', invokedBy: 'redshift.amazonaws.com' },
      });
    expect(calls[1]!.requestParameters).toMatchObject({
      keyId: managed.arn,
      granteePrincipal: 'redshift.us-east-1.amazonaws.com',
      retiringPrincipal: 'redshift.us-east-1.amazonaws.com',
      constraints: { encryptionContextSubset: { 'aws:redshift:arn': ARN } },
    });
    expect(calls[2]!.requestParameters).toMatchObject({ keyId: managed.arn, encryptionContext: context });

    // The hierarchy, as IDs only.
    const h = c.EncryptionKeyHierarchy!;
    expect(h).toMatchObject({ RootKey: managed.arn, ClusterKeyEncryptionContext: context, Rotations: 0 });
    expect(h.ClusterKeyId).toMatch(/^ck-[0-9a-f]{16}$/);
    expect(h.DatabaseKeyId).toMatch(/^dbk-[0-9a-f]{16}$/);
    expect(h.DataBlockKeyIds).toHaveLength(4);
    const described = await describeCluster();
    expect(described.EncryptionKeyHierarchy).toEqual(h);
    const json = JSON.stringify(described);
    expect(json).not.toMatch(/sealed|encrypted(Cluster|Data)Key|Plaintext|CiphertextBlob/);
    expect(JSON.stringify(kms.trail())).not.toContain('Sup3rSecret!');
  });

  it('unencrypted clusters make no KMS call; KmsKeyId requires Encrypted', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const from = kms.trail().length;
    const c = await createCluster({});
    expect(c.Encrypted).toBe(false);
    expect(c.EncryptionKeyHierarchy).toBeUndefined();
    expect(kmsRecords(kms, from)).toEqual([]);
    expect(
      (await rejection(createCluster({ ClusterIdentifier: 'other', KmsKeyId: KeyMetadata!.Arn }))).code,
    ).toBe('InvalidParameterCombination');
    expect((await rejection(createCluster({}))).code).toBe('ClusterAlreadyExists');
  });
});

describe('RotateEncryptionKey', () => {
  it('Decrypts the old cluster key, generates a new one; new cluster and database keys, same data block keys', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const before = (await createCluster({ Encrypted: true, KmsKeyId: KeyMetadata!.KeyId }))
      .EncryptionKeyHierarchy!;
    await kms.advanceClock(3600);
    const from = kms.trail().length;
    const after = (
      (await kms.service('redshift', 'RotateEncryptionKey', { ClusterIdentifier: 'analytics' }))
        .Cluster as Cluster
    ).EncryptionKeyHierarchy!;
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => [r.eventName, r.requestParameters!.encryptionContext])).toEqual([
      ['Decrypt', before.ClusterKeyEncryptionContext],
      ['GenerateDataKey', { 'aws:redshift:arn': ARN, 'aws:redshift:createtime': '20260101T0100Z' }],
    ]);
    expect(calls.every((r) => r.resources![0]!.ARN === KeyMetadata!.Arn)).toBe(true);
    expect(after.ClusterKeyId).not.toBe(before.ClusterKeyId);
    expect(after.DatabaseKeyId).not.toBe(before.DatabaseKeyId);
    expect(after.DataBlockKeyIds).toEqual(before.DataBlockKeyIds);
    expect(after.Rotations).toBe(1);
    // The new hierarchy really unwraps: a second rotation decrypts the new cluster key.
    await kms.service('redshift', 'RotateEncryptionKey', { ClusterIdentifier: 'analytics' });
    expect((await describeCluster()).EncryptionKeyHierarchy!.Rotations).toBe(2);
  });

  it('an unencrypted cluster has nothing to rotate; a disabled key stops the rotation', async () => {
    await createCluster({});
    expect(
      (await rejection(kms.service('redshift', 'RotateEncryptionKey', { ClusterIdentifier: 'analytics' })))
        .code,
    ).toBe('InvalidClusterState');
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await createCluster({ ClusterIdentifier: 'enc', Encrypted: true, KmsKeyId: KeyMetadata!.Arn });
    await kms.call('DisableKey', { KeyId: KeyMetadata!.KeyId! });
    const e = await rejection(kms.service('redshift', 'RotateEncryptionKey', { ClusterIdentifier: 'enc' }));
    expect(e.code).toBe('InvalidClusterState');
    expect(e.message).toContain('DisabledException');
  });
});

describe("Redshift's grant and two-key access", () => {
  it('redshift:CreateCluster without kms:GenerateDataKey is denied, naming it; the grant is retired', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const none = await userWith(kms, 'none', ['redshift:CreateCluster']);
    const e0 = await rejection(createCluster({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn }, none));
    expect(e0.code).toBe('UnauthorizedOperation');
    expect(e0.explanation).toMatchObject({
      rule: 'kms-permission-missing',
      servicePermission: 'redshift:CreateCluster',
      missingPermission: 'kms:DescribeKey',
    });
    const almost = await userWith(kms, 'almost', [
      'redshift:CreateCluster',
      'kms:DescribeKey',
      'kms:CreateGrant',
    ]);
    const e = await rejection(createCluster({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn }, almost));
    expect(e.explanation).toMatchObject({ missingPermission: 'kms:GenerateDataKey' });
    expect((await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! })).Grants).toEqual([]);
    const full = await userWith(kms, 'full', [
      'redshift:CreateCluster',
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKey',
    ]);
    expect((await createCluster({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn }, full)).Encrypted).toBe(true);
    const noService = await userWith(kms, 'noservice', ['kms:*']);
    expect((await rejection(createCluster({ ClusterIdentifier: 'x' }, noService))).code).toBe('AccessDenied');
  });

  it('RebootCluster: Redshift decrypts the cluster key with its grant; DeleteCluster retires it', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await createCluster({ Encrypted: true, KmsKeyId: KeyMetadata!.Arn });
    const ops = await userWith(kms, 'ops', ['redshift:RebootCluster', 'redshift:DeleteCluster']);
    const from = kms.trail().length;
    await kms.service('redshift', 'RebootCluster', { ClusterIdentifier: 'analytics' }, ops);
    const [decrypt, ...rest] = kmsRecords(kms, from);
    expect(rest).toEqual([]);
    expect(decrypt).toMatchObject({
      eventName: 'Decrypt',
      userIdentity: { type: 'AWSService', invokedBy: 'redshift.amazonaws.com' },
    });
    expect(decrypt!.errorCode).toBeUndefined();
    await kms.service(
      'redshift',
      'DeleteCluster',
      { ClusterIdentifier: 'analytics', SkipFinalClusterSnapshot: true },
      ops,
    );
    expect((await kms.call('ListGrants', { KeyId: KeyMetadata!.KeyId! })).Grants).toEqual([]);
    expect((await rejection(describeCluster())).code).toBe('ClusterNotFound');
  });
});
