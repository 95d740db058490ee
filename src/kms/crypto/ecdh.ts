import { Err } from '../errors.ts';
import { NIST_CURVE, type NistCurveSpec } from '../model/algorithms.ts';
import type { KeyRecord } from '../model/key.ts';
import { keyPairMaterial } from './asymmetricMaterial.ts';
import type { Keyring } from './keyring.ts';

/**
 * DeriveSharedSecret: ECDH (NIST SP 800-56A ECC CDH) between the KMS key's private key and a
 * peer's public key on the same curve. The result is the raw shared secret, the X coordinate
 * of the shared point (32 / 48 / 66 bytes), for the caller to feed into a KDF.
 */
export async function importPeerPublicKey(key: KeyRecord, spki: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const { curve } = NIST_CURVE[key.keySpec as NistCurveSpec];
  try {
    return await crypto.subtle.importKey('spki', spki, { name: 'ECDH', namedCurve: curve }, false, []);
  } catch {
    // (unverified) AWS answers a peer key that is not a DER SPKI on the key's curve with a
    // ValidationException; this wording is ours.
    throw Err.Validation(
      `PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of a point on the curve of key spec ${key.keySpec}.`,
    );
  }
}

export async function deriveSharedSecret(
  keyring: Keyring,
  key: KeyRecord,
  peer: CryptoKey,
): Promise<Uint8Array<ArrayBuffer>> {
  const { curve, bytes } = NIST_CURVE[key.keySpec as NistCurveSpec];
  const privateKey = await keyring.usable(keyPairMaterial(key), 'ecdh', (pkcs8) =>
    crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: curve }, false, ['deriveBits']),
  );
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, privateKey, bytes * 8),
  );
}
