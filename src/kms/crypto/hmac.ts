import { createHMAC, createSHA224 } from 'hash-wasm';
import type { HmacSpec } from '../model/algorithms.ts';
import type { KeyRecord } from '../model/key.ts';
import { keyPairMaterial } from './asymmetricMaterial.ts';
import type { Keyring } from './keyring.ts';
import { constantTimeEqual } from './rsaDigest.ts';

/**
 * GenerateMac / VerifyMac: RFC 2104 HMAC with the key's hash. WebCrypto for SHA-256/384/512;
 * `hash-wasm` for SHA-224, which WebCrypto lacks (that secret then lives as bytes in JS memory).
 */
const WEBCRYPTO_HASH: Record<Exclude<HmacSpec, 'HMAC_224'>, string> = {
  HMAC_256: 'SHA-256',
  HMAC_384: 'SHA-384',
  HMAC_512: 'SHA-512',
};

export async function generateMac(
  keyring: Keyring,
  key: KeyRecord,
  message: Uint8Array,
): Promise<Uint8Array> {
  const spec = key.keySpec as HmacSpec;
  const material = keyPairMaterial(key);
  if (spec === 'HMAC_224') {
    const secret = await keyring.usable(material, 'hmac-secret', (raw) => raw.slice());
    const hmac = await createHMAC(createSHA224(), secret);
    hmac.init();
    hmac.update(message);
    return hmac.digest('binary');
  }
  const cryptoKey = await keyring.usable(material, 'hmac', (raw) =>
    crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: WEBCRYPTO_HASH[spec] }, false, ['sign']),
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, message as Uint8Array<ArrayBuffer>));
}

export async function verifyMac(
  keyring: Keyring,
  key: KeyRecord,
  message: Uint8Array,
  mac: Uint8Array,
): Promise<boolean> {
  return constantTimeEqual(await generateMac(keyring, key, message), mac);
}
