/**
 * Shape validation as AWS answers it (kms-api.md §0, §2): the `N validation error(s) detected: …`
 * messages with lowerCamel paths, several violations joined with '; ', SerializationException for
 * values of the wrong JSON type, the service's own semantic checks, and — for every bad input — no
 * change to the world, only a failed call in the trail.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

/** One constraint violation, in AWS's words. */
const one = (detail: string) => `1 validation error detected: ${detail}`;
const tooLong = (value: string, path: string, max: number) =>
  `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`;
const tooShort = (value: string, path: string, min: number) =>
  `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`;
const blobTooLong = (path: string, max: number) =>
  `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`;
const blobTooShort = (path: string, min: number) =>
  `Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`;
const above = (value: number, path: string, max: number) =>
  `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
const below = (value: number, path: string, min: number) =>
  `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`;
const notNull = (path: string) =>
  `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
const notInEnum = (value: string, path: string, values: string[]) =>
  `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`;

interface World {
  kms: Kms;
  keyId: string;
  arn: string;
  blob: Uint8Array;
}

let w: World;

beforeEach(async () => {
  const kms = await createKms({ store: new MemoryStore(), startTime: START });
  const { KeyMetadata } = await kms.call('CreateKey', {
    Description: 'validation target',
    Tags: [{ TagKey: 'team', TagValue: 'blue' }],
  });
  const keyId = KeyMetadata!.KeyId!;
  await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyId });
  const { CiphertextBlob } = await kms.call('Encrypt', {
    KeyId: keyId,
    Plaintext: new Uint8Array([1, 2, 3]),
  });
  w = { kms, keyId, arn: KeyMetadata!.Arn!, blob: CiphertextBlob! };
});

const worldOf = async (kms: Kms) => {
  const s = await kms.snapshot();
  return { keys: s.keys, aliases: s.aliases };
};

/**
 * Sends a bad request and checks the answer, that nothing in the world changed, and that the
 * trail holds exactly one new record: the failed call.
 */
async function expectRejected(
  op: string,
  input: unknown,
  code: string,
  message: string | RegExp,
): Promise<KmsError> {
  const before = await worldOf(w.kms);
  const trailBefore = w.kms.trail().length;
  const e = await rejection(w.kms.send(op, input));
  expect(e.code).toBe(code);
  expect(e.name).toBe(code);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  expect(await worldOf(w.kms)).toEqual(before);
  const added = w.kms.trail().slice(trailBefore);
  expect(added).toHaveLength(1);
  expect(added[0]).toMatchObject({ eventName: op, errorCode: code, errorMessage: e.message });
  return e;
}

describe('constraint messages (ValidationException)', () => {
  it('names every missing required member, in model order, joined with "; "', async () => {
    await expectRejected(
      'Encrypt',
      {},
      'ValidationException',
      `2 validation errors detected: ${notNull('keyId')}; ${notNull('plaintext')}`,
    );
  });

  it('treats an explicit null like an absent required member', async () => {
    await expectRejected(
      'Encrypt',
      { KeyId: null, Plaintext: new Uint8Array([1]) },
      'ValidationException',
      one(notNull('keyId')),
    );
    await expectRejected(
      'UpdateKeyDescription',
      { KeyId: w.keyId },
      'ValidationException',
      one(notNull('description')),
    );
  });

  it('checks string lengths and echoes the value', async () => {
    await expectRejected('DescribeKey', { KeyId: '' }, 'ValidationException', one(tooShort('', 'keyId', 1)));
    const long = 'k'.repeat(2049);
    await expectRejected(
      'DescribeKey',
      { KeyId: long },
      'ValidationException',
      one(tooLong(long, 'keyId', 2048)),
    );
    const description = 'd'.repeat(8193);
    await expectRejected(
      'UpdateKeyDescription',
      { KeyId: w.keyId, Description: description },
      'ValidationException',
      one(tooLong(description, 'description', 8192)),
    );
    const aliasName = `alias/${'a'.repeat(251)}`;
    await expectRejected(
      'CreateAlias',
      { AliasName: aliasName, TargetKeyId: w.keyId },
      'ValidationException',
      one(tooLong(aliasName, 'aliasName', 256)),
    );
  });

  it('accepts the boundary lengths', async () => {
    await w.kms.call('UpdateKeyDescription', { KeyId: w.keyId, Description: '' });
    await w.kms.call('UpdateKeyDescription', { KeyId: w.keyId, Description: 'd'.repeat(8192) });
    await w.kms.call('Encrypt', { KeyId: w.keyId, Plaintext: new Uint8Array(4096) });
    await w.kms.call('Encrypt', { KeyId: w.keyId, Plaintext: new Uint8Array(1) });
    await w.kms.call('CreateAlias', { AliasName: `alias/${'a'.repeat(250)}`, TargetKeyId: w.keyId });
  });

  it('never echoes a blob value', async () => {
    await expectRejected(
      'Encrypt',
      { KeyId: w.keyId, Plaintext: new Uint8Array(4097) },
      'ValidationException',
      one(blobTooLong('plaintext', 4096)),
    );
    await expectRejected(
      'Encrypt',
      { KeyId: w.keyId, Plaintext: new Uint8Array(0) },
      'ValidationException',
      one(blobTooShort('plaintext', 1)),
    );
    await expectRejected(
      'Decrypt',
      { CiphertextBlob: new Uint8Array(6145) },
      'ValidationException',
      one(blobTooLong('ciphertextBlob', 6144)),
    );
    await expectRejected(
      'Decrypt',
      { CiphertextBlob: new Uint8Array(0) },
      'ValidationException',
      one(blobTooShort('ciphertextBlob', 1)),
    );
  });

  it('checks integer ranges', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['GenerateDataKey', { KeyId: w.keyId, NumberOfBytes: 0 }, one(below(0, 'numberOfBytes', 1))],
      ['GenerateDataKey', { KeyId: w.keyId, NumberOfBytes: 1025 }, one(above(1025, 'numberOfBytes', 1024))],
      ['GenerateRandom', { NumberOfBytes: 0 }, one(below(0, 'numberOfBytes', 1))],
      ['GenerateRandom', { NumberOfBytes: 1025 }, one(above(1025, 'numberOfBytes', 1024))],
      ['ListKeys', { Limit: 0 }, one(below(0, 'limit', 1))],
      ['ListKeys', { Limit: 1001 }, one(above(1001, 'limit', 1000))],
      ['ListAliases', { Limit: 101 }, one(above(101, 'limit', 100))],
      ['ListResourceTags', { KeyId: w.keyId, Limit: 51 }, one(above(51, 'limit', 50))],
      [
        'ScheduleKeyDeletion',
        { KeyId: w.keyId, PendingWindowInDays: 0 },
        one(below(0, 'pendingWindowInDays', 1)),
      ],
      [
        'ScheduleKeyDeletion',
        { KeyId: w.keyId, PendingWindowInDays: 366 },
        one(above(366, 'pendingWindowInDays', 365)),
      ],
    ];
    for (const [op, input, message] of cases) await expectRejected(op, input, 'ValidationException', message);
  });

  it('lists the enum value set in model order', async () => {
    await expectRejected(
      'GenerateDataKey',
      { KeyId: w.keyId, KeySpec: 'AES_512' },
      'ValidationException',
      one(notInEnum('AES_512', 'keySpec', ['AES_256', 'AES_128'])),
    );
    await expectRejected(
      'CreateKey',
      { KeyUsage: 'ENCRYPT' },
      'ValidationException',
      one(
        notInEnum('ENCRYPT', 'keyUsage', [
          'SIGN_VERIFY',
          'ENCRYPT_DECRYPT',
          'GENERATE_VERIFY_MAC',
          'KEY_AGREEMENT',
        ]),
      ),
    );
    await expectRejected(
      'Encrypt',
      { KeyId: w.keyId, Plaintext: new Uint8Array([1]), EncryptionAlgorithm: 'AES_GCM' },
      'ValidationException',
      one(
        notInEnum('AES_GCM', 'encryptionAlgorithm', [
          'SYMMETRIC_DEFAULT',
          'RSAES_OAEP_SHA_1',
          'RSAES_OAEP_SHA_256',
          'SM2PKE',
        ]),
      ),
    );
  });

  it('checks patterns', async () => {
    await expectRejected(
      'CreateAlias',
      { AliasName: 'alias/has space', TargetKeyId: w.keyId },
      'ValidationException',
      one(
        "Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
      ),
    );
    const policy = '{"Statement":"\u0100"}';
    await expectRejected(
      'PutKeyPolicy',
      { KeyId: w.keyId, Policy: policy },
      'ValidationException',
      one(
        `Value '${policy}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+`,
      ),
    );
  });

  it('uses list paths for members of structures in lists', async () => {
    await expectRejected(
      'TagResource',
      {
        KeyId: w.keyId,
        Tags: [
          { TagKey: 'ok', TagValue: 'v'.repeat(257) },
          { TagKey: '', TagValue: 'x' },
          { TagKey: 'k'.repeat(129), TagValue: 'x' },
          { TagKey: 'nullValue' },
        ],
      },
      'ValidationException',
      `4 validation errors detected: ${tooLong('v'.repeat(257), 'tags.1.member.tagValue', 256)}; ${tooShort('', 'tags.2.member.tagKey', 1)}; ${tooLong('k'.repeat(129), 'tags.3.member.tagKey', 128)}; ${notNull('tags.4.member.tagValue')}`,
    );
  });

  it('checks list lengths, showing the list', async () => {
    const tokens = Array.from({ length: 11 }, (_, i) => `t${i}`);
    await expectRejected(
      'Encrypt',
      { KeyId: w.keyId, Plaintext: new Uint8Array([1]), GrantTokens: tokens },
      'ValidationException',
      one(
        `Value '[${tokens.join(', ')}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10`,
      ),
    );
  });

  it('reports several violations of one request together', async () => {
    const long = 'x'.repeat(2049);
    await expectRejected(
      'GenerateDataKey',
      { KeyId: long, NumberOfBytes: 2000, KeySpec: 'AES_1' },
      'ValidationException',
      `3 validation errors detected: ${tooLong(long, 'keyId', 2048)}; ${above(2000, 'numberOfBytes', 1024)}; ${notInEnum('AES_1', 'keySpec', ['AES_256', 'AES_128'])}`,
    );
  });

  it('validates the shape before resolving the key', async () => {
    // An unknown key with a bad member is a ValidationException, not a NotFoundException.
    await expectRejected(
      'GenerateDataKey',
      { KeyId: 'alias/does-not-exist', NumberOfBytes: 0 },
      'ValidationException',
      one(below(0, 'numberOfBytes', 1)),
    );
  });
});

describe('semantic validation', () => {
  it('refuses a ScheduleKeyDeletion window outside the documented 7–30 days', async () => {
    await expectRejected(
      'ScheduleKeyDeletion',
      { KeyId: w.keyId, PendingWindowInDays: 6 },
      'ValidationException',
      one(below(6, 'pendingWindowInDays', 7)),
    );
    await expectRejected(
      'ScheduleKeyDeletion',
      { KeyId: w.keyId, PendingWindowInDays: 31 },
      'ValidationException',
      one(above(31, 'pendingWindowInDays', 30)),
    );
  });

  it('requires NumberOfBytes for GenerateRandom', async () => {
    await expectRejected('GenerateRandom', {}, 'ValidationException', 'NumberOfBytes is required.');
  });

  it('requires a KeyUsage for every key spec but SYMMETRIC_DEFAULT, and a compatible one', async () => {
    await expectRejected(
      'CreateKey',
      { KeySpec: 'RSA_2048' },
      'ValidationException',
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
    await expectRejected(
      'CreateKey',
      { KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' },
      'ValidationException',
      'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048',
    );
    await expectRejected(
      'CreateKey',
      { KeyUsage: 'SIGN_VERIFY' },
      'ValidationException',
      'KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT',
    );
  });

  it('requires exactly one of KeySpec and NumberOfBytes for data keys', async () => {
    for (const op of ['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext']) {
      await expectRejected(op, { KeyId: w.keyId }, 'ValidationException', /./);
      await expectRejected(
        op,
        { KeyId: w.keyId, KeySpec: 'AES_256', NumberOfBytes: 32 },
        'ValidationException',
        /./,
      );
    }
  });

  it('requires the alias/ prefix', async () => {
    await expectRejected(
      'CreateAlias',
      { AliasName: 'app2', TargetKeyId: w.keyId },
      'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  });
});

describe('wrong JSON types (SerializationException)', () => {
  const serialization = /can not be converted to|found where not expected/;

  it.each([
    ['a number for a string', 'DescribeKey', () => ({ KeyId: 5 })],
    ['a structure for a string', 'DescribeKey', () => ({ KeyId: { id: 'x' } })],
    ['a list for a string', 'DescribeKey', () => ({ KeyId: ['x'] })],
    ['a string for a blob', 'Encrypt', () => ({ KeyId: w.keyId, Plaintext: 'secret' })],
    ['a string for an integer', 'GenerateRandom', () => ({ NumberOfBytes: '32' })],
    ['a fraction for an integer', 'GenerateRandom', () => ({ NumberOfBytes: 1.5 })],
    [
      'a string for a boolean',
      'Encrypt',
      () => ({ KeyId: w.keyId, Plaintext: new Uint8Array([1]), DryRun: 'true' }),
    ],
    [
      'a list for a map',
      'Encrypt',
      () => ({ KeyId: w.keyId, Plaintext: new Uint8Array([1]), EncryptionContext: ['a'] }),
    ],
    [
      'a structure for a list',
      'TagResource',
      () => ({ KeyId: w.keyId, Tags: { TagKey: 'a', TagValue: 'b' } }),
    ],
    ['a string for the request', 'ListKeys', () => 'ListKeys'],
  ])('refuses %s', async (_label, op, input) => {
    await expectRejected(op, input(), 'SerializationException', serialization);
  });

  it('names the JSON type it found', async () => {
    const e = await rejection(w.kms.send('DescribeKey', { KeyId: 5 }));
    expect(e.message).toBe('NUMBER_VALUE can not be converted to a String');
    const f = await rejection(w.kms.send('GenerateRandom', { NumberOfBytes: '32' }));
    expect(f.message).toBe('STRING_VALUE can not be converted to an Integer');
  });
});

describe('members the model does not declare', () => {
  it('are ignored, not echoed back or logged', async () => {
    const out = await w.kms.send('DescribeKey', { KeyId: w.keyId, Bogus: 'x' });
    expect(out).not.toHaveProperty('Bogus');
    expect(w.kms.trail().at(-1)!.requestParameters).toEqual({ keyId: w.keyId });
  });
});
