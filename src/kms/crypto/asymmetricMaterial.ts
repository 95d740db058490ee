import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import {
  HMAC_KEY_BYTES,
  isMlDsaSpec,
  isNistCurveSpec,
  isRsaSpec,
  NIST_CURVE,
  RSA_BITS,
  type HmacSpec,
  type MlDsaSpec,
} from '../model/algorithms.ts';
import type { KeySpec } from '../model/enums.ts';
import type { KeyMaterialRecord } from '../model/key.ts';
import {
  bigintFromBytes,
  bitString,
  DerError,
  isOid,
  octets,
  oid,
  parsePkcs8,
  parseSpki,
  readChildren,
  readExact,
  seq,
  smallInt,
  TAG,
  tlv,
} from './der.ts';
import type { Keyring } from './keyring.ts';
import { randomBytes } from './random.ts';

/**
 * Key pairs for every asymmetric key spec, in the two standard encodings KMS uses: the private
 * key as PKCS#8 PrivateKeyInfo (RFC 5958), which is what gets wrapped under the domain key (or,
 * for data key pairs, returned and encrypted), and the public key as SubjectPublicKeyInfo
 * (RFC 5280), which GetPublicKey returns. WebCrypto makes RSA, NIST ECC and Ed25519 keys;
 * `@noble/*` makes secp256k1 and ML-DSA keys, which WebCrypto lacks.
 */
export interface KeyPairDer {
  /** PKCS#8 PrivateKeyInfo, DER. */
  readonly privateKey: Uint8Array<ArrayBuffer>;
  /** SubjectPublicKeyInfo, DER. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
}

export const OIDS = {
  ecPublicKey: '1.2.840.10045.2.1',
  secp256k1: '1.3.132.0.10',
  ed25519: '1.3.101.112',
  ML_DSA_44: '2.16.840.1.101.3.4.3.17',
  ML_DSA_65: '2.16.840.1.101.3.4.3.18',
  ML_DSA_87: '2.16.840.1.101.3.4.3.19',
} as const;

export const ML_DSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;

async function exportPair(pair: CryptoKeyPair): Promise<KeyPairDer> {
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.exportKey('pkcs8', pair.privateKey),
    crypto.subtle.exportKey('spki', pair.publicKey),
  ]);
  return { privateKey: new Uint8Array(privateKey), publicKey: new Uint8Array(publicKey) };
}

function secp256k1Pair(): KeyPairDer {
  const d = secp256k1.utils.randomSecretKey();
  const point = secp256k1.getPublicKey(d, false);
  const algorithm = seq(oid(OIDS.ecPublicKey), oid(OIDS.secp256k1));
  // RFC 5915 ECPrivateKey with the public key, inside RFC 5958 PrivateKeyInfo.
  const ecPrivateKey = seq(smallInt(1), octets(d), tlv(0xa1, bitString(point)));
  const out = {
    privateKey: seq(smallInt(0), algorithm, octets(ecPrivateKey)),
    publicKey: seq(algorithm, bitString(point)),
  };
  d.fill(0);
  ecPrivateKey.fill(0);
  return out;
}

function mlDsaPair(spec: MlDsaSpec): KeyPairDer {
  // RFC 9881: the private key in its 32-byte seed form, `seed [0] IMPLICIT OCTET STRING`.
  const seed = randomBytes(32);
  const { publicKey, secretKey } = ML_DSA[spec].keygen(seed);
  secretKey.fill(0);
  const algorithm = seq(oid(OIDS[spec]));
  const out = {
    privateKey: seq(smallInt(0), algorithm, octets(tlv(0x80, seed))),
    publicKey: seq(algorithm, bitString(publicKey)),
  };
  seed.fill(0);
  return out;
}

/** A new key pair of a key spec (a KeySpec or a DataKeyPairSpec; SM2 is not available). */
export async function generateKeyPair(spec: KeySpec): Promise<KeyPairDer> {
  const subtle = crypto.subtle;
  if (isRsaSpec(spec))
    return exportPair(
      (await subtle.generateKey(
        {
          name: 'RSA-PSS',
          modulusLength: RSA_BITS[spec],
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        },
        true,
        ['sign', 'verify'],
      )) as CryptoKeyPair,
    );
  if (isNistCurveSpec(spec))
    return exportPair(
      (await subtle.generateKey({ name: 'ECDSA', namedCurve: NIST_CURVE[spec].curve }, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair,
    );
  if (spec === 'ECC_NIST_EDWARDS25519')
    return exportPair(
      (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair,
    );
  if (spec === 'ECC_SECG_P256K1') return secp256k1Pair();
  if (isMlDsaSpec(spec)) return mlDsaPair(spec);
  throw new Error(`No key pair for key spec ${spec}`);
}

/** A new KMS key's private key, wrapped under the domain key like any material, and its public key. */
export async function newAsymmetricMaterial(
  keyring: Keyring,
  spec: KeySpec,
  now: number,
): Promise<{ material: KeyMaterialRecord; publicKey: Uint8Array<ArrayBuffer> }> {
  const pair = await generateKeyPair(spec);
  const material = await keyring.wrapNewMaterial(pair.privateKey, now);
  pair.privateKey.fill(0);
  return { material, publicKey: pair.publicKey };
}

/** A new HMAC key's secret (as long as the spec's hash output), wrapped under the domain key. */
export async function newHmacMaterial(
  keyring: Keyring,
  spec: HmacSpec,
  now: number,
): Promise<KeyMaterialRecord> {
  const secret = randomBytes(HMAC_KEY_BYTES[spec]);
  const material = await keyring.wrapNewMaterial(secret, now);
  secret.fill(0);
  return material;
}

/** The single material of an asymmetric or HMAC key. */
export function keyPairMaterial(key: {
  arn: string;
  materials: readonly KeyMaterialRecord[];
}): KeyMaterialRecord {
  const material = key.materials[0];
  if (!material) throw new Error(`${key.arn} has no key material`);
  return material;
}

// --- reading the parts of the encoded keys back (copies, never views of the input) ---

export interface RsaPrivateKey {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
}

/** RSAPrivateKey (RFC 8017 A.1.2) from PKCS#8. */
export function rsaPrivateKey(pkcs8: Uint8Array): RsaPrivateKey {
  const fields = readChildren(readExact(parsePkcs8(pkcs8).privateKey, TAG.SEQUENCE).content);
  const [, n, e, d, p, q, dp, dq, qi] = fields.map((f) => {
    if (f.tag !== TAG.INTEGER) throw new DerError('not an RSAPrivateKey');
    return bigintFromBytes(f.content);
  });
  if (qi === undefined) throw new DerError('not an RSAPrivateKey');
  return { n: n!, e: e!, d: d!, p: p!, q: q!, dp: dp!, dq: dq!, qi };
}

/** RSAPublicKey {n, e} from SubjectPublicKeyInfo. */
export function rsaPublicKey(spki: Uint8Array): { n: bigint; e: bigint } {
  const [n, e] = readChildren(readExact(parseSpki(spki).key, TAG.SEQUENCE).content);
  if (n?.tag !== TAG.INTEGER || e?.tag !== TAG.INTEGER) throw new DerError('not an RSAPublicKey');
  return { n: bigintFromBytes(n.content), e: bigintFromBytes(e.content) };
}

/** The private scalar of an EC key (RFC 5915 ECPrivateKey in PKCS#8), left-padded to `bytes`. */
export function ecPrivateScalar(pkcs8: Uint8Array, bytes: number): Uint8Array {
  const [, d] = readChildren(readExact(parsePkcs8(pkcs8).privateKey, TAG.SEQUENCE).content);
  if (d?.tag !== TAG.OCTET_STRING || d.content.length > bytes) throw new DerError('not an ECPrivateKey');
  const out = new Uint8Array(bytes);
  out.set(d.content, bytes - d.content.length);
  return out;
}

/** The subjectPublicKey bits (an EC point, an Ed25519 or ML-DSA public key), copied. */
export const publicKeyBits = (spki: Uint8Array): Uint8Array => parseSpki(spki).key.slice();

/** The 32-byte Ed25519 private key (RFC 8410 CurvePrivateKey) from PKCS#8. */
export function ed25519Seed(pkcs8: Uint8Array): Uint8Array {
  const info = parsePkcs8(pkcs8);
  if (!isOid(info.algorithm, OIDS.ed25519)) throw new DerError('not an Ed25519 key');
  const seed = readExact(info.privateKey, TAG.OCTET_STRING).content;
  if (seed.length !== 32) throw new DerError('not an Ed25519 key');
  return seed.slice();
}

/** The 32-byte ML-DSA seed (RFC 9881 seed form) from PKCS#8. */
export function mlDsaSeed(pkcs8: Uint8Array): Uint8Array {
  const seed = readExact(parsePkcs8(pkcs8).privateKey, 0x80).content;
  if (seed.length !== 32) throw new DerError('not an ML-DSA seed');
  return seed.slice();
}
