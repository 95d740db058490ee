import { ed25519ph } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  algorithmHash,
  HASH_BYTES,
  isMlDsaSpec,
  isNistCurveSpec,
  isRsaSpec,
  NIST_CURVE,
  type NistCurveSpec,
} from '../model/algorithms.ts';
import type { KeyRecord } from '../model/key.ts';
import {
  ecPrivateScalar,
  ed25519Seed,
  keyPairMaterial,
  ML_DSA,
  mlDsaSeed,
  publicKeyBits,
  rsaPrivateKey,
  rsaPublicKey,
} from './asymmetricMaterial.ts';
import type { Keyring } from './keyring.ts';
import { rsaSignDigest, rsaVerifyDigest } from './rsaDigest.ts';

/**
 * Sign and Verify for every asymmetric signing algorithm (kms-api.md §3):
 * - RSASSA_PKCS1_V1_5_SHA_* and RSASSA_PSS_SHA_* (salt = hash length): WebCrypto for RAW,
 *   RFC 8017 encodings over BigInt RSA for DIGEST;
 * - ECDSA_SHA_* on NIST curves: WebCrypto for RAW, noble for DIGEST; signatures are DER, as
 *   AWS returns them (WebCrypto's IEEE P1363 r‖s is converted both ways); secp256k1 via noble;
 * - ED25519_SHA_512 (RAW; WebCrypto) and ED25519_PH_SHA_512 (DIGEST; noble Ed25519ph, which
 *   pre-hashes the 64-byte digest it is given, as AWS does);
 * - ML_DSA_SHAKE_256 (RAW, or EXTERNAL_MU: a caller-computed 64-byte μ) via noble.
 * Requests are checked (algorithm, message type, digest length) before these run.
 */
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

export interface SigningRequest {
  readonly key: KeyRecord;
  readonly algorithm: string;
  readonly messageType: MessageType;
  readonly message: Uint8Array<ArrayBuffer>;
}

const NOBLE_NIST = { ECC_NIST_P256: p256, ECC_NIST_P384: p384, ECC_NIST_P521: p521 } as const;
const subtle = () => crypto.subtle;

function publicKeyOf(key: KeyRecord): Uint8Array<ArrayBuffer> {
  if (!key.publicKey) throw new Error(`${key.arn} has no public key`);
  return key.publicKey;
}

// --- WebCrypto keys, imported once per material and use ---

function webCryptoParams(key: KeyRecord, algorithm: string) {
  if (isRsaSpec(key.keySpec)) {
    const hash = algorithmHash(algorithm);
    return algorithm.startsWith('RSASSA_PSS')
      ? {
          importAs: { name: 'RSA-PSS', hash },
          params: { name: 'RSA-PSS', saltLength: HASH_BYTES[hash] } as RsaPssParams,
        }
      : { importAs: { name: 'RSASSA-PKCS1-v1_5', hash }, params: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  if (isNistCurveSpec(key.keySpec)) {
    const { curve, hash } = NIST_CURVE[key.keySpec];
    return { importAs: { name: 'ECDSA', namedCurve: curve }, params: { name: 'ECDSA', hash } as EcdsaParams };
  }
  return { importAs: { name: 'Ed25519' }, params: { name: 'Ed25519' } };
}

function privateCryptoKey(keyring: Keyring, key: KeyRecord, importAs: { name: string }) {
  return keyring.usable(keyPairMaterial(key), `sign:${JSON.stringify(importAs)}`, (pkcs8) =>
    subtle().importKey('pkcs8', pkcs8, importAs, false, ['sign']),
  );
}

function publicCryptoKey(keyring: Keyring, key: KeyRecord, importAs: { name: string }) {
  return keyring.cached(keyPairMaterial(key).id, `verify:${JSON.stringify(importAs)}`, () =>
    subtle().importKey('spki', publicKeyOf(key), importAs, false, ['verify']),
  );
}

// --- secrets for the noble paths, parsed once per material ---

const ecScalar = (keyring: Keyring, key: KeyRecord, bytes: number) =>
  keyring.usable(keyPairMaterial(key), 'ec-scalar', (pkcs8) => ecPrivateScalar(pkcs8, bytes));
const edSeed = (keyring: Keyring, key: KeyRecord) =>
  keyring.usable(keyPairMaterial(key), 'ed25519-seed', ed25519Seed);
const rsaPrivate = (keyring: Keyring, key: KeyRecord) =>
  keyring.usable(keyPairMaterial(key), 'rsa-private', rsaPrivateKey);
function mlDsaSecret(keyring: Keyring, key: KeyRecord) {
  const dsa = ML_DSA[key.keySpec as keyof typeof ML_DSA];
  return keyring.usable(keyPairMaterial(key), 'ml-dsa-secret', (pkcs8) => {
    const seed = mlDsaSeed(pkcs8);
    const { secretKey } = dsa.keygen(seed);
    seed.fill(0);
    return secretKey;
  });
}

const rsaPadding = (algorithm: string) => (algorithm.startsWith('RSASSA_PSS') ? 'PSS' : 'PKCS1_V1_5');
const digestHash = (algorithm: string) => algorithmHash(algorithm) as 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Signs; returns the signature as AWS encodes it (PKCS#1 for RSA, DER for ECDSA, raw otherwise). */
export async function sign(keyring: Keyring, r: SigningRequest): Promise<Uint8Array> {
  const { key, algorithm, messageType, message } = r;
  const spec = key.keySpec;
  if (isMlDsaSpec(spec)) {
    const dsa = ML_DSA[spec];
    const secret = await mlDsaSecret(keyring, key);
    return messageType === 'EXTERNAL_MU'
      ? dsa.internal.sign(message, secret, { externalMu: true })
      : dsa.sign(message, secret);
  }
  if (spec === 'ECC_SECG_P256K1')
    return secp256k1.sign(message, await ecScalar(keyring, key, 32), {
      prehash: messageType === 'RAW',
      format: 'der',
      lowS: false,
      extraEntropy: true,
    });
  if (messageType === 'DIGEST') {
    if (isRsaSpec(spec))
      return rsaSignDigest(
        await rsaPrivate(keyring, key),
        rsaPadding(algorithm),
        digestHash(algorithm),
        message,
      );
    if (isNistCurveSpec(spec))
      return NOBLE_NIST[spec].sign(message, await ecScalar(keyring, key, NIST_CURVE[spec].bytes), {
        prehash: false,
        format: 'der',
        lowS: false,
        extraEntropy: true,
      });
    if (algorithm === 'ED25519_PH_SHA_512') return ed25519ph.sign(message, await edSeed(keyring, key));
    throw new Error(`No DIGEST signing for ${spec}`);
  }
  const { importAs, params } = webCryptoParams(key, algorithm);
  const signature = new Uint8Array(
    await subtle().sign(params, await privateCryptoKey(keyring, key, importAs), message),
  );
  return isNistCurveSpec(spec) ? p1363ToDer(spec, signature) : signature;
}

/** Verifies; false for any signature that does not verify, including malformed ones. */
export async function verify(
  keyring: Keyring,
  r: SigningRequest,
  signature: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const { key, algorithm, messageType, message } = r;
  const spec = key.keySpec;
  try {
    if (isMlDsaSpec(spec)) {
      const dsa = ML_DSA[spec];
      const pub = publicKeyBits(publicKeyOf(key));
      return messageType === 'EXTERNAL_MU'
        ? dsa.internal.verify(signature, message, pub, { externalMu: true })
        : dsa.verify(signature, message, pub);
    }
    if (spec === 'ECC_SECG_P256K1')
      return secp256k1.verify(signature, message, publicKeyBits(publicKeyOf(key)), {
        prehash: messageType === 'RAW',
        format: 'der',
        lowS: false,
      });
    if (messageType === 'DIGEST') {
      if (isRsaSpec(spec))
        return rsaVerifyDigest(
          rsaPublicKey(publicKeyOf(key)),
          rsaPadding(algorithm),
          digestHash(algorithm),
          message,
          signature,
        );
      if (isNistCurveSpec(spec))
        return NOBLE_NIST[spec].verify(signature, message, publicKeyBits(publicKeyOf(key)), {
          prehash: false,
          format: 'der',
          lowS: false,
        });
      if (algorithm === 'ED25519_PH_SHA_512')
        return ed25519ph.verify(signature, message, publicKeyBits(publicKeyOf(key)), { zip215: false });
      return false;
    }
    const { importAs, params } = webCryptoParams(key, algorithm);
    const raw = isNistCurveSpec(spec) ? derToP1363(spec, signature) : signature;
    return await subtle().verify(params, await publicCryptoKey(keyring, key, importAs), raw, message);
  } catch {
    return false;
  }
}

/** WebCrypto's IEEE P1363 r‖s → DER SEQUENCE { r, s } (RFC 3279). */
export const p1363ToDer = (spec: NistCurveSpec, sig: Uint8Array): Uint8Array =>
  NOBLE_NIST[spec].Signature.fromBytes(sig, 'compact').toBytes('der');

/** DER SEQUENCE { r, s } → fixed-length r‖s for WebCrypto. */
export const derToP1363 = (spec: NistCurveSpec, sig: Uint8Array): Uint8Array<ArrayBuffer> =>
  new Uint8Array(NOBLE_NIST[spec].Signature.fromBytes(sig, 'der').toBytes('compact'));
