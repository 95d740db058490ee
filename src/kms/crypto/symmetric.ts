import { Err } from '../errors.ts';
import type { KeyRecord } from '../model/key.ts';
import { aad, encodeHeader, joinBlob, parseCiphertext, type ParsedCiphertext } from './ciphertextBlob.ts';
import { canonicalEncryptionContext, type EncryptionContext } from './encryptionContext.ts';
import type { Keyring } from './keyring.ts';
import { randomBytes } from './random.ts';

/** Encrypts under the key's current material, binding the encryption context. */
export async function sealSymmetric(
  keyring: Keyring,
  key: KeyRecord,
  plaintext: Uint8Array<ArrayBuffer>,
  ec: EncryptionContext | undefined,
): Promise<{ blob: Uint8Array<ArrayBuffer>; materialId: string }> {
  const material = key.materials.find((m) => m.id === key.currentMaterialId);
  if (!material) throw Err.InvalidState(`${key.arn} is pending import.`);
  const iv = randomBytes(12);
  const header = encodeHeader({ accountId: key.accountId, keyId: key.keyId, materialId: material.id, iv });
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad(header, canonicalEncryptionContext(ec)) },
      await keyring.aesKey(material),
      plaintext,
    ),
  );
  return { blob: joinBlob(header, sealed), materialId: material.id };
}

/**
 * Decrypts with the material version the blob names. Wrong context, tampering, truncation or a
 * material the key does not hold are all the same InvalidCiphertextException, as in AWS.
 */
export async function openSymmetric(
  keyring: Keyring,
  key: KeyRecord,
  parsed: ParsedCiphertext,
  ec: EncryptionContext | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  const material = key.materials.find((m) => m.id === parsed.materialId);
  if (!material) throw Err.InvalidCiphertext();
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: parsed.iv,
          additionalData: aad(parsed.header, canonicalEncryptionContext(ec)),
        },
        await keyring.aesKey(material),
        parsed.sealed,
      ),
    );
  } catch {
    throw Err.InvalidCiphertext();
  }
}

export { parseCiphertext };
