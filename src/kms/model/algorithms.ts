import type { KeySpec, KeyUsage } from './enums.ts';

/**
 * Which algorithms each key spec and usage offers (kms-api.md §3), and what each algorithm
 * means: its hash, its digest length for MessageType DIGEST.
 */
export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export const RSA_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
export type RsaSpec = (typeof RSA_SPECS)[number];
export const RSA_BITS: Record<RsaSpec, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

export const NIST_CURVES = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'] as const;
export type NistCurveSpec = (typeof NIST_CURVES)[number];
/** WebCrypto curve name, ECDSA hash, and field size in bytes. */
export const NIST_CURVE: Record<NistCurveSpec, { curve: string; hash: HashName; bytes: number }> = {
  ECC_NIST_P256: { curve: 'P-256', hash: 'SHA-256', bytes: 32 },
  ECC_NIST_P384: { curve: 'P-384', hash: 'SHA-384', bytes: 48 },
  ECC_NIST_P521: { curve: 'P-521', hash: 'SHA-512', bytes: 66 },
};

export const ML_DSA_SPECS = ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const;
export type MlDsaSpec = (typeof ML_DSA_SPECS)[number];

export const HMAC_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const;
export type HmacSpec = (typeof HMAC_SPECS)[number];
/** Key length in bytes equals the spec's bit count (kms-api.md §3, [DG23 hmac.md]). */
export const HMAC_KEY_BYTES: Record<HmacSpec, number> = {
  HMAC_224: 28,
  HMAC_256: 32,
  HMAC_384: 48,
  HMAC_512: 64,
};

export const isRsaSpec = (s: string): s is RsaSpec => (RSA_SPECS as readonly string[]).includes(s);
export const isNistCurveSpec = (s: string): s is NistCurveSpec =>
  (NIST_CURVES as readonly string[]).includes(s);
export const isMlDsaSpec = (s: string): s is MlDsaSpec => (ML_DSA_SPECS as readonly string[]).includes(s);
export const isHmacSpec = (s: string): s is HmacSpec => (HMAC_SPECS as readonly string[]).includes(s);
/** Specs with a key pair (everything but SYMMETRIC_DEFAULT and HMAC). */
export const isAsymmetricSpec = (s: KeySpec): boolean => s !== 'SYMMETRIC_DEFAULT' && !isHmacSpec(s);

const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

export function encryptionAlgorithms(spec: KeySpec): string[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['SYMMETRIC_DEFAULT'];
  if (isRsaSpec(spec)) return ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
  if (spec === 'SM2') return ['SM2PKE'];
  return [];
}

export function signingAlgorithms(spec: KeySpec): string[] {
  if (isRsaSpec(spec)) return [...RSA_SIGNING];
  if (isNistCurveSpec(spec)) return [`ECDSA_${NIST_CURVE[spec].hash.replace('-', '_')}`];
  if (spec === 'ECC_SECG_P256K1') return ['ECDSA_SHA_256'];
  if (spec === 'ECC_NIST_EDWARDS25519') return ['ED25519_SHA_512', 'ED25519_PH_SHA_512'];
  if (isMlDsaSpec(spec)) return ['ML_DSA_SHAKE_256'];
  if (spec === 'SM2') return ['SM2DSA'];
  return [];
}

export const macAlgorithm = (spec: HmacSpec): string => `HMAC_SHA_${spec.slice(5)}`;

/** The algorithm lists KeyMetadata and GetPublicKey carry: only the one matching the key usage. */
export function algorithmLists(spec: KeySpec, usage: KeyUsage): Record<string, string[]> {
  switch (usage) {
    case 'ENCRYPT_DECRYPT':
      return { EncryptionAlgorithms: encryptionAlgorithms(spec) };
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: signingAlgorithms(spec) };
    case 'GENERATE_VERIFY_MAC':
      return isHmacSpec(spec) ? { MacAlgorithms: [macAlgorithm(spec)] } : {};
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: ['ECDH'] };
  }
}

/** The hash named by an algorithm's suffix (`…_SHA_256` → SHA-256). */
export function algorithmHash(algorithm: string): HashName {
  const m = /SHA_(1|256|384|512)$/.exec(algorithm);
  if (!m) throw new Error(`No hash in ${algorithm}`);
  return `SHA-${m[1]}` as HashName;
}

export const HASH_BYTES: Record<HashName, number> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** Largest Encrypt plaintext for RSAES_OAEP: (keyBits/8) − 2·(hashBits/8) − 2. */
export const maxRsaPlaintext = (spec: RsaSpec, algorithm: string): number =>
  RSA_BITS[spec] / 8 - 2 * HASH_BYTES[algorithmHash(algorithm)] - 2;
