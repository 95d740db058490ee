/**
 * Asymmetric, HMAC and key-agreement keys through the real `@aws-sdk/client-kms`, in-process and
 * over HTTP: AWS's recorded exception names and messages (kms-api.md §2.2, §3) and the response
 * shapes the SDK deserializes, with node:crypto (which no one here wrote) checking every key,
 * signature, ciphertext and shared secret that leaves KMS.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyPairCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type DataKeyPairSpec,
  type KeyMetadata,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
} from '@aws-sdk/client-kms';
import * as nodeCrypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, expectKmsError, httpTransport, inProcessTransport, type Transport } from './harness.ts';

const text = (s: string) => new TextEncoder().encode(s);
const sha = (name: string, data: Uint8Array) =>
  new Uint8Array(nodeCrypto.createHash(name).update(data).digest());
const MESSAGE = text('Pay Bob 100 dollars');
const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];
/** AWS sends these exceptions without a message; the SDK then reports 'UnknownError'. */
const NO_MESSAGE = 'UnknownError';

/** KeyMetadata members every new AWS_KMS key without key material ids carries [kms-api.md §16]. */
const COMMON_METADATA = [
  'AWSAccountId',
  'Arn',
  'CreationDate',
  'CustomerMasterKeySpec',
  'Description',
  'Enabled',
  'KeyId',
  'KeyManager',
  'KeySpec',
  'KeyState',
  'KeyUsage',
  'MultiRegion',
  'Origin',
];

const flip = (bytes: Uint8Array, at: number) => {
  const copy = bytes.slice();
  copy[at] ^= 0x01;
  return copy;
};

describe.each([
  ['in-process requestHandler', inProcessTransport],
  ['HTTP endpoint', httpTransport],
])('asymmetric, HMAC and ECDH keys through @aws-sdk/client-kms (%s)', (_name, open) => {
  let t: Transport;
  let kms: KMSClient;
  /** Each key is generated once per transport. */
  const keys = {} as Record<
    | 'rsaSign'
    | 'rsaEncrypt'
    | 'p256Sign'
    | 'p256Agree'
    | 'ed25519'
    | 'mlDsa'
    | 'hmac256'
    | 'hmac224'
    | 'symmetric',
    KeyMetadata
  >;

  const create = async (KeySpec: KeySpec, KeyUsage: KeyUsageType) =>
    (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!;
  /** GetPublicKey's DER SPKI as a node:crypto KeyObject. */
  const publicKeyOf = async (KeyId: string) => {
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId }));
    return nodeCrypto.createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
  };

  beforeAll(async () => {
    t = await open();
    kms = t.client('us-east-1');
    keys.rsaSign = await create('RSA_2048', 'SIGN_VERIFY');
    keys.rsaEncrypt = await create('RSA_2048', 'ENCRYPT_DECRYPT');
    keys.p256Sign = await create('ECC_NIST_P256', 'SIGN_VERIFY');
    keys.p256Agree = await create('ECC_NIST_P256', 'KEY_AGREEMENT');
    keys.ed25519 = await create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
    keys.mlDsa = await create('ML_DSA_44', 'SIGN_VERIFY');
    keys.hmac256 = await create('HMAC_256', 'GENERATE_VERIFY_MAC');
    keys.hmac224 = await create('HMAC_224', 'GENERATE_VERIFY_MAC');
    keys.symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  });
  afterAll(() => t?.close());

  describe('CreateKey', () => {
    it('requires a KeyUsage for every spec but SYMMETRIC_DEFAULT', async () => {
      await expectKmsError(
        kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })),
        'ValidationException',
        'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
      );
    });

    it('refuses a KeyUsage the KeySpec does not support', async () => {
      await expectKmsError(
        kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })),
        'ValidationException',
        'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048',
      );
    });

    it('refuses SM2 outside the China Regions', async () => {
      // Wording from a third-party report of us-east-1 (floci-io/floci#3026); not in kms-api.md.
      await expectKmsError(
        kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })),
        'UnsupportedOperationException',
        'KeySpec SM2 is not supported in this Region',
      );
    });
  });

  describe('DescribeKey and GetPublicKey', () => {
    const cases: [keyof typeof keys, KeySpec, KeyUsageType, Record<string, string[]>][] = [
      ['rsaSign', 'RSA_2048', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }],
      [
        'rsaEncrypt',
        'RSA_2048',
        'ENCRYPT_DECRYPT',
        { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
      ],
      ['p256Sign', 'ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
      ['p256Agree', 'ECC_NIST_P256', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
      [
        'ed25519',
        'ECC_NIST_EDWARDS25519',
        'SIGN_VERIFY',
        // Both algorithms; their order is unverified against AWS, so compared as a set below.
        { SigningAlgorithms: ['ED25519_PH_SHA_512', 'ED25519_SHA_512'] },
      ],
      ['mlDsa', 'ML_DSA_44', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
      ['hmac256', 'HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
      ['hmac224', 'HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
    ];
    const sortLists = (o: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));

    it.each(cases)(
      'DescribeKey %s: KeySpec, KeyUsage and only the matching algorithm list',
      async (name, spec, usage, lists) => {
        const { KeyMetadata: meta } = await kms.send(new DescribeKeyCommand({ KeyId: keys[name].KeyId }));
        // CustomerMasterKeySpec's enum has no ML-DSA or Ed25519 member: what AWS returns there is unrecorded.
        const twinless = spec.startsWith('ML_DSA') || spec === 'ECC_NIST_EDWARDS25519';
        const members = Object.keys(meta!).filter((k) => !(twinless && k === 'CustomerMasterKeySpec'));
        const expected = COMMON_METADATA.filter((k) => !(twinless && k === 'CustomerMasterKeySpec'));
        expect(members.sort()).toEqual([...expected, ...Object.keys(lists)].sort());
        expect(meta).toMatchObject({
          AWSAccountId: ACCOUNT,
          Arn: keys[name].Arn,
          Description: '',
          Enabled: true,
          KeyState: 'Enabled',
          KeySpec: spec,
          KeyUsage: usage,
          Origin: 'AWS_KMS',
          KeyManager: 'CUSTOMER',
          MultiRegion: false,
        });
        if (!twinless) expect(meta!.CustomerMasterKeySpec).toBe(spec);
        const actual = Object.fromEntries(Object.keys(lists).map((k) => [k, meta![k as keyof KeyMetadata]]));
        if (name === 'ed25519') expect(sortLists(actual)).toEqual(lists);
        else expect(actual).toEqual(lists);
        // CreateKey answered the same metadata.
        expect(keys[name]).toEqual(meta);
      },
    );

    it.each(cases.filter(([name]) => !name.startsWith('hmac') && name !== 'mlDsa'))(
      'GetPublicKey %s: a DER SPKI node:crypto loads, with KeySpec, KeyUsage and algorithms',
      async (name, spec, usage, lists) => {
        const out = await kms.send(new GetPublicKeyCommand({ KeyId: keys[name].Arn }));
        const { $metadata: _m, PublicKey, ...rest } = out;
        expect(PublicKey).toBeInstanceOf(Uint8Array);
        const key = nodeCrypto.createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
        expect(key.type).toBe('public');
        expect(new Uint8Array(key.export({ format: 'der', type: 'spki' }))).toEqual(PublicKey);
        if (spec === 'RSA_2048') {
          expect(key.asymmetricKeyType).toBe('rsa');
          expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
        } else if (spec === 'ECC_NIST_P256') {
          expect(key.asymmetricKeyType).toBe('ec');
          expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
        } else expect(key.asymmetricKeyType).toBe('ed25519');
        const expected = {
          KeyId: keys[name].Arn,
          KeySpec: spec,
          KeyUsage: usage,
          ...(spec === 'ECC_NIST_EDWARDS25519' ? {} : { CustomerMasterKeySpec: spec }),
          ...lists,
        };
        if (name === 'ed25519') {
          const { CustomerMasterKeySpec: _c, ...withoutTwin } = rest;
          expect(sortLists(withoutTwin)).toEqual(expected);
        } else expect(rest).toEqual(expected);
      },
    );
  });

  describe('Sign and Verify', () => {
    it('RSASSA_PSS_SHA_256: the signature verifies in node:crypto (salt = 32) and through Verify', async () => {
      const arn = keys.rsaSign.Arn!;
      const out = await kms.send(
        new SignCommand({
          KeyId: keys.rsaSign.KeyId,
          Message: MESSAGE,
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      );
      const { $metadata: _m, Signature, ...rest } = out;
      expect(rest).toEqual({ KeyId: arn, SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
      expect(Signature).toHaveLength(256);
      const key = await publicKeyOf(arn);
      const pss = { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      expect(nodeCrypto.verify('sha256', MESSAGE, pss, Signature!)).toBe(true);

      const verified = await kms.send(
        new VerifyCommand({
          KeyId: arn,
          Message: MESSAGE,
          Signature,
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      );
      expect(verified).toMatchObject({
        KeyId: arn,
        SignatureValid: true,
        SigningAlgorithm: 'RSASSA_PSS_SHA_256',
      });

      // A tampered signature is an exception, never SignatureValid=false.
      await expectKmsError(
        kms.send(
          new VerifyCommand({
            KeyId: arn,
            Message: MESSAGE,
            Signature: flip(Signature!, 100),
            SigningAlgorithm: 'RSASSA_PSS_SHA_256',
          }),
        ),
        'KMSInvalidSignatureException',
        NO_MESSAGE,
      );
    });

    it('ECDSA_SHA_256 on ECC_NIST_P256: DER signatures over RAW and DIGEST messages verify in node:crypto', async () => {
      const arn = keys.p256Sign.Arn!;
      const key = await publicKeyOf(arn);
      const raw = await kms.send(
        new SignCommand({ KeyId: arn, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      expect(raw).toMatchObject({ KeyId: arn, SigningAlgorithm: 'ECDSA_SHA_256' });
      // DER SEQUENCE { INTEGER r, INTEGER s }: 0x30, length, then 0x02.
      expect(raw.Signature![0]).toBe(0x30);
      expect(raw.Signature![1]).toBe(raw.Signature!.length - 2);
      expect(raw.Signature![2]).toBe(0x02);
      expect(nodeCrypto.verify('sha256', MESSAGE, { key, dsaEncoding: 'der' }, raw.Signature!)).toBe(true);

      const digest = await kms.send(
        new SignCommand({
          KeyId: arn,
          Message: sha('sha256', MESSAGE),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      expect(nodeCrypto.verify('sha256', MESSAGE, { key, dsaEncoding: 'der' }, digest.Signature!)).toBe(true);

      // Verify takes the RAW signature with a DIGEST message (MessageType need not match Sign's).
      const verified = await kms.send(
        new VerifyCommand({
          KeyId: arn,
          Message: sha('sha256', MESSAGE),
          MessageType: 'DIGEST',
          Signature: raw.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      expect(verified).toMatchObject({ KeyId: arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' });

      // A node:crypto signature over another message does not verify for this one.
      const other = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      await expectKmsError(
        kms.send(
          new VerifyCommand({
            KeyId: arn,
            Message: MESSAGE,
            Signature: nodeCrypto.sign('sha256', MESSAGE, { key: other.privateKey, dsaEncoding: 'der' }),
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
        'KMSInvalidSignatureException',
        NO_MESSAGE,
      );
    });

    it('a DIGEST of the wrong length is refused', async () => {
      await expectKmsError(
        kms.send(
          new SignCommand({
            KeyId: keys.p256Sign.Arn,
            Message: new Uint8Array(31),
            MessageType: 'DIGEST',
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
        'ValidationException',
        'Digest is invalid length for algorithm ECDSA_SHA_256.',
      );
    });

    it('ED25519_SHA_512 (RAW) verifies in node:crypto; ED25519_PH_SHA_512 (DIGEST) round-trips', async () => {
      const arn = keys.ed25519.Arn!;
      const key = await publicKeyOf(arn);
      const raw = await kms.send(
        new SignCommand({ KeyId: arn, Message: MESSAGE, SigningAlgorithm: 'ED25519_SHA_512' }),
      );
      expect(raw).toMatchObject({ KeyId: arn, SigningAlgorithm: 'ED25519_SHA_512' });
      expect(raw.Signature).toHaveLength(64);
      expect(nodeCrypto.verify(null, MESSAGE, key, raw.Signature!)).toBe(true);
      const verified = await kms.send(
        new VerifyCommand({
          KeyId: arn,
          Message: MESSAGE,
          Signature: raw.Signature,
          SigningAlgorithm: 'ED25519_SHA_512',
        }),
      );
      expect(verified.SignatureValid).toBe(true);

      const digest = sha('sha512', MESSAGE);
      const ph = await kms.send(
        new SignCommand({
          KeyId: arn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ED25519_PH_SHA_512',
        }),
      );
      expect(ph.Signature).toHaveLength(64);
      const phVerified = await kms.send(
        new VerifyCommand({
          KeyId: arn,
          Message: digest,
          MessageType: 'DIGEST',
          Signature: ph.Signature,
          SigningAlgorithm: 'ED25519_PH_SHA_512',
        }),
      );
      expect(phVerified).toMatchObject({
        KeyId: arn,
        SignatureValid: true,
        SigningAlgorithm: 'ED25519_PH_SHA_512',
      });
      await expectKmsError(
        kms.send(
          new VerifyCommand({
            KeyId: arn,
            Message: MESSAGE,
            Signature: flip(raw.Signature!, 5),
            SigningAlgorithm: 'ED25519_SHA_512',
          }),
        ),
        'KMSInvalidSignatureException',
        NO_MESSAGE,
      );
    });
  });

  describe('GenerateMac and VerifyMac', () => {
    it('round-trips an HMAC_SHA_256 MAC; a wrong MAC is KMSInvalidMacException', async () => {
      const arn = keys.hmac256.Arn!;
      const out = await kms.send(
        new GenerateMacCommand({ KeyId: keys.hmac256.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }),
      );
      const { $metadata: _m, Mac, ...rest } = out;
      expect(rest).toEqual({ KeyId: arn, MacAlgorithm: 'HMAC_SHA_256' });
      expect(Mac).toHaveLength(32);
      const again = await kms.send(
        new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }),
      );
      expect(again.Mac).toEqual(Mac); // HMAC is deterministic

      const verified = await kms.send(
        new VerifyMacCommand({ KeyId: arn, Message: MESSAGE, Mac, MacAlgorithm: 'HMAC_SHA_256' }),
      );
      const { $metadata: _v, ...verifiedRest } = verified;
      expect(verifiedRest).toEqual({ KeyId: arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });

      await expectKmsError(
        kms.send(
          new VerifyMacCommand({
            KeyId: arn,
            Message: MESSAGE,
            Mac: flip(Mac!, 0),
            MacAlgorithm: 'HMAC_SHA_256',
          }),
        ),
        'KMSInvalidMacException',
        NO_MESSAGE,
      );
      await expectKmsError(
        kms.send(
          new VerifyMacCommand({
            KeyId: arn,
            Message: text('another message'),
            Mac,
            MacAlgorithm: 'HMAC_SHA_256',
          }),
        ),
        'KMSInvalidMacException',
        NO_MESSAGE,
      );
    });

    it('HMAC_224 produces 28-byte MACs and refuses another MAC algorithm', async () => {
      const arn = keys.hmac224.Arn!;
      const out = await kms.send(
        new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_224' }),
      );
      expect(out.Mac).toHaveLength(28);
      await expectKmsError(
        kms.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' })),
        'InvalidKeyUsageException',
        'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
      );
      await expectKmsError(
        kms.send(
          new VerifyMacCommand({ KeyId: arn, Message: MESSAGE, Mac: out.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
        ),
        'InvalidKeyUsageException',
        'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
      );
    });
  });

  describe('RSA Encrypt and Decrypt', () => {
    it('encrypts up to 190 bytes with RSAES_OAEP_SHA_256 on RSA_2048, and no more', async () => {
      const arn = keys.rsaEncrypt.Arn!;
      const plaintext = nodeCrypto.randomBytes(190);
      const enc = await kms.send(
        new EncryptCommand({
          KeyId: keys.rsaEncrypt.KeyId,
          Plaintext: plaintext,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        }),
      );
      const { $metadata: _m, CiphertextBlob, ...rest } = enc;
      expect(rest).toEqual({ KeyId: arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
      expect(CiphertextBlob).toHaveLength(256); // raw RSAES-OAEP output, no KMS envelope

      const dec = await kms.send(
        new DecryptCommand({ CiphertextBlob, KeyId: arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      );
      const { $metadata: _d, Plaintext, ...decRest } = dec;
      // KeyMaterialId is for symmetric keys only.
      expect(decRest).toEqual({ KeyId: arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
      expect(Plaintext).toEqual(new Uint8Array(plaintext));

      await expectKmsError(
        kms.send(
          new EncryptCommand({
            KeyId: arn,
            Plaintext: nodeCrypto.randomBytes(191),
            EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
          }),
        ),
        'ValidationException',
        'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.',
      );
    });

    it('decrypts, with KeyId and EncryptionAlgorithm, what node:crypto encrypted with the public key', async () => {
      const arn = keys.rsaEncrypt.Arn!;
      const key = await publicKeyOf(arn);
      const secret = text('encrypted outside KMS');
      for (const [algorithm, oaepHash] of [
        ['RSAES_OAEP_SHA_1', 'sha1'],
        ['RSAES_OAEP_SHA_256', 'sha256'],
      ] as const) {
        const blob = nodeCrypto.publicEncrypt(
          { key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
          secret,
        );
        const dec = await kms.send(
          new DecryptCommand({
            CiphertextBlob: blob,
            KeyId: keys.rsaEncrypt.KeyId,
            EncryptionAlgorithm: algorithm,
          }),
        );
        expect(dec).toMatchObject({ KeyId: arn, EncryptionAlgorithm: algorithm });
        expect(dec.Plaintext).toEqual(secret);
      }
    });

    it('refuses Encrypt with a SIGN_VERIFY key', async () => {
      const arn = keys.rsaSign.Arn!;
      await expectKmsError(
        kms.send(
          new EncryptCommand({ KeyId: arn, Plaintext: MESSAGE, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
        ),
        'InvalidKeyUsageException',
        `${arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
      );
    });
  });

  describe('GenerateDataKeyPair', () => {
    it.each<[DataKeyPairSpec, string]>([
      ['ECC_NIST_P256', 'ec'],
      ['RSA_2048', 'rsa'],
    ])(
      '%s: the halves match in node:crypto and the wrapped private key decrypts to the PKCS#8',
      async (spec, type) => {
        const arn = keys.symmetric.Arn!;
        const context = { purpose: 'data key pair' };
        const out = await kms.send(
          new GenerateDataKeyPairCommand({
            KeyId: keys.symmetric.KeyId,
            KeyPairSpec: spec,
            EncryptionContext: context,
          }),
        );
        const {
          $metadata: _m,
          PrivateKeyCiphertextBlob,
          PrivateKeyPlaintext,
          PublicKey,
          KeyMaterialId,
          ...rest
        } = out;
        expect(rest).toEqual({ KeyId: arn, KeyPairSpec: spec });
        expect(KeyMaterialId).toMatch(/^[a-f0-9]{64}$/);

        const privateKey = nodeCrypto.createPrivateKey({
          key: Buffer.from(PrivateKeyPlaintext!),
          format: 'der',
          type: 'pkcs8',
        });
        const publicKey = nodeCrypto.createPublicKey({
          key: Buffer.from(PublicKey!),
          format: 'der',
          type: 'spki',
        });
        expect(privateKey.asymmetricKeyType).toBe(type);
        expect(publicKey.asymmetricKeyType).toBe(type);
        expect(
          new Uint8Array(nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
        ).toEqual(PublicKey);
        const signature = nodeCrypto.sign('sha256', MESSAGE, privateKey);
        expect(nodeCrypto.verify('sha256', MESSAGE, publicKey, signature)).toBe(true);

        const dec = await kms.send(
          new DecryptCommand({ CiphertextBlob: PrivateKeyCiphertextBlob, EncryptionContext: context }),
        );
        expect(dec).toMatchObject({ KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId });
        expect(dec.Plaintext).toEqual(PrivateKeyPlaintext);
      },
    );
  });

  describe('DeriveSharedSecret', () => {
    it('equals node:crypto ECDH with the peer private key and the downloaded public key', async () => {
      const arn = keys.p256Agree.Arn!;
      const peer = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const out = await kms.send(
        new DeriveSharedSecretCommand({
          KeyId: keys.p256Agree.KeyId,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }),
        }),
      );
      const { $metadata: _m, SharedSecret, ...rest } = out;
      expect(rest).toEqual({ KeyId: arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
      const expected = nodeCrypto.diffieHellman({
        privateKey: peer.privateKey,
        publicKey: await publicKeyOf(arn),
      });
      expect(SharedSecret).toHaveLength(32);
      expect(SharedSecret).toEqual(new Uint8Array(expected));
    });

    it('refuses a SIGN_VERIFY key', async () => {
      const arn = keys.p256Sign.Arn!;
      const peer = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      await expectKmsError(
        kms.send(
          new DeriveSharedSecretCommand({
            KeyId: arn,
            KeyAgreementAlgorithm: 'ECDH',
            PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }),
          }),
        ),
        'InvalidKeyUsageException',
        `${arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`,
      );
    });
  });
});
