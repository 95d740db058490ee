/**
 * Asymmetric keys in the engine: CreateKey for every spec, DescribeKey and GetPublicKey algorithm
 * lists, Sign/Verify request rules, RSA Encrypt/Decrypt/ReEncrypt, data key pairs, key agreement,
 * and AWS's messages for each misuse (kms-api.md §2.2, §3, §16). Interop with node:crypto is in
 * tests/interop.
 */
import * as nodeCrypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKms, MemoryStore, type Kms } from '../../src/kms/index.ts';
import type { KeySpec, KeyUsage } from '../../src/kms/model/enums.ts';

const text = (s: string) => new TextEncoder().encode(s);
const sha = (name: string, data: Uint8Array) =>
  new Uint8Array(nodeCrypto.createHash(name).update(data).digest());

let kms: Kms;
let store: MemoryStore;
const keys: Record<string, string> = {};
const create = async (KeySpec: KeySpec, KeyUsage: KeyUsage) =>
  (await kms.call('CreateKey', { KeySpec, KeyUsage })).KeyMetadata!.Arn!;

beforeAll(async () => {
  store = new MemoryStore();
  kms = await createKms({ store });
  keys.symmetric = (await kms.call('CreateKey', {})).KeyMetadata!.Arn!;
  keys.rsaSign = await create('RSA_2048', 'SIGN_VERIFY');
  keys.rsaEncrypt = await create('RSA_2048', 'ENCRYPT_DECRYPT');
  keys.p256 = await create('ECC_NIST_P256', 'SIGN_VERIFY');
  keys.p256Agreement = await create('ECC_NIST_P256', 'KEY_AGREEMENT');
  keys.ed25519 = await create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
  keys.mlDsa = await create('ML_DSA_44', 'SIGN_VERIFY');
});

describe('CreateKey and DescribeKey', () => {
  const EXPECTED: [KeySpec, KeyUsage, Record<string, string[]>][] = [
    ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    [
      'RSA_2048',
      'SIGN_VERIFY',
      {
        SigningAlgorithms: [
          'RSASSA_PKCS1_V1_5_SHA_256',
          'RSASSA_PKCS1_V1_5_SHA_384',
          'RSASSA_PKCS1_V1_5_SHA_512',
          'RSASSA_PSS_SHA_256',
          'RSASSA_PSS_SHA_384',
          'RSASSA_PSS_SHA_512',
        ],
      },
    ],
    ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
    ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
    ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    [
      'ECC_NIST_EDWARDS25519',
      'SIGN_VERIFY',
      { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
    ],
    ['ML_DSA_65', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
  ];
  it.each(EXPECTED)(
    '%s / %s lists only its usage’s algorithms, and no CurrentKeyMaterialId',
    async (spec, usage, lists) => {
      const arn = await create(spec, usage);
      const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: arn });
      // The deprecated CustomerMasterKeySpec has no ML-DSA or Ed25519 values.
      const legacy = spec.startsWith('ML_DSA_') || spec === 'ECC_NIST_EDWARDS25519';
      if (legacy) expect(KeyMetadata).not.toHaveProperty('CustomerMasterKeySpec');
      expect(KeyMetadata).toMatchObject({
        KeySpec: spec,
        ...(legacy ? {} : { CustomerMasterKeySpec: spec }),
        KeyUsage: usage,
        KeyState: 'Enabled',
        ...lists,
      });
      for (const list of [
        'EncryptionAlgorithms',
        'SigningAlgorithms',
        'MacAlgorithms',
        'KeyAgreementAlgorithms',
      ])
        if (!(list in lists)) expect(KeyMetadata).not.toHaveProperty(list);
      expect(KeyMetadata).not.toHaveProperty('CurrentKeyMaterialId');
    },
  );

  it('SM2 is refused outside China Regions; KeyUsage is required and must fit the spec', async () => {
    await expect(kms.call('CreateKey', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })).rejects.toMatchObject({
      code: 'UnsupportedOperationException',
      message: 'KeySpec SM2 is not supported in this Region',
    });
    await expect(kms.call('CreateKey', { KeySpec: 'ECC_NIST_P256' })).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
    await expect(
      kms.call('CreateKey', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'KEY_AGREEMENT' }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
    });
  });

  it('the private key is stored only wrapped: no PKCS#8 in the world snapshot, and it survives reopening the store', async () => {
    const world = await kms.snapshot();
    const record = world.keys.find((k) => k.arn === keys.p256)!;
    expect(record.materials).toHaveLength(1);
    expect(record.currentMaterialId).toBeUndefined();
    const wrapped = Buffer.from(record.materials[0]!.wrapped);
    // A P-256 PKCS#8 starts with SEQUENCE, version 0, id-ecPublicKey; none of that is visible.
    expect(wrapped.includes(Buffer.from([0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48]))).toBe(
      false,
    );
    expect(kms.keys().find((k) => k.arn === keys.p256)).not.toHaveProperty('materials.0.wrapped');

    const reopened = await createKms({ store });
    const { Signature } = await reopened.call('Sign', {
      KeyId: keys.p256,
      Message: text('m'),
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    const verified = await kms.call('Verify', {
      KeyId: keys.p256,
      Message: text('m'),
      Signature: Signature!,
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    expect(verified.SignatureValid).toBe(true);
  });
});

describe('GetPublicKey', () => {
  it('returns the DER SPKI with spec, usage and the usage’s algorithm list', async () => {
    const out = await kms.call('GetPublicKey', { KeyId: keys.rsaEncrypt });
    expect(out).toMatchObject({
      KeyId: keys.rsaEncrypt,
      KeySpec: 'RSA_2048',
      CustomerMasterKeySpec: 'RSA_2048',
      KeyUsage: 'ENCRYPT_DECRYPT',
      EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    });
    expect(out.PublicKey!.length).toBe(294);
    expect((await kms.call('GetPublicKey', { KeyId: keys.ed25519 })).PublicKey!.length).toBe(44);
  });

  it('symmetric keys have no public key; a disabled key refuses', async () => {
    await expect(kms.call('GetPublicKey', { KeyId: keys.symmetric })).rejects.toMatchObject({
      code: 'UnsupportedOperationException',
    });
    const arn = await create('ECC_NIST_P384', 'SIGN_VERIFY');
    await kms.call('DisableKey', { KeyId: arn });
    await expect(kms.call('GetPublicKey', { KeyId: arn })).rejects.toMatchObject({
      code: 'DisabledException',
      message: `${arn} is disabled.`,
    });
  });
});

describe('Sign and Verify request rules', () => {
  const sign = (input: Record<string, unknown>) => kms.send('Sign', input);

  it('an algorithm of another key spec: InvalidKeyUsageException', async () => {
    await expect(
      sign({ KeyId: keys.ed25519, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_512' }),
    ).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: 'Algorithm ECDSA_SHA_512 is incompatible with key spec ECC_NIST_EDWARDS25519.',
    });
  });

  it('DIGEST must be exactly the hash length', async () => {
    await expect(
      sign({
        KeyId: keys.p256,
        Message: new Uint8Array(31),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Digest is invalid length for algorithm ECDSA_SHA_256.',
    });
    await expect(
      sign({
        KeyId: keys.rsaSign,
        Message: new Uint8Array(32),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'RSASSA_PSS_SHA_384',
      }),
    ).rejects.toMatchObject({ message: 'Digest is invalid length for algorithm RSASSA_PSS_SHA_384.' });
    await expect(
      kms.send('Verify', {
        KeyId: keys.ed25519,
        Message: text('not a sha-512 digest'),
        MessageType: 'DIGEST',
        Signature: new Uint8Array(64),
        SigningAlgorithm: 'ED25519_PH_SHA_512',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Digest is invalid length for algorithm ED25519_PH_SHA_512.',
    });
  });

  it('Ed25519 and ML-DSA take only their message types', async () => {
    await expect(
      sign({
        KeyId: keys.ed25519,
        Message: new Uint8Array(64),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ED25519_SHA_512',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Message type DIGEST is incompatible with algorithm ED25519_SHA_512.',
    });
    await expect(
      sign({ KeyId: keys.ed25519, Message: text('m'), SigningAlgorithm: 'ED25519_PH_SHA_512' }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.',
    });
    await expect(
      sign({
        KeyId: keys.mlDsa,
        Message: new Uint8Array(64),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ML_DSA_SHAKE_256',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Message type DIGEST is incompatible with key spec ML_DSA_44.',
    });
  });

  it('Sign on a key of another usage; SigningAlgorithm is required; DryRun', async () => {
    await expect(
      sign({ KeyId: keys.rsaEncrypt, Message: text('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
    ).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: `${keys.rsaEncrypt} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`,
    });
    await expect(sign({ KeyId: keys.p256, Message: text('m') })).rejects.toMatchObject({
      code: 'ValidationException',
    });
    await expect(
      sign({ KeyId: keys.p256, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }),
    ).rejects.toMatchObject({ code: 'DryRunOperationException' });
  });

  it('a signature over one message does not verify another: KMSInvalidSignatureException, logged to CloudTrail', async () => {
    const { Signature } = await kms.call('Sign', {
      KeyId: keys.rsaSign,
      Message: text('a'),
      SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    });
    await expect(
      kms.call('Verify', {
        KeyId: keys.rsaSign,
        Message: text('b'),
        Signature: Signature!,
        SigningAlgorithm: 'RSASSA_PSS_SHA_256',
      }),
    ).rejects.toMatchObject({ code: 'KMSInvalidSignatureException', message: '' });
    const last = kms.trail().at(-1)!;
    expect(last).toMatchObject({
      eventName: 'Verify',
      errorCode: 'KMSInvalidSignatureException',
      responseElements: null,
    });
    expect(JSON.stringify(last.requestParameters)).not.toMatch(/signature"/i);
  });

  it('RSA_4096: a DIGEST PSS SHA-512 signature (BigInt RSA) verifies with node:crypto', async () => {
    const arn = await create('RSA_4096', 'SIGN_VERIFY');
    const message = text('four thousand ninety-six');
    const { Signature } = await kms.call('Sign', {
      KeyId: arn,
      Message: sha('sha512', message),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PSS_SHA_512',
    });
    expect(Signature!.length).toBe(512);
    const { PublicKey } = await kms.call('GetPublicKey', { KeyId: arn });
    const key = nodeCrypto.createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
    expect(
      nodeCrypto.verify(
        'sha512',
        message,
        { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
        Signature!,
      ),
    ).toBe(true);
  }, 20_000);
});

describe('Encrypt, Decrypt and ReEncrypt with RSA keys', () => {
  it('round-trips with each OAEP algorithm; ciphertext is raw RSA output; no KeyMaterialId', async () => {
    for (const EncryptionAlgorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
      const out = await kms.call('Encrypt', {
        KeyId: keys.rsaEncrypt,
        Plaintext: text('hello'),
        EncryptionAlgorithm,
      });
      expect(out).toMatchObject({ KeyId: keys.rsaEncrypt, EncryptionAlgorithm });
      expect(out.CiphertextBlob!.length).toBe(256);
      const back = await kms.call('Decrypt', {
        KeyId: keys.rsaEncrypt,
        CiphertextBlob: out.CiphertextBlob!,
        EncryptionAlgorithm,
      });
      expect(back).toEqual({ KeyId: keys.rsaEncrypt, Plaintext: text('hello'), EncryptionAlgorithm });
    }
  });

  it('EncryptionAlgorithm is required: the SYMMETRIC_DEFAULT default is incompatible', async () => {
    await expect(kms.call('Encrypt', { KeyId: keys.rsaEncrypt, Plaintext: text('x') })).rejects.toMatchObject(
      {
        code: 'InvalidKeyUsageException',
        message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
      },
    );
    await expect(
      kms.call('Encrypt', {
        KeyId: keys.symmetric,
        Plaintext: text('x'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    ).rejects.toMatchObject({
      message: 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.',
    });
  });

  it('per-spec maximum plaintext, with AWS’s message', async () => {
    await kms.call('Encrypt', {
      KeyId: keys.rsaEncrypt,
      Plaintext: new Uint8Array(190),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    await expect(
      kms.call('Encrypt', {
        KeyId: keys.rsaEncrypt,
        Plaintext: new Uint8Array(191),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message:
        'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.',
    });
    await expect(
      kms.call('Encrypt', {
        KeyId: keys.rsaEncrypt,
        Plaintext: new Uint8Array(215),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      }),
    ).rejects.toMatchObject({
      message: 'Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.',
    });
  });

  it('no encryption context with asymmetric keys', async () => {
    await expect(
      kms.call('Encrypt', {
        KeyId: keys.rsaEncrypt,
        Plaintext: text('x'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        EncryptionContext: { a: 'b' },
      }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it('Decrypt needs the KeyId and algorithm for RSA ciphertext; a wrong one is InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', {
      KeyId: keys.rsaEncrypt,
      Plaintext: text('x'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    await expect(kms.call('Decrypt', { CiphertextBlob: CiphertextBlob! })).rejects.toMatchObject({
      code: 'InvalidCiphertextException',
    });
    await expect(
      kms.call('Decrypt', { KeyId: keys.rsaEncrypt, CiphertextBlob: CiphertextBlob! }),
    ).rejects.toMatchObject({
      code: 'InvalidCiphertextException',
    });
    await expect(
      kms.call('Decrypt', {
        KeyId: keys.rsaEncrypt,
        CiphertextBlob: CiphertextBlob!,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      }),
    ).rejects.toMatchObject({ code: 'InvalidCiphertextException', message: '' });
  });

  it('ReEncrypt from symmetric to RSA and back names both algorithms', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', {
      KeyId: keys.symmetric,
      Plaintext: text('move me'),
    });
    const toRsa = await kms.call('ReEncrypt', {
      CiphertextBlob: CiphertextBlob!,
      DestinationKeyId: keys.rsaEncrypt,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    expect(toRsa).toMatchObject({
      KeyId: keys.rsaEncrypt,
      SourceKeyId: keys.symmetric,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    expect(toRsa).not.toHaveProperty('DestinationKeyMaterialId');
    expect(toRsa.SourceKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const back = await kms.call('ReEncrypt', {
      CiphertextBlob: toRsa.CiphertextBlob!,
      SourceKeyId: keys.rsaEncrypt,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: keys.symmetric,
    });
    expect(back.SourceEncryptionAlgorithm).toBe('RSAES_OAEP_SHA_256');
    expect((await kms.call('Decrypt', { CiphertextBlob: back.CiphertextBlob! })).Plaintext).toEqual(
      text('move me'),
    );
  });
});

describe('data keys and data key pairs need a symmetric encryption key', () => {
  it('GenerateDataKey with asymmetric keys: InvalidKeyUsageException', async () => {
    await expect(
      kms.call('GenerateDataKey', { KeyId: keys.rsaSign, KeySpec: 'AES_256' }),
    ).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: `${keys.rsaSign} key usage is SIGN_VERIFY which is not valid for GenerateDataKey.`,
    });
    await expect(
      kms.call('GenerateDataKeyWithoutPlaintext', { KeyId: keys.rsaEncrypt, KeySpec: 'AES_256' }),
    ).rejects.toMatchObject({ code: 'InvalidKeyUsageException' });
    await expect(
      kms.call('GenerateDataKeyPair', { KeyId: keys.rsaEncrypt, KeyPairSpec: 'ECC_NIST_P256' }),
    ).rejects.toMatchObject({ code: 'InvalidKeyUsageException' });
  });

  it('SM2 data key pairs are refused outside China Regions; the context binds the private key', async () => {
    await expect(
      kms.call('GenerateDataKeyPair', { KeyId: keys.symmetric, KeyPairSpec: 'SM2' }),
    ).rejects.toMatchObject({
      code: 'UnsupportedOperationException',
    });
    const out = await kms.call('GenerateDataKeyPairWithoutPlaintext', {
      KeyId: keys.symmetric,
      KeyPairSpec: 'ECC_SECG_P256K1',
      EncryptionContext: { app: 'wallet' },
    });
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      kms.call('Decrypt', { CiphertextBlob: out.PrivateKeyCiphertextBlob! }),
    ).rejects.toMatchObject({
      code: 'InvalidCiphertextException',
    });
  });
});

describe('DeriveSharedSecret', () => {
  it('refuses a peer key that is not an SPKI on the key’s curve, and keys of another usage', async () => {
    const p384 = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
    for (const PublicKey of [
      new Uint8Array([1, 2, 3]),
      new Uint8Array(p384.publicKey.export({ format: 'der', type: 'spki' })),
    ])
      await expect(
        kms.call('DeriveSharedSecret', {
          KeyId: keys.p256Agreement,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey,
        }),
      ).rejects.toMatchObject({ code: 'ValidationException' });
    const { PublicKey } = await kms.call('GetPublicKey', { KeyId: keys.p256Agreement });
    expect((await kms.call('GetPublicKey', { KeyId: keys.p256Agreement })).KeyAgreementAlgorithms).toEqual([
      'ECDH',
    ]);
    await expect(
      kms.call('DeriveSharedSecret', {
        KeyId: keys.p256,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: PublicKey!,
      }),
    ).rejects.toMatchObject({
      code: 'InvalidKeyUsageException',
      message: `${keys.p256} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`,
    });
  });
});
