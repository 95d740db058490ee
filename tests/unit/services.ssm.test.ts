/** Parameter Store SecureString (kms-api.md §15): standard tier Encrypt/Decrypt, advanced tier envelope. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Kms } from '../../src/kms/index.ts';
import { ACCOUNT, kmsRecords, newKms, rejection, userWith } from './servicesHelpers.ts';

let kms: Kms;
beforeEach(async () => {
  kms = await newKms();
});

const ARN = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/db-password`;

describe('SecureString', () => {
  it('standard tier: Encrypt and Decrypt under aws/ssm with PARAMETER_ARN, via SSM', async () => {
    const from = kms.trail().length;
    const put = await kms.service('ssm', 'PutParameter', {
      Name: '/app/db-password',
      Value: 'hunter2',
      Type: 'SecureString',
    });
    expect(put).toEqual({ Version: 1, Tier: 'Standard' });
    const got = await kms.service('ssm', 'GetParameter', { Name: '/app/db-password', WithDecryption: true });
    expect(got.Parameter).toMatchObject({
      Name: '/app/db-password',
      Type: 'SecureString',
      Value: 'hunter2',
      ARN,
    });
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => r.eventName)).toEqual(['Encrypt', 'Decrypt']);
    for (const r of calls) {
      expect(r.requestParameters!.encryptionContext).toEqual({ PARAMETER_ARN: ARN });
      expect(r.userIdentity).toMatchObject({ invokedBy: 'ssm.amazonaws.com' });
    }
    expect(calls[0]!.requestParameters!.keyId).toBe('alias/aws/ssm');
    expect(kms.keys().find((k) => k.keyManager === 'AWS')!.arn).toBe(calls[0]!.resources![0]!.ARN);
    // The value never appears in the trail.
    expect(JSON.stringify(kms.trail())).not.toContain('hunter2');
  });

  it('without WithDecryption: the ciphertext, and no KMS call', async () => {
    await kms.service('ssm', 'PutParameter', { Name: 'p', Value: 'v', Type: 'SecureString' });
    const from = kms.trail().length;
    const got = await kms.service('ssm', 'GetParameter', { Name: 'p' });
    expect((got.Parameter as { Value: string }).Value).not.toBe('v');
    expect(kmsRecords(kms, from)).toEqual([]);
  });

  it('advanced tier: GenerateDataKey (envelope) then Decrypt of the data key', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const from = kms.trail().length;
    const big = 'x'.repeat(6000);
    const put = await kms.service('ssm', 'PutParameter', {
      Name: '/app/big',
      Value: big,
      Type: 'SecureString',
      Tier: 'Advanced',
      KeyId: KeyMetadata!.KeyId,
    });
    expect(put).toEqual({ Version: 1, Tier: 'Advanced' });
    const got = await kms.service('ssm', 'GetParameter', { Name: '/app/big', WithDecryption: true });
    expect((got.Parameter as { Value: string }).Value).toBe(big);
    expect(kmsRecords(kms, from).map((r) => [r.eventName, r.requestParameters!.encryptionContext])).toEqual([
      ['GenerateDataKey', { PARAMETER_ARN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/big` }],
      ['Decrypt', { PARAMETER_ARN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/big` }],
    ]);
    const tooBig = await rejection(
      kms.service('ssm', 'PutParameter', { Name: 'small', Value: big, Type: 'SecureString' }),
    );
    expect(tooBig.code).toBe('ValidationException');
  });

  it('ssm:GetParameter without kms:Decrypt is denied, naming kms:Decrypt', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kms.service('ssm', 'PutParameter', {
      Name: 'p',
      Value: 'v',
      Type: 'SecureString',
      KeyId: KeyMetadata!.Arn,
    });
    const reader = await userWith(kms, 'reader', ['ssm:GetParameter']);
    // Without decryption, only the SSM permission is needed.
    await kms.service('ssm', 'GetParameter', { Name: 'p' }, reader);
    const e = await rejection(
      kms.service('ssm', 'GetParameter', { Name: 'p', WithDecryption: true }, reader),
    );
    expect(e.code).toBe('AccessDeniedException');
    expect(e.message).toContain('is not authorized to perform: kms:Decrypt');
    expect(e.explanation).toMatchObject({
      rule: 'kms-permission-missing',
      servicePermission: 'ssm:GetParameter',
      missingPermission: 'kms:Decrypt',
    });
  });

  it('disabling the key stops decryption; errors: ParameterNotFound, ParameterAlreadyExists', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kms.service('ssm', 'PutParameter', {
      Name: 'p',
      Value: 'v',
      Type: 'SecureString',
      KeyId: KeyMetadata!.Arn,
    });
    await kms.call('DisableKey', { KeyId: KeyMetadata!.KeyId! });
    expect(
      (await rejection(kms.service('ssm', 'GetParameter', { Name: 'p', WithDecryption: true }))).code,
    ).toBe('DisabledException');
    expect((await rejection(kms.service('ssm', 'GetParameter', { Name: 'q' }))).code).toBe(
      'ParameterNotFound',
    );
    expect((await rejection(kms.service('ssm', 'PutParameter', { Name: 'p', Value: 'w' }))).code).toBe(
      'ParameterAlreadyExists',
    );
  });
});
