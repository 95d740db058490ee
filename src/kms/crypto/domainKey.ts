import { randomBytes } from './random.ts';

/**
 * Key material at rest is wrapped (AES-GCM) under a non-extractable "domain key", like KMS's HSMs
 * which store keys only wrapped under domain keys. The AAD binds each wrap to its material ID, so
 * wrapped blobs cannot be swapped between materials.
 */
export const generateDomainKey = (): Promise<CryptoKey> =>
  crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]) as Promise<CryptoKey>;

const aad = (materialId: string) => new TextEncoder().encode(`kms-lab/material/${materialId}`);

export async function wrapMaterial(
  domainKey: CryptoKey,
  materialId: string,
  raw: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const iv = randomBytes(12);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(materialId) }, domainKey, raw),
  );
  const out = new Uint8Array(12 + ct.length);
  out.set(iv);
  out.set(ct, 12);
  return out;
}

export async function unwrapMaterial(
  domainKey: CryptoKey,
  materialId: string,
  wrapped: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const iv = wrapped.slice(0, 12);
  const ct = wrapped.slice(12);
  return new Uint8Array(
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(materialId) }, domainKey, ct),
  );
}
