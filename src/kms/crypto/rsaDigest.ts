import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { HashName } from '../model/algorithms.ts';
import type { RsaPrivateKey } from './asymmetricMaterial.ts';
import { bigintFromBytes, bytesFromBigint } from './der.ts';
import { randomBytes } from './random.ts';

/**
 * RSA signatures over a digest the caller already computed (Sign/Verify with MessageType
 * DIGEST), which WebCrypto cannot do because it always hashes the message itself. The encodings
 * are RFC 8017's EMSA-PKCS1-v1_5 (§9.2) and EMSA-PSS (§9.1, MGF1 with the same hash, salt length
 * = hash length), and the RSA primitives are RSASP1 (with CRT) and RSAVP1 on BigInts. Each
 * signature is checked with the public exponent before it is returned (a CRT fault never leaks).
 */
type DigestHash = Exclude<HashName, 'SHA-1'>;
const HASH: Record<DigestHash, (m: Uint8Array) => Uint8Array> = {
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
};
const HASH_LEN: Record<DigestHash, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<DigestHash, number[]> = {
  'SHA-256': [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x20,
  ],
  'SHA-384': [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
    0x04, 0x30,
  ],
  'SHA-512': [
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
    0x04, 0x40,
  ],
};

const bitLength = (n: bigint): number => n.toString(2).length;

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

function emsaPkcs1v15(digest: Uint8Array, hash: DigestHash, emLen: number): Uint8Array {
  const t = [...DIGEST_INFO[hash], ...digest];
  if (emLen < t.length + 11) throw new Error('intended encoded message length too short');
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

function mgf1(seed: Uint8Array, length: number, hash: DigestHash): Uint8Array {
  const out = new Uint8Array(length);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, pos = 0; pos < length; counter++) {
    new DataView(input.buffer).setUint32(seed.length, counter);
    const block = HASH[hash](input);
    out.set(block.subarray(0, Math.min(block.length, length - pos)), pos);
    pos += block.length;
  }
  return out;
}

/** H = Hash(0x00*8 ‖ mHash ‖ salt). */
function pssHash(digest: Uint8Array, salt: Uint8Array, hash: DigestHash): Uint8Array {
  const m = new Uint8Array(8 + digest.length + salt.length);
  m.set(digest, 8);
  m.set(salt, 8 + digest.length);
  return HASH[hash](m);
}

function emsaPss(digest: Uint8Array, hash: DigestHash, emBits: number): Uint8Array {
  const hLen = HASH_LEN[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < 2 * hLen + 2) throw new Error('encoding error');
  const salt = randomBytes(hLen);
  const h = pssHash(digest, salt, hash);
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 0x01;
  db.set(salt, emLen - 2 * hLen - 1);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

function emsaPssVerify(digest: Uint8Array, em: Uint8Array, hash: DigestHash, emBits: number): boolean {
  const hLen = HASH_LEN[hash];
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((db[0]! & ~topMask) !== 0) return false;
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= topMask;
  const psLen = emLen - 2 * hLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const expected = pssHash(digest, db.subarray(db.length - hLen), hash);
  return constantTimeEqual(expected, h);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** RSASP1 with CRT, then RSAVP1 to check the result. */
function privateOperation(key: RsaPrivateKey, m: bigint): bigint {
  const m1 = modPow(m, key.dp, key.p);
  const m2 = modPow(m, key.dq, key.q);
  const h = (((m1 - m2) % key.p) + key.p) % key.p;
  const s = m2 + ((key.qi * h) % key.p) * key.q;
  if (modPow(s, key.e, key.n) !== m) throw new Error('RSA signature self-check failed');
  return s;
}

export type RsaPadding = 'PKCS1_V1_5' | 'PSS';

/** Signs a digest: EMSA encoding, then RSASP1. Output is k = modulus bytes long. */
export function rsaSignDigest(
  key: RsaPrivateKey,
  padding: RsaPadding,
  hash: DigestHash,
  digest: Uint8Array,
): Uint8Array {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const em = padding === 'PSS' ? emsaPss(digest, hash, modBits - 1) : emsaPkcs1v15(digest, hash, k);
  return bytesFromBigint(privateOperation(key, bigintFromBytes(em)), k);
}

/** Verifies a signature over a digest: RSAVP1, then the EMSA check. */
export function rsaVerifyDigest(
  key: { n: bigint; e: bigint },
  padding: RsaPadding,
  hash: DigestHash,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  if (signature.length !== k) return false;
  const s = bigintFromBytes(signature);
  if (s >= key.n) return false;
  const m = modPow(s, key.e, key.n);
  if (padding === 'PKCS1_V1_5')
    return constantTimeEqual(bytesFromBigint(m, k), emsaPkcs1v15(digest, hash, k));
  const emLen = Math.ceil((modBits - 1) / 8);
  if (m >> BigInt(8 * emLen) !== 0n) return false;
  return emsaPssVerify(digest, bytesFromBigint(m, emLen), hash, modBits - 1);
}
