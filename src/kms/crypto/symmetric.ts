import { Err } from '../errors.ts';
import type { KeyRecord } from '../model/key.ts';
import { aad, encodeHeader, joinBlob, parseCiphertext, type ParsedCiphertext } from './ciphertextBlob.ts';
import { canonicalEncryptionContext, type EncryptionContext } from './encryptionContext.ts';
import type { Keyring } from './keyring.ts';
import { randomBytes } from './random.ts';

/**
 * A second encryption layer applied outside KMS to a symmetric ciphertext: an external key store's
 * external key (double encryption, xks/keyStores.ts). Sealing runs the KMS layer first, then this
 * one; opening runs this one first. Both layers bind the same header and encryption context.
 */
export interface OuterLayer {
  seal(inner: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
  open(outer: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
}

/** Outer layers of keys routed to an external key store, by the routed (transient) key record. */
const outerLayers = new WeakMap<KeyRecord, OuterLayer>();

/** A copy of `key` whose symmetric ciphertexts also pass through `layer` (the record stays plain data). */
export function withOuterLayer(key: KeyRecord, layer: OuterLayer): KeyRecord {
  const routed = { ...key };
  outerLayers.set(routed, layer);
  return routed;
}

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
  const additionalData = aad(header, canonicalEncryptionContext(ec));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData },
      await keyring.aesKey(material),
      plaintext,
    ),
  );
  const outer = outerLayers.get(key);
  const body = outer ? await outer.seal(sealed, additionalData) : sealed;
  return { blob: joinBlob(header, body), materialId: material.id };
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
    const additionalData = aad(parsed.header, canonicalEncryptionContext(ec));
    const outer = outerLayers.get(key);
    const sealed = outer ? await outer.open(parsed.sealed, additionalData) : parsed.sealed;
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: parsed.iv, additionalData },
        await keyring.aesKey(material),
        sealed,
      ),
    );
  } catch {
    throw Err.InvalidCiphertext();
  }
}

export { parseCiphertext };
