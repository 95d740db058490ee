/**
 * The cryptography of importing key material (kms-api.md §8): RSA wrapping key pairs for
 * GetParametersForImport, import tokens, and unwrapping EncryptedKeyMaterial with
 * RSAES_OAEP_SHA_1/256 (material wrapped directly) or RSA_AES_KEY_WRAP_SHA_1/256 (PKCS#11
 * CKM_RSA_AES_KEY_WRAP: RSA-OAEP(ephemeral AES-256 key) ‖ AES key wrap with padding, RFC 5649).
 * WebCrypto has no RFC 5649, so AES-KWP comes from the audited `@noble/ciphers`.
 */
import { aeskwp } from '@noble/ciphers/aes.js';
import { Err } from '../errors.ts';
import type { KeyMaterialRecord } from '../model/key.ts';
import type { Keyring } from './keyring.ts';
import { fromHex, randomBytes, toHex } from './random.ts';

export const WRAPPING_KEY_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const;
export type RsaWrappingKeySpec = keyof typeof WRAPPING_KEY_BITS;

const oaepHash = (algorithm: string) => (algorithm.endsWith('SHA_1') ? 'SHA-1' : 'SHA-256');

/** A fresh RSA wrapping key pair: the private key wrapped under the domain key, the public key as SPKI. */
export async function newWrappingKeyPair(
  keyring: Keyring,
  spec: RsaWrappingKeySpec,
  now: number,
): Promise<{ privateKey: KeyMaterialRecord; publicKey: Uint8Array<ArrayBuffer> }> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: WRAPPING_KEY_BITS[spec],
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['encrypt', 'decrypt'],
  )) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const privateKey = await keyring.wrapNewMaterial(pkcs8, now);
  pkcs8.fill(0);
  return { privateKey, publicKey: spki };
}

const TOKEN_MAGIC = [0x4b, 0x4c, 0x49, 0x54]; // "KLIT"

/** An import token: opaque to callers; names the key it was issued for and the parameters' ID. */
export function encodeImportToken(tokenId: string, keyId: string): Uint8Array<ArrayBuffer> {
  const ref = new TextEncoder().encode(keyId);
  const out = new Uint8Array(4 + 16 + ref.length);
  out.set(TOKEN_MAGIC);
  out.set(fromHex(tokenId), 4);
  out.set(ref, 20);
  return out;
}

export function decodeImportToken(token: Uint8Array): { tokenId: string; keyId: string } | undefined {
  if (token.length < 21 || TOKEN_MAGIC.some((b, i) => token[i] !== b)) return undefined;
  try {
    const keyId = new TextDecoder('utf-8', { fatal: true }).decode(token.subarray(20));
    return { tokenId: toHex(token.subarray(4, 20)), keyId };
  } catch {
    return undefined;
  }
}

export const newTokenId = (): string => toHex(randomBytes(16));

/**
 * Unwraps EncryptedKeyMaterial with the wrapping private key. Anything that does not unwrap is an
 * InvalidCiphertextException, as in AWS.
 */
export async function unwrapImportedMaterial(
  keyring: Keyring,
  wrappingKey: KeyMaterialRecord,
  algorithm: string,
  encrypted: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const hash = oaepHash(algorithm);
  const rsa = await keyring.usable(wrappingKey, `import-${hash}`, (pkcs8) =>
    crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash }, false, ['decrypt']),
  );
  const modulusBytes = (rsa.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8;
  try {
    if (algorithm.startsWith('RSAES_OAEP')) {
      if (encrypted.length !== modulusBytes) throw new Error('length');
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, rsa, encrypted));
    }
    if (encrypted.length <= modulusBytes + 8) throw new Error('length');
    const aesKey = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, rsa, encrypted.subarray(0, modulusBytes)),
    );
    if (![16, 24, 32].includes(aesKey.length)) throw new Error('aes key');
    try {
      return Uint8Array.from(aeskwp(aesKey).decrypt(encrypted.subarray(modulusBytes)));
    } finally {
      aesKey.fill(0);
    }
  } catch {
    throw Err.InvalidCiphertext();
  }
}

/**
 * The KeyMaterialId of imported material: derived from the key ID and the material, so the same
 * material imported again (or into a related multi-Region key) has the same ID.
 */
export async function importedMaterialId(keyId: string, material: Uint8Array): Promise<string> {
  const prefix = new TextEncoder().encode(`kms-lab/imported-material/${keyId}/`);
  const data = new Uint8Array(prefix.length + material.length);
  data.set(prefix);
  data.set(material, prefix.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  data.fill(0);
  return toHex(digest);
}
