/** Secrets Manager (kms-api.md §15): a data key per version, SecretARN + SecretVersionId context. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Kms } from '../../src/kms/index.ts';
import { kmsRecords, newKms, rejection, userWith } from './servicesHelpers.ts';

let kms: Kms;
beforeEach(async () => {
  kms = await newKms();
});

describe('secrets', () => {
  it('GenerateDataKey per version and Decrypt on read, with SecretARN and SecretVersionId', async () => {
    const from = kms.trail().length;
    const created = await kms.service('secretsmanager', 'CreateSecret', {
      Name: 'prod/db',
      SecretString: 's1',
    });
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:111122223333:secret:prod\/db-[A-Za-z0-9]{6}$/,
    );
    const v2 = await kms.service('secretsmanager', 'PutSecretValue', {
      SecretId: 'prod/db',
      SecretString: 's2',
    });
    const current = await kms.service('secretsmanager', 'GetSecretValue', { SecretId: created.ARN });
    expect(current).toMatchObject({
      SecretString: 's2',
      VersionId: v2.VersionId,
      VersionStages: ['AWSCURRENT'],
    });
    const previous = await kms.service('secretsmanager', 'GetSecretValue', {
      SecretId: 'prod/db',
      VersionStage: 'AWSPREVIOUS',
    });
    expect(previous).toMatchObject({ SecretString: 's1', VersionId: created.VersionId });
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => [r.eventName, r.requestParameters!.encryptionContext])).toEqual([
      ['GenerateDataKey', { SecretARN: created.ARN, SecretVersionId: created.VersionId }],
      ['GenerateDataKey', { SecretARN: created.ARN, SecretVersionId: v2.VersionId }],
      ['Decrypt', { SecretARN: created.ARN, SecretVersionId: v2.VersionId }],
      ['Decrypt', { SecretARN: created.ARN, SecretVersionId: created.VersionId }],
    ]);
    expect(calls[0]!.requestParameters!.keyId).toBe('alias/aws/secretsmanager');
    expect(calls.every((r) => r.userAgent === 'secretsmanager.amazonaws.com')).toBe(true);
    expect(JSON.stringify(kms.trail())).not.toContain('"s1"');
  });

  it('secretsmanager:GetSecretValue without kms:Decrypt: "Access to KMS is not allowed"', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kms.service('secretsmanager', 'CreateSecret', {
      Name: 'app',
      SecretString: 'x',
      KmsKeyId: KeyMetadata!.Arn,
    });
    const reader = await userWith(kms, 'reader', ['secretsmanager:GetSecretValue']);
    const e = await rejection(kms.service('secretsmanager', 'GetSecretValue', { SecretId: 'app' }, reader));
    expect(e.code).toBe('AccessDeniedException');
    expect(e.message).toBe('Access to KMS is not allowed');
    expect(e.explanation).toMatchObject({
      servicePermission: 'secretsmanager:GetSecretValue',
      missingPermission: 'kms:Decrypt',
    });
    const both = await userWith(kms, 'both', ['secretsmanager:GetSecretValue', 'kms:Decrypt']);
    expect(
      (await kms.service('secretsmanager', 'GetSecretValue', { SecretId: 'app' }, both)).SecretString,
    ).toBe('x');
  });

  it('a disabled key: DecryptionFailure on read, EncryptionFailure on write', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kms.service('secretsmanager', 'CreateSecret', {
      Name: 'app',
      SecretString: 'x',
      KmsKeyId: KeyMetadata!.KeyId,
    });
    await kms.call('DisableKey', { KeyId: KeyMetadata!.KeyId! });
    expect((await rejection(kms.service('secretsmanager', 'GetSecretValue', { SecretId: 'app' }))).code).toBe(
      'DecryptionFailure',
    );
    expect(
      (
        await rejection(
          kms.service('secretsmanager', 'PutSecretValue', { SecretId: 'app', SecretString: 'y' }),
        )
      ).code,
    ).toBe('EncryptionFailure');
    expect(
      (await rejection(kms.service('secretsmanager', 'GetSecretValue', { SecretId: 'nope' }))).code,
    ).toBe('ResourceNotFoundException');
  });
});
