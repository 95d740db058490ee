/**
 * AWS managed keys (kms-api.md §6, §15): created in the caller's account on first use of the
 * predefined alias, KeyManager AWS, the ViaService/CallerAccount key policy, yearly rotation,
 * refused customer management, predefined aliases in ListAliases.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, rootPrincipal, type Kms } from '../../src/kms/index.ts';
import { AWS_MANAGED_KEY_SERVICES } from '../../src/kms/world/awsManagedKeys.ts';

const START = new Date('2026-01-01T00:00:00Z');
const DAY_S = 86_400;
const ACCOUNT = '111122223333';

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

let kms: Kms;
beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
});

describe('creation on first use', () => {
  it('ListAliases shows the predefined alias/aws/* aliases without a target before first use', async () => {
    const { Aliases } = await kms.call('ListAliases', {});
    const names = Aliases!.map((a) => a.AliasName);
    for (const svc of ['s3', 'ebs', 'rds', 'redshift', 'ssm', 'secretsmanager'])
      expect(names).toContain(`alias/aws/${svc}`);
    const s3 = Aliases!.find((a) => a.AliasName === 'alias/aws/s3')!;
    expect(s3).toEqual({
      AliasName: 'alias/aws/s3',
      AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/s3`,
    });
    expect((await kms.call('ListKeys', {})).Keys).toEqual([]);
  });

  it('DescribeKey on alias/aws/s3 creates the AWS managed key, once', async () => {
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' });
    expect(m).toMatchObject({
      AWSAccountId: ACCOUNT,
      KeyManager: 'AWS',
      KeyState: 'Enabled',
      Enabled: true,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      MultiRegion: false,
      Description: 'Default key that protects my S3 objects when no other key is defined',
    });
    expect(m!.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const again = await kms.call('DescribeKey', {
      KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/s3`,
    });
    expect(again.KeyMetadata!.KeyId).toBe(m!.KeyId);
    expect((await kms.call('ListKeys', {})).Keys).toEqual([{ KeyId: m!.KeyId, KeyArn: m!.Arn }]);
    const alias = (await kms.call('ListAliases', { KeyId: m!.KeyId! })).Aliases!;
    expect(alias).toMatchObject([{ AliasName: 'alias/aws/s3', TargetKeyId: m!.KeyId }]);
  });

  it('is created per account and Region', async () => {
    const east = await kms.call('DescribeKey', { KeyId: 'alias/aws/ebs' });
    const west = await kms.call(
      'DescribeKey',
      { KeyId: 'alias/aws/ebs' },
      {
        principal: rootPrincipal(ACCOUNT),
        region: 'eu-west-1',
      },
    );
    expect(west.KeyMetadata!.KeyId).not.toBe(east.KeyMetadata!.KeyId);
    expect(west.KeyMetadata!.Arn).toContain(':eu-west-1:');
  });

  it('an unknown alias/aws/ name is still NotFound', async () => {
    const e = await rejection(kms.call('DescribeKey', { KeyId: 'alias/aws/nosuchservice' }));
    expect(e.code).toBe('NotFoundException');
  });

  it('knows at least the services of the seed', () => {
    expect(AWS_MANAGED_KEY_SERVICES.map((s) => s.alias)).toEqual(
      expect.arrayContaining([
        'alias/aws/s3',
        'alias/aws/ebs',
        'alias/aws/rds',
        'alias/aws/redshift',
        'alias/aws/ssm',
        'alias/aws/secretsmanager',
      ]),
    );
  });
});

describe('the AWS managed key policy', () => {
  it('lets the account use the key only through the service (ViaService + CallerAccount)', async () => {
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: 'alias/aws/ebs' });
    const { Policy } = await kms.call('GetKeyPolicy', { KeyId: m!.KeyId!, PolicyName: 'default' });
    expect(Policy).toContain('"Version" : "2012-10-17"');
    const policy = JSON.parse(Policy!);
    expect(policy.Id).toBe('auto-ebs-2');
    expect(policy.Statement[0]).toEqual({
      Sid: 'Allow access through EBS for all principals in the account that are authorized to use EBS',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:CreateGrant',
        'kms:DescribeKey',
      ],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
      },
    });
    expect(policy.Statement[1]).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
    });
  });
});

describe('cryptographic use', () => {
  it('is refused directly and allowed through the owning service (the key policy decides)', async () => {
    await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' });
    const e = await rejection(kms.call('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: new Uint8Array([1]) }));
    expect(e.code).toBe('AccessDeniedException');
    const viaS3 = {
      principal: rootPrincipal(ACCOUNT),
      region: 'us-east-1',
      viaService: 's3.us-east-1.amazonaws.com',
    };
    const ct = await kms.call('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: new Uint8Array([1]) }, viaS3);
    expect((await kms.call('Decrypt', { CiphertextBlob: ct.CiphertextBlob! }, viaS3)).Plaintext).toEqual(
      new Uint8Array([1]),
    );
  });
});

describe('rotation', () => {
  it('always reports rotation on, yearly, and rotates on the clock', async () => {
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' });
    const status = await kms.call('GetKeyRotationStatus', { KeyId: m!.KeyId! });
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    const before = await kms.advanceClock(400 * DAY_S);
    expect(before.map((e) => e.kind)).toEqual(['RotateKey']);
    const after = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' });
    expect(after.KeyMetadata!.CurrentKeyMaterialId).not.toBe(m!.CurrentKeyMaterialId);
  });
});

describe('customer management is refused', () => {
  let keyId: string;
  beforeEach(async () => {
    keyId = (await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata!.KeyId!;
  });

  const refusals: [string, () => Promise<unknown>][] = [
    ['EnableKeyRotation', () => kms.call('EnableKeyRotation', { KeyId: keyId })],
    ['DisableKeyRotation', () => kms.call('DisableKeyRotation', { KeyId: keyId })],
    ['RotateKeyOnDemand', () => kms.call('RotateKeyOnDemand', { KeyId: keyId })],
    ['ScheduleKeyDeletion', () => kms.call('ScheduleKeyDeletion', { KeyId: keyId })],
    ['DisableKey', () => kms.call('DisableKey', { KeyId: keyId })],
    [
      'PutKeyPolicy',
      () =>
        kms.call('PutKeyPolicy', {
          KeyId: keyId,
          PolicyName: 'default',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          }),
        }),
    ],
    ['TagResource', () => kms.call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })],
    ['UpdateKeyDescription', () => kms.call('UpdateKeyDescription', { KeyId: keyId, Description: 'x' })],
    ['CreateAlias', () => kms.call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: keyId })],
  ];
  for (const [name, call] of refusals)
    it(`refuses ${name}`, async () => {
      const e = await rejection(call());
      expect(['UnsupportedOperationException', 'AccessDeniedException']).toContain(e.code);
    });

  it('refuses to delete or re-point the alias/aws/ alias', async () => {
    const e = await rejection(kms.call('DeleteAlias', { AliasName: 'alias/aws/s3' }));
    expect(e.code).toBe('NotAuthorizedException');
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const u = await rejection(
      kms.call('UpdateAlias', { AliasName: 'alias/aws/s3', TargetKeyId: KeyMetadata!.KeyId! }),
    );
    expect(u.code).toBe('NotAuthorizedException');
  });
});
