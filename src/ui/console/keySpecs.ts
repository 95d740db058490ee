import type { KeyKind } from '../consoleKeyPolicy.ts';

/** Key specs AWS offers for each key usage; the key type follows from the spec. */
export const SPECS_BY_USAGE: Readonly<Record<string, readonly string[]>> = {
  ENCRYPT_DECRYPT: ['SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'],
  SIGN_VERIFY: [
    'RSA_2048',
    'RSA_3072',
    'RSA_4096',
    'ECC_NIST_P256',
    'ECC_NIST_P384',
    'ECC_NIST_P521',
    'ECC_SECG_P256K1',
    'ECC_NIST_EDWARDS25519',
    'ML_DSA_44',
    'ML_DSA_65',
    'ML_DSA_87',
    'SM2',
  ],
  KEY_AGREEMENT: ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'SM2'],
  GENERATE_VERIFY_MAC: ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'],
};

/** The key usages, in the order the console lists them. */
export const KEY_USAGES: readonly string[] = Object.keys(SPECS_BY_USAGE);

/** The key type a key spec makes. */
export const kindOf = (spec: string): KeyKind =>
  spec === 'SYMMETRIC_DEFAULT' ? 'symmetric' : spec.startsWith('HMAC_') ? 'hmac' : 'asymmetric';

/** The usages the console offers once a key type is chosen. */
export const usagesOf = (k: KeyKind): string[] =>
  KEY_USAGES.filter((u) => SPECS_BY_USAGE[u]!.some((s) => kindOf(s) === k));

/** The specs the console offers for a key type and usage. */
export const specsOf = (k: KeyKind, u: string): string[] =>
  (SPECS_BY_USAGE[u] ?? []).filter((s) => kindOf(s) === k);
