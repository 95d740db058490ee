/**
 * Symmetric encryption and the ciphertext blob (kms-api.md §2.2, §11, §14): round trips, any
 * corruption is an InvalidCiphertextException, the encryption context is bound exactly (order
 * aside), Decrypt needs no KeyId but refuses a wrong one, ReEncrypt, data keys and DryRun.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, rootPrincipal, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const text = (s: string) => new TextEncoder().encode(s);

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

async function expectError(p: Promise<unknown>, code: string, message: string) {
  const e = await rejection(p);
  expect({ name: e.name, code: e.code, message: e.message }).toEqual({ name: code, code, message });
}

const invalidCiphertext = (p: Promise<unknown>) => expectError(p, 'InvalidCiphertextException', '');
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';
const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';

let kms: Kms;
let key: { id: string; arn: string };
let other: { id: string; arn: string };

const newKey = async () => {
  const { KeyMetadata } = await kms.call('CreateKey', {});
  return { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
};

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  key = await newKey();
  other = await newKey();
});

describe('Encrypt and Decrypt', () => {
  it.each([1, 16, 1000, 4096])('round-trips %i bytes without a KeyId on Decrypt', async (n) => {
    const plaintext = crypto.getRandomValues(new Uint8Array(n));
    const enc = await kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext });
    expect(enc).toEqual({
      CiphertextBlob: expect.any(Uint8Array),
      KeyId: key.arn,
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(enc.CiphertextBlob!.length).toBeGreaterThan(n);
    expect(enc.CiphertextBlob!.length).toBeLessThanOrEqual(6144);
    const dec = await kms.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob! });
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: key.id });
    expect(dec).toEqual({
      KeyId: key.arn,
      Plaintext: plaintext,
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      KeyMaterialId: KeyMetadata!.CurrentKeyMaterialId,
    });
  });

  it('never makes the same ciphertext twice, nor embeds the plaintext', async () => {
    const plaintext = text('the same secret, twice over');
    const a = (await kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext })).CiphertextBlob!;
    const b = (await kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext })).CiphertextBlob!;
    expect(a).not.toEqual(b);
    expect(Buffer.from(a).includes(Buffer.from(plaintext))).toBe(false);
  });

  it('does not leave the plaintext buffers changed', async () => {
    const plaintext = text('keep me');
    const copy = plaintext.slice();
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext });
    expect(plaintext).toEqual(copy);
    const blobCopy = CiphertextBlob!.slice();
    await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob! });
    expect(CiphertextBlob).toEqual(blobCopy);
  });

  it('accepts a KeyId naming the key that encrypted, in any form', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/k', TargetKeyId: key.id });
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    for (const ref of [key.id, key.arn, 'alias/k', `arn:aws:kms:us-east-1:111122223333:alias/k`])
      expect((await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob!, KeyId: ref })).KeyId).toBe(
        key.arn,
      );
  });

  it('refuses a KeyId naming another key with IncorrectKeyException', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/other', TargetKeyId: other.id });
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    for (const ref of [other.id, other.arn, 'alias/other'])
      await expectError(
        kms.call('Decrypt', { CiphertextBlob: CiphertextBlob!, KeyId: ref }),
        'IncorrectKeyException',
        INCORRECT_KEY,
      );
  });

  it('refuses an algorithm other than SYMMETRIC_DEFAULT for a symmetric key', async () => {
    const e = await rejection(
      kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    expect(e.name).toBe('InvalidKeyUsageException');
  });

  it('cannot decrypt in another Region', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    await expectError(
      kms.call(
        'Decrypt',
        { CiphertextBlob: CiphertextBlob! },
        { principal: rootPrincipal(), region: 'eu-west-1' },
      ),
      'AccessDeniedException',
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    );
  });
});

describe('corrupted ciphertext', () => {
  let blob: Uint8Array;

  beforeEach(async () => {
    blob = (
      await kms.call('Encrypt', {
        KeyId: key.id,
        Plaintext: text('integrity matters'),
        EncryptionContext: { purpose: 'test' },
      })
    ).CiphertextBlob!;
  });

  const decrypt = (b: Uint8Array) =>
    kms.call('Decrypt', { CiphertextBlob: b, EncryptionContext: { purpose: 'test' } });

  it('decrypts the intact blob', async () => {
    expect((await decrypt(blob)).Plaintext).toEqual(text('integrity matters'));
  });

  it.each([
    ['one bit (xor 0x01)', 0x01],
    ['the top bit (xor 0x80)', 0x80],
    ['every bit (xor 0xff)', 0xff],
  ])('refuses the blob with %s of ANY single byte flipped', async (_label, mask) => {
    const answers = new Map<string, number[]>();
    for (let i = 0; i < blob.length; i++) {
      const bad = blob.slice();
      bad[i]! ^= mask;
      let answer: string;
      try {
        await decrypt(bad);
        answer = 'decrypted';
      } catch (e) {
        answer = e instanceof KmsError ? `${e.code}: ${e.message}` : String(e);
      }
      answers.set(answer, [...(answers.get(answer) ?? []), i]);
    }
    // Report every position that was not refused as AWS refuses corruption.
    expect(Object.fromEntries(answers)).toEqual({ 'InvalidCiphertextException: ': expect.any(Array) });
    expect(answers.get('InvalidCiphertextException: ')).toHaveLength(blob.length);
  });

  it('refuses every truncation and an extension', async () => {
    for (let n = 1; n < blob.length; n++) await invalidCiphertext(decrypt(blob.slice(0, n)));
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    await invalidCiphertext(decrypt(longer));
  });

  it('refuses garbage of any length', async () => {
    for (const n of [1, 2, 16, 64, 200, 6144]) {
      const garbage = crypto.getRandomValues(new Uint8Array(n));
      await invalidCiphertext(kms.call('Decrypt', { CiphertextBlob: garbage }));
      garbage[0] = 1; // even with the right version byte
      await invalidCiphertext(kms.call('Decrypt', { CiphertextBlob: garbage }));
    }
    await invalidCiphertext(kms.call('Decrypt', { CiphertextBlob: new Uint8Array(100) }));
  });

  it('refuses a corrupted blob through ReEncrypt too', async () => {
    const bad = blob.slice();
    bad[bad.length - 1]! ^= 1;
    await invalidCiphertext(
      kms.call('ReEncrypt', {
        CiphertextBlob: bad,
        SourceEncryptionContext: { purpose: 'test' },
        DestinationKeyId: other.id,
      }),
    );
  });
});

describe('encryption context', () => {
  const encryptWith = async (ec?: Record<string, string>) =>
    (await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('bound'), EncryptionContext: ec }))
      .CiphertextBlob!;
  const decryptWith = (blob: Uint8Array, ec?: Record<string, string>) =>
    kms.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: ec });

  it('must be given back exactly to decrypt', async () => {
    const blob = await encryptWith({ Department: 'Engineering', Project: 'Alpha' });
    expect((await decryptWith(blob, { Department: 'Engineering', Project: 'Alpha' })).Plaintext).toEqual(
      text('bound'),
    );
    await invalidCiphertext(decryptWith(blob));
    await invalidCiphertext(decryptWith(blob, { Department: 'Engineering' }));
    await invalidCiphertext(decryptWith(blob, { Department: 'Engineering', Project: 'Alpha', Extra: 'x' }));
    await invalidCiphertext(decryptWith(blob, { Department: 'Engineering', Project: 'Beta' }));
  });

  it('is not required when none was bound, and refused when one was not bound', async () => {
    const blob = await encryptWith();
    expect((await decryptWith(blob)).Plaintext).toEqual(text('bound'));
    await invalidCiphertext(decryptWith(blob, { a: 'b' }));
  });

  it('is unambiguous: {"ab":"c"} and {"a":"bc"} never decrypt each other’s data', async () => {
    const abC = await encryptWith({ ab: 'c' });
    const aBc = await encryptWith({ a: 'bc' });
    await invalidCiphertext(decryptWith(abC, { a: 'bc' }));
    await invalidCiphertext(decryptWith(aBc, { ab: 'c' }));
    expect((await decryptWith(abC, { ab: 'c' })).Plaintext).toEqual(text('bound'));
    expect((await decryptWith(aBc, { a: 'bc' })).Plaintext).toEqual(text('bound'));
    // Nor can pairs be regrouped.
    const two = await encryptWith({ a: 'b', c: 'd' });
    await invalidCiphertext(decryptWith(two, { a: 'bc', '': 'd' }));
    await invalidCiphertext(decryptWith(two, { a: 'b:c=d' }));
  });

  it('ignores the order of pairs', async () => {
    const blob = await encryptWith({ z: '1', a: '2', m: '3' });
    expect((await decryptWith(blob, { a: '2', m: '3', z: '1' })).Plaintext).toEqual(text('bound'));
    expect((await decryptWith(blob, { m: '3', z: '1', a: '2' })).Plaintext).toEqual(text('bound'));
  });

  it('is case-sensitive in keys and values', async () => {
    const blob = await encryptWith({ Project: 'Alpha' });
    await invalidCiphertext(decryptWith(blob, { project: 'Alpha' }));
    await invalidCiphertext(decryptWith(blob, { Project: 'alpha' }));
  });

  it('takes Unicode keys and values', async () => {
    const ec = { clé: 'valeur ✓', 'aws:s3:arn': 'arn:aws:s3:::bucket/日本' };
    const blob = await encryptWith(ec);
    expect((await decryptWith(blob, ec)).Plaintext).toEqual(text('bound'));
    await invalidCiphertext(decryptWith(blob, { ...ec, clé: 'valeur' }));
  });

  it('binds data keys too', async () => {
    const { CiphertextBlob, Plaintext } = await kms.call('GenerateDataKey', {
      KeyId: key.id,
      KeySpec: 'AES_256',
      EncryptionContext: { bucket: 'b1' },
    });
    await invalidCiphertext(decryptWith(CiphertextBlob!, { bucket: 'b2' }));
    expect((await decryptWith(CiphertextBlob!, { bucket: 'b1' })).Plaintext).toEqual(Plaintext);
  });
});

describe('ReEncrypt', () => {
  it('moves a ciphertext to another key and context without exposing the plaintext', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', {
      KeyId: key.id,
      Plaintext: text('moving'),
      EncryptionContext: { stage: 'old' },
    });
    const out = await kms.call('ReEncrypt', {
      CiphertextBlob: CiphertextBlob!,
      SourceEncryptionContext: { stage: 'old' },
      DestinationKeyId: other.id,
      DestinationEncryptionContext: { stage: 'new' },
    });
    const { KeyMetadata: src } = await kms.call('DescribeKey', { KeyId: key.id });
    const { KeyMetadata: dst } = await kms.call('DescribeKey', { KeyId: other.id });
    expect(out).toEqual({
      CiphertextBlob: expect.any(Uint8Array),
      SourceKeyId: key.arn,
      KeyId: other.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: src!.CurrentKeyMaterialId,
      DestinationKeyMaterialId: dst!.CurrentKeyMaterialId,
    });
    expect(out).not.toHaveProperty('Plaintext');
    const dec = await kms.call('Decrypt', {
      CiphertextBlob: out.CiphertextBlob!,
      EncryptionContext: { stage: 'new' },
    });
    expect([dec.KeyId, dec.Plaintext]).toEqual([other.arn, text('moving')]);
    await invalidCiphertext(
      kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { stage: 'old' } }),
    );
    // The original ciphertext still decrypts under the source key.
    expect(
      (await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob!, EncryptionContext: { stage: 'old' } }))
        .KeyId,
    ).toBe(key.arn);
  });

  it('needs the source context and refuses a wrong SourceKeyId', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', {
      KeyId: key.id,
      Plaintext: text('x'),
      EncryptionContext: { a: 'b' },
    });
    await invalidCiphertext(
      kms.call('ReEncrypt', { CiphertextBlob: CiphertextBlob!, DestinationKeyId: other.id }),
    );
    await expectError(
      kms.call('ReEncrypt', {
        CiphertextBlob: CiphertextBlob!,
        SourceKeyId: other.id,
        SourceEncryptionContext: { a: 'b' },
        DestinationKeyId: other.id,
      }),
      'IncorrectKeyException',
      INCORRECT_KEY,
    );
  });

  it('requires a DestinationKeyId', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    await expectError(
      kms.send('ReEncrypt', { CiphertextBlob }),
      'ValidationException',
      "1 validation error detected: Value null at 'destinationKeyId' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('data keys', () => {
  it.each([
    [{ KeySpec: 'AES_256' as const }, 32],
    [{ KeySpec: 'AES_128' as const }, 16],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 64 }, 64],
    [{ NumberOfBytes: 1024 }, 1024],
  ])('GenerateDataKey %o gives %i bytes whose ciphertext decrypts to them', async (spec, n) => {
    const out = await kms.call('GenerateDataKey', { KeyId: key.id, ...spec });
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: key.id });
    expect(out).toEqual({
      CiphertextBlob: expect.any(Uint8Array),
      Plaintext: expect.any(Uint8Array),
      KeyId: key.arn,
      KeyMaterialId: KeyMetadata!.CurrentKeyMaterialId,
    });
    expect(out.Plaintext).toHaveLength(n);
    const dec = await kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob! });
    expect(dec.Plaintext).toEqual(out.Plaintext);
  });

  it('makes a different data key every time', async () => {
    const a = await kms.call('GenerateDataKey', { KeyId: key.id, KeySpec: 'AES_256' });
    const b = await kms.call('GenerateDataKey', { KeyId: key.id, KeySpec: 'AES_256' });
    expect(a.Plaintext).not.toEqual(b.Plaintext);
  });

  it('GenerateDataKeyWithoutPlaintext returns only the encrypted data key', async () => {
    const out = await kms.call('GenerateDataKeyWithoutPlaintext', { KeyId: key.id, KeySpec: 'AES_128' });
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId']);
    expect(out.KeyId).toBe(key.arn);
    const dec = await kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob! });
    expect(dec.Plaintext).toHaveLength(16);
  });

  it.each(['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext'])(
    '%s takes exactly one of KeySpec and NumberOfBytes',
    async (op) => {
      const neither = await rejection(kms.send(op, { KeyId: key.id }));
      const both = await rejection(kms.send(op, { KeyId: key.id, KeySpec: 'AES_256', NumberOfBytes: 32 }));
      expect([neither.name, both.name]).toEqual(['ValidationException', 'ValidationException']);
    },
  );

  it('GenerateRandom gives NumberOfBytes random bytes', async () => {
    for (const n of [1, 32, 1024]) {
      const { Plaintext } = await kms.call('GenerateRandom', { NumberOfBytes: n });
      expect(Plaintext).toHaveLength(n);
    }
    const a = await kms.call('GenerateRandom', { NumberOfBytes: 32 });
    const b = await kms.call('GenerateRandom', { NumberOfBytes: 32 });
    expect(a.Plaintext).not.toEqual(b.Plaintext);
  });
});

describe('DryRun', () => {
  it('answers DryRunOperationException for a request that would succeed, doing nothing', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    const before = await kms.snapshot();
    const requests: [string, Record<string, unknown>][] = [
      ['Encrypt', { KeyId: key.id, Plaintext: text('x') }],
      ['Decrypt', { CiphertextBlob }],
      ['ReEncrypt', { CiphertextBlob, DestinationKeyId: other.id }],
      ['GenerateDataKey', { KeyId: key.id, KeySpec: 'AES_256' }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: key.id, NumberOfBytes: 8 }],
    ];
    for (const [op, input] of requests) {
      await expectError(kms.send(op, { ...input, DryRun: true }), 'DryRunOperationException', DRY_RUN);
      expect(kms.trail().at(-1)).toMatchObject({ eventName: op, errorCode: 'DryRunOperationException' });
    }
    const after = await kms.snapshot();
    expect(after.keys).toEqual(before.keys); // not even GetKeyLastUsage moved
  });

  it('still reports what would fail', async () => {
    await expectError(
      kms.call('Encrypt', { KeyId: 'alias/missing', Plaintext: text('x'), DryRun: true }),
      'NotFoundException',
      'Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found.',
    );
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    await expectError(
      kms.call('Decrypt', { CiphertextBlob: CiphertextBlob!, KeyId: other.id, DryRun: true }),
      'IncorrectKeyException',
      INCORRECT_KEY,
    );
  });

  it('with DryRun false, the call runs', async () => {
    const out = await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x'), DryRun: false });
    expect(out.KeyId).toBe(key.arn);
  });
});

describe('GetKeyLastUsage', () => {
  it('tracks the last successful cryptographic use only', async () => {
    const first = await kms.call('GetKeyLastUsage', { KeyId: key.id });
    expect(first.KeyLastUsage).toBeUndefined();
    await kms.advanceClock(60);
    await kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x') });
    const encryptRecord = kms.trail().at(-1)!;
    await kms.advanceClock(60);
    await rejection(kms.call('Encrypt', { KeyId: key.id, Plaintext: text('x'), DryRun: true }));
    await kms.call('DescribeKey', { KeyId: key.id });
    const { KeyLastUsage } = await kms.call('GetKeyLastUsage', { KeyId: key.id });
    expect(KeyLastUsage).toEqual({
      Operation: 'Encrypt',
      Timestamp: new Date(START.getTime() + 60_000),
      CloudTrailEventId: encryptRecord.eventID,
      KmsRequestId: encryptRecord.requestID,
    });
  });
});
