import { Err } from '../errors.ts';
import { algorithmHash, maxRsaPlaintext, type RsaSpec } from '../model/algorithms.ts';
import type { KeyRecord } from '../model/key.ts';
import { keyPairMaterial } from './asymmetricMaterial.ts';
import type { Keyring } from './keyring.ts';

/**
 * Encrypt/Decrypt with RSA ENCRYPT_DECRYPT keys: RSAES-OAEP (RFC 8017 §7.1) with SHA-1 or
 * SHA-256 for both OAEP and MGF1 and an empty label. The ciphertext is the raw RSA output (no
 * KMS header), so anyone with the public key can make one, and Decrypt needs the KeyId.
 */
const oaep = (algorithm: string) => ({ name: 'RSA-OAEP', hash: algorithmHash(algorithm) });

/** AWS's limit: `Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.` */
export function checkRsaPlaintext(key: KeyRecord, algorithm: string, plaintext: Uint8Array): void {
  const max = maxRsaPlaintext(key.keySpec as RsaSpec, algorithm);
  if (plaintext.length > max)
    throw Err.Validation(
      `Algorithm ${algorithm} and key spec ${key.keySpec} cannot encrypt data larger than ${max} bytes.`,
    );
}

export async function rsaEncrypt(
  keyring: Keyring,
  key: KeyRecord,
  algorithm: string,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  checkRsaPlaintext(key, algorithm, plaintext);
  const publicKey = await keyring.cached(keyPairMaterial(key).id, `encrypt:${algorithm}`, () =>
    crypto.subtle.importKey('spki', key.publicKey!, oaep(algorithm), false, ['encrypt']),
  );
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, plaintext));
}

/** Any failure (wrong algorithm, wrong key, tampering) is InvalidCiphertextException, as in AWS. */
export async function rsaDecrypt(
  keyring: Keyring,
  key: KeyRecord,
  algorithm: string,
  ciphertext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const privateKey = await keyring.usable(keyPairMaterial(key), `decrypt:${algorithm}`, (pkcs8) =>
    crypto.subtle.importKey('pkcs8', pkcs8, oaep(algorithm), false, ['decrypt']),
  );
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, ciphertext));
  } catch {
    throw Err.InvalidCiphertext();
  }
}
