import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type KeySpec,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, expectKmsError, httpTransport, inProcessTransport, type Transport } from './harness.ts';

const text = (s: string) => new TextEncoder().encode(s);
const DAY = 86_400;

describe.each([
  ['in-process requestHandler', inProcessTransport],
  ['HTTP endpoint', httpTransport],
])('@aws-sdk/client-kms against KMS Lab (%s)', (_name, open) => {
  let t: Transport;
  let kms: KMSClient;
  let keyArn: string;

  beforeAll(async () => {
    t = await open();
    kms = t.client('us-east-1');
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'conformance' }));
    keyArn = KeyMetadata!.Arn!;
  });
  afterAll(() => t.close());

  const newKey = async (client = kms) => (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;

  it('creates a key, encrypts via an alias, decrypts without KeyId, re-encrypts and generates data keys', async () => {
    const created = await kms.send(
      new CreateKeyCommand({ Description: 'app key', Tags: [{ TagKey: 'team', TagValue: 'blue' }] }),
    );
    const meta = created.KeyMetadata!;
    expect(meta).toMatchObject({
      AWSAccountId: ACCOUNT,
      Description: 'app key',
      KeyState: 'Enabled',
      Enabled: true,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
    });
    expect(meta.Arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${meta.KeyId}`);
    expect(meta.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(meta.CreationDate!.getTime() - t.kms.now())).toBeLessThan(60_000);

    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: meta.KeyId }));
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: meta.KeyId }));
    expect(Aliases).toEqual([
      expect.objectContaining({
        AliasName: 'alias/app',
        AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`,
        TargetKeyId: meta.KeyId,
        CreationDate: expect.any(Date),
      }),
    ]);

    const context = { purpose: 'conformance' };
    const enc = await kms.send(
      new EncryptCommand({ KeyId: 'alias/app', Plaintext: text('hello KMS'), EncryptionContext: context }),
    );
    expect(enc.KeyId).toBe(meta.Arn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(enc.CiphertextBlob).toBeInstanceOf(Uint8Array);

    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }),
    );
    expect(new TextDecoder().decode(dec.Plaintext)).toBe('hello KMS');
    expect(dec.KeyId).toBe(meta.Arn);

    const re = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: context,
        DestinationKeyId: keyArn,
      }),
    );
    expect(re).toMatchObject({ SourceKeyId: meta.Arn, KeyId: keyArn });
    const dec2 = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
    expect(new TextDecoder().decode(dec2.Plaintext)).toBe('hello KMS');
    expect(dec2.KeyId).toBe(keyArn);

    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/app', KeySpec: 'AES_256' }));
    expect(dk.Plaintext).toHaveLength(32);
    expect(dk.KeyId).toBe(meta.Arn);
    const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(unwrapped.Plaintext).toEqual(dk.Plaintext);
  });

  it('pages ListKeys with Limit and Marker', async () => {
    const west = t.client('eu-west-1');
    const arns = [await newKey(west), await newKey(west), await newKey(west)];
    const first = await west.send(new ListKeysCommand({ Limit: 2 }));
    expect(first.Keys).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    expect(first.NextMarker).toEqual(expect.any(String));
    const second = await west.send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));
    expect(second.Keys).toHaveLength(1);
    expect(second.Truncated).toBe(false);
    expect(second.NextMarker).toBeUndefined();
    // AWS documents no order for ListKeys: compare as sets.
    expect([...first.Keys!, ...second.Keys!].map((k) => k.KeyArn).sort()).toEqual(arns.sort());
    await expectKmsError(
      west.send(new ListKeysCommand({ Marker: 'not-a-marker' })),
      'InvalidMarkerException',
      'Invalid marker',
    );
  });

  it('tags and untags a key', async () => {
    await kms.send(
      new TagResourceCommand({
        KeyId: keyArn,
        Tags: [
          { TagKey: 'env', TagValue: 'test' },
          { TagKey: 'owner', TagValue: 'alice' },
        ],
      }),
    );
    await kms.send(new UntagResourceCommand({ KeyId: keyArn, TagKeys: ['owner'] }));
    const { Tags, Truncated } = await kms.send(new ListResourceTagsCommand({ KeyId: keyArn }));
    expect(Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }]);
    expect(Truncated).toBe(false);
  });

  it('returns the default key policy text', async () => {
    const { Policy, PolicyName } = await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn }));
    expect(PolicyName).toBe('default');
    expect(Policy).toBe(`{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::${ACCOUNT}:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`);
  });

  it('answers unknown keys and aliases with NotFoundException', async () => {
    await expectKmsError(
      kms.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })),
      'NotFoundException',
      "Invalid keyId 'fake-key-id'",
    );
    const missing = '0b9f7c6e-1d2a-4b3c-8d4e-5f6a7b8c9d0e';
    await expectKmsError(
      kms.send(new DescribeKeyCommand({ KeyId: missing })),
      'NotFoundException',
      `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${missing}' does not exist`,
    );
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: 'alias/nope', Plaintext: text('x') })),
      'NotFoundException',
      `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nope is not found.`,
    );
  });

  it('answers constraint violations with ValidationException', async () => {
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: new Uint8Array(4097) })),
      'ValidationException',
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    await expectKmsError(
      kms.send(new CreateKeyCommand({ KeySpec: 'AES_256' as KeySpec })),
      'ValidationException',
      "1 validation error detected: Value 'AES_256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: " +
        '[RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, ' +
        'HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]',
    );
    await expectKmsError(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 31 })),
      'ValidationException',
      "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
    );
  });

  it('refuses crypto on disabled keys and keys pending deletion', async () => {
    const disabled = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: disabled }));
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: disabled, Plaintext: text('x') })),
      'DisabledException',
      `${disabled} is disabled.`,
    );
    const doomed = await newKey();
    const scheduled = await kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({ KeyId: doomed, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate).toBeInstanceOf(Date);
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: doomed, Plaintext: text('x') })),
      'KMSInvalidStateException',
      `${doomed} is pending deletion (or pending replica deletion).`,
    );
  });

  it('rejects a wrong encryption context, a wrong KeyId and DryRun', async () => {
    const other = await newKey();
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: text('secret'), EncryptionContext: { a: 'bc' } }),
    );
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { ab: 'c' } })),
      'InvalidCiphertextException',
      // AWS sends this exception without a message; the SDK then reports 'UnknownError'.
      'UnknownError',
    );
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'bc' }, KeyId: other })),
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: text('x'), DryRun: true })),
      'DryRunOperationException',
      'The request would have succeeded, but the DryRun option is set.',
    );
  });

  it('takes the Region from the SigV4 credential scope', async () => {
    const west = t.client('us-west-2');
    const { KeyMetadata } = await west.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:us-west-2:111122223333:key\//);
    await expectKmsError(
      kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.Arn })),
      'NotFoundException',
      'Invalid arn us-west-2',
    );
    await expectKmsError(
      kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId })),
      'NotFoundException',
      `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${KeyMetadata!.KeyId}' does not exist`,
    );
    const { KeyMetadata: again } = await west.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(again!.Arn).toBe(KeyMetadata!.Arn);
  });

  it('deletes a key when KmsLab.AdvanceClock passes its waiting period', async () => {
    const doomed = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    const before = t.kms.now();
    const { Now, FiredEvents } = await t.advanceClock(7 * DAY + 1);
    expect(Now * 1000).toBeGreaterThanOrEqual(before + (7 * DAY + 1) * 1000);
    expect(FiredEvents).toContainEqual(expect.objectContaining({ Kind: 'DeleteKey', KeyArn: doomed }));
    await expectKmsError(
      kms.send(new DescribeKeyCommand({ KeyId: doomed })),
      'NotFoundException',
      `Key '${doomed}' does not exist`,
    );
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: 'alias/doomed', Plaintext: text('x') })),
      'NotFoundException',
      `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/doomed is not found.`,
    );
  });
});
