/**
 * HMAC keys (HMAC_224/256/384/512, GENERATE_VERIFY_MAC): CreateKey, DescribeKey, GenerateMac,
 * VerifyMac and the errors AWS answers (kms-api.md §2.2, §3).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKms, MemoryStore, type Kms } from '../../src/kms/index.ts';

const SPECS = [
  ['HMAC_224', 'HMAC_SHA_224', 28],
  ['HMAC_256', 'HMAC_SHA_256', 32],
  ['HMAC_384', 'HMAC_SHA_384', 48],
  ['HMAC_512', 'HMAC_SHA_512', 64],
] as const;
const message = new TextEncoder().encode('message');

let kms: Kms;
const keys = new Map<string, string>();
beforeAll(async () => {
  kms = await createKms({ store: new MemoryStore() });
  for (const [spec] of SPECS)
    keys.set(
      spec,
      (await kms.call('CreateKey', { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!.Arn!,
    );
});

describe.each(SPECS)('%s', (spec, algorithm, length) => {
  it('DescribeKey lists its one MAC algorithm and no encryption algorithms or key material ID', async () => {
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: keys.get(spec)! });
    expect(KeyMetadata).toMatchObject({
      KeySpec: spec,
      KeyUsage: 'GENERATE_VERIFY_MAC',
      MacAlgorithms: [algorithm],
    });
    expect(KeyMetadata).not.toHaveProperty('EncryptionAlgorithms');
    expect(KeyMetadata).not.toHaveProperty('SigningAlgorithms');
    expect(KeyMetadata).not.toHaveProperty('CurrentKeyMaterialId');
  });

  it('GenerateMac is deterministic and VerifyMac accepts it', async () => {
    const KeyId = keys.get(spec)!;
    const a = await kms.call('GenerateMac', { KeyId, Message: message, MacAlgorithm: algorithm });
    const b = await kms.call('GenerateMac', { KeyId, Message: message, MacAlgorithm: algorithm });
    expect(a).toEqual({ Mac: b.Mac, MacAlgorithm: algorithm, KeyId });
    expect(a.Mac!.length).toBe(length);
    expect(
      await kms.call('VerifyMac', { KeyId, Message: message, Mac: a.Mac!, MacAlgorithm: algorithm }),
    ).toEqual({
      KeyId,
      MacValid: true,
      MacAlgorithm: algorithm,
    });
  });

  it('VerifyMac with a wrong MAC or message throws KMSInvalidMacException, never MacValid=false', async () => {
    const KeyId = keys.get(spec)!;
    const { Mac } = await kms.call('GenerateMac', { KeyId, Message: message, MacAlgorithm: algorithm });
    const bad = Mac!.slice();
    bad[0]! ^= 1;
    await expect(
      kms.call('VerifyMac', { KeyId, Message: message, Mac: bad, MacAlgorithm: algorithm }),
    ).rejects.toMatchObject({
      code: 'KMSInvalidMacException',
      message: '',
    });
    await expect(
      kms.call('VerifyMac', { KeyId, Message: new Uint8Array([1]), Mac: Mac!, MacAlgorithm: algorithm }),
    ).rejects.toMatchObject({ code: 'KMSInvalidMacException' });
  });
});

describe('HMAC errors', () => {
  it('a MAC algorithm of another spec: InvalidKeyUsageException', async () => {
    await expect(
      kms.call('GenerateMac', {
        KeyId: keys.get('HMAC_224')!,
        Message: message,
        MacAlgorithm: 'HMAC_SHA_256',
      }),
    ).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    });
  });

  it('HMAC keys need KeyUsage GENERATE_VERIFY_MAC, passed explicitly', async () => {
    await expect(kms.call('CreateKey', { KeySpec: 'HMAC_256' })).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
    await expect(
      kms.call('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'SIGN_VERIFY' }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
    });
  });

  it('usage mismatches both ways carry AWS wording', async () => {
    const symmetric = (await kms.call('CreateKey', {})).KeyMetadata!.Arn!;
    await expect(
      kms.call('GenerateMac', { KeyId: symmetric, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    ).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: `${symmetric} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`,
    });
    const hmac = keys.get('HMAC_256')!;
    await expect(kms.call('Encrypt', { KeyId: hmac, Plaintext: message })).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: `${hmac} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`,
    });
    await expect(kms.call('GetPublicKey', { KeyId: hmac })).rejects.toMatchObject({
      code: 'UnsupportedOperationException',
    });
  });

  it('a disabled HMAC key refuses GenerateMac; DryRun answers DryRunOperationException', async () => {
    const KeyId = (await kms.call('CreateKey', { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }))
      .KeyMetadata!.Arn!;
    await expect(
      kms.call('GenerateMac', { KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384', DryRun: true }),
    ).rejects.toMatchObject({ code: 'DryRunOperationException' });
    await kms.call('DisableKey', { KeyId });
    await expect(
      kms.call('GenerateMac', { KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384' }),
    ).rejects.toMatchObject({
      code: 'DisabledException',
      message: `${KeyId} is disabled.`,
    });
  });
});
