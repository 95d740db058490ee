/**
 * RSA encryption, data key pairs, key agreement and HMAC interoperate with node:crypto.
 */
import * as nodeCrypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_KEY_PAIR_SPECS, type KeySpec } from '../../src/kms/model/enums.ts';
import { createKey, downloadPublicKey, newLab, utf8, type Lab } from './helpers.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await newLab();
});

describe('RSA ENCRYPT_DECRYPT keys', () => {
  it.each([
    ['RSAES_OAEP_SHA_1', 'sha1'],
    ['RSAES_OAEP_SHA_256', 'sha256'],
  ] as const)(
    'node:crypto publicEncrypt (%s) with the downloaded key decrypts through Decrypt',
    async (algorithm, oaepHash) => {
      const arn = await createKey(lab, 'RSA_2048', 'ENCRYPT_DECRYPT');
      const publicKey = await downloadPublicKey(lab, arn);
      const secret = utf8('only KMS can read this');
      const ciphertext = nodeCrypto.publicEncrypt(
        { key: publicKey, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
        secret,
      );
      const out = await lab.kms.call('Decrypt', {
        KeyId: arn,
        CiphertextBlob: new Uint8Array(ciphertext),
        EncryptionAlgorithm: algorithm,
      });
      expect(out).toEqual({ KeyId: arn, Plaintext: secret, EncryptionAlgorithm: algorithm });
    },
  );
});

describe('GenerateDataKeyPair', () => {
  let wrappingKey: string;
  beforeAll(async () => {
    wrappingKey = (await lab.kms.call('CreateKey', {})).KeyMetadata!.Arn!;
  });

  // RSA_4096 keygen costs seconds on this machine and RSA_3072 over one; both go through the
  // same WebCrypto path as RSA_2048 (CreateKey covers them in the unit tests' one RSA_4096 case).
  const specs = DATA_KEY_PAIR_SPECS.filter((s) => s !== 'SM2' && s !== 'RSA_4096' && s !== 'RSA_3072');
  it.each(specs)(
    '%s: both halves load in node:crypto and match; the encrypted half decrypts to the same PKCS#8',
    async (spec) => {
      const context = { purpose: 'interop' };
      const out = await lab.kms.call('GenerateDataKeyPair', {
        KeyId: wrappingKey,
        KeyPairSpec: spec,
        EncryptionContext: context,
      });
      expect(out.KeyId).toBe(wrappingKey);
      expect(out.KeyPairSpec).toBe(spec);
      const privateKey = nodeCrypto.createPrivateKey({
        key: Buffer.from(out.PrivateKeyPlaintext!),
        format: 'der',
        type: 'pkcs8',
      });
      const publicKey = nodeCrypto.createPublicKey({
        key: Buffer.from(out.PublicKey!),
        format: 'der',
        type: 'spki',
      });
      // The public half derived by node from the private half is byte-for-byte the returned one.
      expect(
        new Uint8Array(nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
      ).toEqual(out.PublicKey);
      // And they work together: sign with one, verify with the other.
      const message = utf8('data key pair');
      const algorithm = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
      expect(
        nodeCrypto.verify(algorithm, message, publicKey, nodeCrypto.sign(algorithm, message, privateKey)),
      ).toBe(true);

      const decrypted = await lab.kms.call('Decrypt', {
        CiphertextBlob: out.PrivateKeyCiphertextBlob!,
        EncryptionContext: context,
      });
      expect(decrypted.Plaintext).toEqual(out.PrivateKeyPlaintext);
    },
  );

  it('WithoutPlaintext returns the public key and the encrypted private key only', async () => {
    const out = await lab.kms.call('GenerateDataKeyPairWithoutPlaintext', {
      KeyId: wrappingKey,
      KeyPairSpec: 'ECC_NIST_P256',
    });
    expect(out).not.toHaveProperty('PrivateKeyPlaintext');
    const { Plaintext } = await lab.kms.call('Decrypt', { CiphertextBlob: out.PrivateKeyCiphertextBlob! });
    const privateKey = nodeCrypto.createPrivateKey({
      key: Buffer.from(Plaintext!),
      format: 'der',
      type: 'pkcs8',
    });
    expect(
      new Uint8Array(nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
    ).toEqual(out.PublicKey);
  });
});

describe('DeriveSharedSecret', () => {
  it.each([
    ['ECC_NIST_P256', 'prime256v1', 32],
    ['ECC_NIST_P384', 'secp384r1', 48],
    ['ECC_NIST_P521', 'secp521r1', 66],
  ] as const)('%s equals node:crypto ECDH with the peer private key', async (spec: KeySpec, curve, bytes) => {
    const arn = await createKey(lab, spec, 'KEY_AGREEMENT');
    const kmsPublic = await downloadPublicKey(lab, arn);
    const peer = nodeCrypto.generateKeyPairSync('ec', { namedCurve: curve });
    const out = await lab.kms.call('DeriveSharedSecret', {
      KeyId: arn,
      KeyAgreementAlgorithm: 'ECDH',
      PublicKey: new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' })),
    });
    const expected = nodeCrypto.diffieHellman({ privateKey: peer.privateKey, publicKey: kmsPublic });
    expect(out.SharedSecret!.length).toBe(bytes);
    expect(out.SharedSecret).toEqual(new Uint8Array(expected));
    expect(out).toMatchObject({ KeyId: arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
  });
});

describe('GenerateMac', () => {
  it.each([
    ['HMAC_224', 'HMAC_SHA_224', 'sha224'],
    ['HMAC_256', 'HMAC_SHA_256', 'sha256'],
    ['HMAC_384', 'HMAC_SHA_384', 'sha384'],
    ['HMAC_512', 'HMAC_SHA_512', 'sha512'],
  ] as const)(
    '%s: a MAC node:crypto makes with the same key equals GenerateMac and passes VerifyMac',
    async (spec, algorithm, nodeHash) => {
      // The secret never leaves KMS through the API; the test reads it from its own world
      // snapshot with the store's domain key, so node:crypto can compute the same HMAC.
      const arn = await createKey(lab, spec, 'GENERATE_VERIFY_MAC');
      const message = utf8('mac me');
      const { Mac } = await lab.kms.call('GenerateMac', {
        KeyId: arn,
        Message: message,
        MacAlgorithm: algorithm,
      });
      const secret = await secretOf(arn);
      expect(secret.length).toBe(Number(spec.slice(5)) / 8);
      expect(Mac).toEqual(new Uint8Array(nodeCrypto.createHmac(nodeHash, secret).update(message).digest()));
      const nodeMac = new Uint8Array(nodeCrypto.createHmac(nodeHash, secret).update(utf8('other')).digest());
      const out = await lab.kms.call('VerifyMac', {
        KeyId: arn,
        Message: utf8('other'),
        Mac: nodeMac,
        MacAlgorithm: algorithm,
      });
      expect(out).toEqual({ KeyId: arn, MacValid: true, MacAlgorithm: algorithm });
    },
  );
});

/** Test-only: unwraps an HMAC key's secret from a snapshot with the store's domain key. */
async function secretOf(arn: string): Promise<Uint8Array> {
  const { unwrapMaterial } = await import('../../src/kms/crypto/domainKey.ts');
  const world = await lab.kms.snapshot();
  const material = world.keys.find((k) => k.arn === arn)!.materials[0]!;
  return unwrapMaterial(await lab.store.domainKey(), material.id, material.wrapped);
}
