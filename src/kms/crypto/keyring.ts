import type { KeyMaterialRecord } from '../model/key.ts';
import { unwrapMaterial, wrapMaterial } from './domainKey.ts';
import { newHexId, randomBytes } from './random.ts';

/**
 * Holds usable (non-extractable) CryptoKeys for key material, unwrapping each material from its
 * at-rest form on first use. Raw material bytes exist only transiently inside this module.
 */
export class Keyring {
  readonly #domainKey: CryptoKey;
  readonly #aes = new Map<string, Promise<CryptoKey>>();

  constructor(domainKey: CryptoKey) {
    this.#domainKey = domainKey;
  }

  /** New 256-bit symmetric material, returned wrapped. */
  async newSymmetricMaterial(now: number): Promise<KeyMaterialRecord> {
    const id = newHexId(32);
    const raw = randomBytes(32);
    const wrapped = await wrapMaterial(this.#domainKey, id, raw);
    const key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    raw.fill(0);
    this.#aes.set(id, key);
    return { id, createdAt: now, wrapped };
  }

  /** The AES-GCM key for a symmetric material. */
  aesKey(material: KeyMaterialRecord): Promise<CryptoKey> {
    let key = this.#aes.get(material.id);
    if (!key) {
      key = unwrapMaterial(this.#domainKey, material.id, material.wrapped).then(async (raw) => {
        const k = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
        raw.fill(0);
        return k;
      });
      key.catch(() => this.#aes.delete(material.id));
      this.#aes.set(material.id, key);
    }
    return key;
  }

  /** Drops cached keys for materials that no longer exist (deleted keys). */
  forget(materialIds: Iterable<string>): void {
    for (const id of materialIds) this.#aes.delete(id);
  }
}
