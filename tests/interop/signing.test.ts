/**
 * Sign and Verify interoperate with node:crypto (OpenSSL), which no one here wrote: every
 * signature KMS Lab makes (RAW and DIGEST) verifies with node:crypto using the public key from
 * GetPublicKey, and signatures node:crypto makes with the same private key verify through Verify.
 */
import { ed25519ph } from '@noble/curves/ed25519.js';
import * as nodeCrypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeySpec } from '../../src/kms/model/enums.ts';
import {
  createKey,
  downloadPublicKey,
  hash,
  keyWithNodePrivateKey,
  newLab,
  utf8,
  type Lab,
} from './helpers.ts';

const MESSAGE = utf8('Pay Bob 100 dollars — signed by KMS Lab');

type Family = 'PKCS1' | 'PSS' | 'ECDSA' | 'Ed25519';
interface Case {
  spec: KeySpec;
  algorithm: string;
  family: Family;
  /** node:crypto hash name (null for Ed25519). */
  hash: string | null;
  hashBytes: number;
}

const rsa = (algorithm: string, family: Family, bits: 256 | 384 | 512): Case => ({
  spec: 'RSA_2048',
  algorithm,
  family,
  hash: `sha${bits}`,
  hashBytes: bits / 8,
});
const CASES: Case[] = [
  rsa('RSASSA_PKCS1_V1_5_SHA_256', 'PKCS1', 256),
  rsa('RSASSA_PKCS1_V1_5_SHA_384', 'PKCS1', 384),
  rsa('RSASSA_PKCS1_V1_5_SHA_512', 'PKCS1', 512),
  rsa('RSASSA_PSS_SHA_256', 'PSS', 256),
  rsa('RSASSA_PSS_SHA_384', 'PSS', 384),
  rsa('RSASSA_PSS_SHA_512', 'PSS', 512),
  { spec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', family: 'ECDSA', hash: 'sha256', hashBytes: 32 },
  { spec: 'ECC_NIST_P384', algorithm: 'ECDSA_SHA_384', family: 'ECDSA', hash: 'sha384', hashBytes: 48 },
  { spec: 'ECC_NIST_P521', algorithm: 'ECDSA_SHA_512', family: 'ECDSA', hash: 'sha512', hashBytes: 64 },
  { spec: 'ECC_SECG_P256K1', algorithm: 'ECDSA_SHA_256', family: 'ECDSA', hash: 'sha256', hashBytes: 32 },
];

/** node:crypto key options for an algorithm family (PSS salt = hash length, ECDSA in DER). */
function nodeOptions(c: Case, key: nodeCrypto.KeyObject) {
  if (c.family === 'PSS')
    return { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: c.hashBytes };
  if (c.family === 'PKCS1') return { key, padding: nodeCrypto.constants.RSA_PKCS1_PADDING };
  if (c.family === 'ECDSA') return { key, dsaEncoding: 'der' as const };
  return key;
}

const nodeVerify = (c: Case, key: nodeCrypto.KeyObject, signature: Uint8Array) =>
  nodeCrypto.verify(c.hash, MESSAGE, nodeOptions(c, key), signature);

const NODE_KEYGEN: Partial<Record<KeySpec, () => nodeCrypto.KeyPairKeyObjectResult>> = {
  RSA_2048: () => nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ECC_NIST_P256: () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ECC_NIST_P384: () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ECC_NIST_P521: () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  ECC_SECG_P256K1: () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
  ECC_NIST_EDWARDS25519: () => nodeCrypto.generateKeyPairSync('ed25519'),
};

const SPECS = [...new Set(CASES.map((c) => c.spec)), 'ECC_NIST_EDWARDS25519' as const];

let lab: Lab;
/** A KMS key per spec (KMS-made private key) and one whose private key node:crypto made. */
const kmsKeys = new Map<KeySpec, { arn: string; publicKey: nodeCrypto.KeyObject }>();
const nodeKeys = new Map<KeySpec, { arn: string; privateKey: nodeCrypto.KeyObject }>();

beforeAll(async () => {
  lab = await newLab();
  for (const spec of SPECS) {
    const arn = await createKey(lab, spec, 'SIGN_VERIFY');
    kmsKeys.set(spec, { arn, publicKey: await downloadPublicKey(lab, arn) });
    const { privateKey } = NODE_KEYGEN[spec]!();
    nodeKeys.set(spec, {
      arn: await keyWithNodePrivateKey(lab, spec, 'SIGN_VERIFY', privateKey),
      privateKey,
    });
  }
});

describe.each(CASES)('$algorithm on $spec', (c) => {
  it('Sign RAW verifies with node:crypto', async () => {
    const { arn, publicKey } = kmsKeys.get(c.spec)!;
    const out = await lab.kms.call('Sign', {
      KeyId: arn,
      Message: MESSAGE,
      SigningAlgorithm: c.algorithm as never,
    });
    expect(out.KeyId).toBe(arn);
    expect(out.SigningAlgorithm).toBe(c.algorithm);
    if (c.family !== 'ECDSA') expect(out.Signature!.length).toBe(256);
    else expect(out.Signature![0]).toBe(0x30); // DER SEQUENCE, as AWS returns ECDSA signatures
    expect(nodeVerify(c, publicKey, out.Signature!)).toBe(true);
  });

  it('Sign DIGEST (a digest node:crypto computed) verifies with node:crypto over the message', async () => {
    const { arn, publicKey } = kmsKeys.get(c.spec)!;
    const { Signature } = await lab.kms.call('Sign', {
      KeyId: arn,
      Message: hash(c.hash!, MESSAGE),
      MessageType: 'DIGEST',
      SigningAlgorithm: c.algorithm as never,
    });
    expect(nodeVerify(c, publicKey, Signature!)).toBe(true);
  });

  it('node:crypto signatures verify through Verify, RAW and DIGEST; a tampered one throws', async () => {
    const { arn, privateKey } = nodeKeys.get(c.spec)!;
    const signature = new Uint8Array(nodeCrypto.sign(c.hash, MESSAGE, nodeOptions(c, privateKey) as never));
    const raw = await lab.kms.call('Verify', {
      KeyId: arn,
      Message: MESSAGE,
      Signature: signature,
      SigningAlgorithm: c.algorithm as never,
    });
    expect(raw).toEqual({ KeyId: arn, SignatureValid: true, SigningAlgorithm: c.algorithm });
    const digest = await lab.kms.call('Verify', {
      KeyId: arn,
      Message: hash(c.hash!, MESSAGE),
      MessageType: 'DIGEST',
      Signature: signature,
      SigningAlgorithm: c.algorithm as never,
    });
    expect(digest.SignatureValid).toBe(true);
    const tampered = signature.slice();
    tampered[tampered.length - 5]! ^= 1;
    await expect(
      lab.kms.call('Verify', {
        KeyId: arn,
        Message: MESSAGE,
        Signature: tampered,
        SigningAlgorithm: c.algorithm as never,
      }),
    ).rejects.toMatchObject({ code: 'KMSInvalidSignatureException', message: '' });
  });
});

describe('Ed25519 (ECC_NIST_EDWARDS25519)', () => {
  it('ED25519_SHA_512 (RAW) signatures verify with node:crypto, and node:crypto signatures through Verify', async () => {
    const { arn, publicKey } = kmsKeys.get('ECC_NIST_EDWARDS25519')!;
    const { Signature } = await lab.kms.call('Sign', {
      KeyId: arn,
      Message: MESSAGE,
      SigningAlgorithm: 'ED25519_SHA_512',
    });
    expect(Signature!.length).toBe(64);
    expect(nodeCrypto.verify(null, MESSAGE, publicKey, Signature!)).toBe(true);

    const mine = nodeKeys.get('ECC_NIST_EDWARDS25519')!;
    const nodeSignature = new Uint8Array(nodeCrypto.sign(null, MESSAGE, mine.privateKey));
    const out = await lab.kms.call('Verify', {
      KeyId: mine.arn,
      Message: MESSAGE,
      Signature: nodeSignature,
      SigningAlgorithm: 'ED25519_SHA_512',
    });
    expect(out.SignatureValid).toBe(true);
  });

  it('ED25519_PH_SHA_512 (DIGEST) is Ed25519ph over the given SHA-512 digest (RFC 8032), checked with the downloaded key', async () => {
    const { arn, publicKey } = kmsKeys.get('ECC_NIST_EDWARDS25519')!;
    const digest = hash('sha512', MESSAGE);
    const { Signature } = await lab.kms.call('Sign', {
      KeyId: arn,
      Message: digest,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ED25519_PH_SHA_512',
    });
    // node:crypto 20 has no Ed25519ph; it still supplies the raw public key from the SPKI.
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    expect(ed25519ph.verify(Signature!, digest, raw)).toBe(true);
    expect(nodeCrypto.verify(null, digest, publicKey, Signature!)).toBe(false); // not pure Ed25519

    // An Ed25519ph signature made outside KMS with node's private key verifies through Verify.
    const mine = nodeKeys.get('ECC_NIST_EDWARDS25519')!;
    const seed = Buffer.from(mine.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const out = await lab.kms.call('Verify', {
      KeyId: mine.arn,
      Message: digest,
      MessageType: 'DIGEST',
      Signature: ed25519ph.sign(digest, seed),
      SigningAlgorithm: 'ED25519_PH_SHA_512',
    });
    expect(out.SignatureValid).toBe(true);
  });
});
