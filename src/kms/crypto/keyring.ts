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
  /** Usable forms of asymmetric and HMAC material, by `<material id>/<use>`. */
  readonly #usable = new Map<string, Promise<unknown>>();

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

  /**
   * New material from given bytes (a PKCS#8 private key, an HMAC secret, imported material),
   * returned wrapped; imported material brings its own (derived) ID.
   */
  async wrapNewMaterial(
    raw: Uint8Array<ArrayBuffer>,
    now: number,
    id: string = newHexId(32),
  ): Promise<KeyMaterialRecord> {
    return { id, createdAt: now, wrapped: await wrapMaterial(this.#domainKey, id, raw) };
  }

  /**
   * A usable form of a material (an imported CryptoKey, parsed key parameters), built once from
   * its unwrapped bytes, which are zeroed right after `build`: it must copy what it keeps.
   */
  usable<T>(
    material: KeyMaterialRecord,
    use: string,
    build: (raw: Uint8Array<ArrayBuffer>) => T | Promise<T>,
  ): Promise<T> {
    return this.cached(material.id, use, async () => {
      const raw = await unwrapMaterial(this.#domainKey, material.id, material.wrapped);
      try {
        return await build(raw);
      } finally {
        raw.fill(0);
      }
    });
  }

  /** Something derived from a material (e.g. its imported public key), built once. */
  cached<T>(materialId: string, use: string, build: () => Promise<T>): Promise<T> {
    const slot = `${materialId}/${use}`;
    let value = this.#usable.get(slot) as Promise<T> | undefined;
    if (!value) {
      value = build();
      value.catch(() => this.#usable.delete(slot));
      this.#usable.set(slot, value);
    }
    return value;
  }

  /** Drops cached keys for materials that no longer exist (deleted keys). */
  forget(materialIds: Iterable<string>): void {
    for (const id of materialIds) {
      this.#aes.delete(id);
      for (const slot of this.#usable.keys()) if (slot.startsWith(`${id}/`)) this.#usable.delete(slot);
    }
  }
}
