/**
 * CloudTrail digest files (kms-api.md §13): the hourly JSON that lists the log files delivered in the
 * hour with their SHA-256 hashes, embeds the previous digest's signature (the chain), and is signed
 * SHA256withRSA with a Region-specific private key; the hex signature lives in the object's user
 * metadata (`x-amz-meta-signature`), never in the file.
 *
 * StringToSign = digestEndTime + "\n" + digestS3Bucket + "/" + digestS3Object + "\n"
 *              + hex(SHA-256(decompressed digest file)) + "\n" + previousDigestSignature ("null" for the first).
 *
 * Public keys are published like CloudTrail's ListPublicKeys: `Value` is the DER-encoded PKCS #1
 * RSAPublicKey and `Fingerprint` is the hex MD5 of that DER (CloudTrail's fingerprints are 32 hex
 * digits, e.g. `31e8b5433410dfb61a9dc45cc65b22ff`).
 */
import { md5 } from 'hash-wasm';

export const SIGNATURE_ALGORITHM = 'SHA256withRSA';
export const HASH_ALGORITHM = 'SHA-256';

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  /** Hex SHA-256 of the decompressed log file. */
  hashValue: string;
  hashAlgorithm: 'SHA-256';
  newestEventTime: string;
  oldestEventTime: string;
}

/** A digest file's JSON, in CloudTrail's field order. */
export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: 'SHA256withRSA';
  /** Null when no log file was delivered in the hour. */
  newestEventTime: string | null;
  oldestEventTime: string | null;
  /** The previous-digest fields are null in the first digest of a chain. */
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: 'SHA-256' | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

/** One entry of CloudTrail's ListPublicKeys. */
export interface TrailPublicKey {
  /** The Region whose digests this key signs. */
  readonly region: string;
  /** DER-encoded PKCS #1 RSAPublicKey. */
  readonly Value: Uint8Array;
  readonly ValidityStartTime: Date;
  readonly ValidityEndTime: Date;
  /** Hex MD5 of `Value`. */
  readonly Fingerprint: string;
}

interface SigningKey {
  readonly publicKey: TrailPublicKey;
  readonly privateKey: CryptoKey;
}

const RSA_PARAMS: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};
const KEY_VALIDITY_MS = 365 * 24 * 3_600_000;

/**
 * CloudTrail's Region-specific digest signing keys. Each Region gets an RSA-2048 key pair the first
 * time a digest needs one; a key is valid for a year, then a new one is generated (as CloudTrail
 * rotates its keys). Generate one store and reuse it: RSA key generation is the slow part.
 */
export class TrailSigningKeys {
  readonly #keys = new Map<string, SigningKey[]>();
  readonly #pending = new Map<string, Promise<SigningKey>>();

  /** The key that signs `region`'s digests at simulated time `at` (epoch ms). */
  async signingKey(region: string, at: number): Promise<SigningKey> {
    const found = this.#keys.get(region)?.find((k) => covers(k.publicKey, at));
    if (found) return found;
    const id = `${region}|${at}`;
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = generateSigningKey(region, at).then((k) => {
        this.#keys.set(region, [...(this.#keys.get(region) ?? []), k]);
        this.#pending.delete(id);
        return k;
      });
      this.#pending.set(id, pending);
    }
    return pending;
  }

  /** Pre-generates keys for several Regions at once (in parallel). */
  async prepare(regions: readonly string[], at: number): Promise<void> {
    await Promise.all(regions.map((r) => this.signingKey(r, at)));
  }

  /**
   * ListPublicKeys: the keys valid at some point in [start, end] (all times when omitted), for one
   * Region or all of them.
   */
  listPublicKeys(options: { region?: string; startTime?: number; endTime?: number } = {}): TrailPublicKey[] {
    const start = options.startTime ?? -Infinity;
    const end = options.endTime ?? Infinity;
    return [...this.#keys.entries()]
      .filter(([region]) => !options.region || region === options.region)
      .flatMap(([, keys]) => keys.map((k) => k.publicKey))
      .filter((k) => k.ValidityStartTime.getTime() <= end && k.ValidityEndTime.getTime() >= start);
  }
}

const covers = (k: TrailPublicKey, at: number) =>
  k.ValidityStartTime.getTime() <= at && at < k.ValidityEndTime.getTime();

async function generateSigningKey(region: string, at: number): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(RSA_PARAMS, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const pkcs1 = spkiToPkcs1(spki);
  const start = Math.floor(at / 3_600_000) * 3_600_000;
  return {
    privateKey: pair.privateKey,
    publicKey: {
      region,
      Value: pkcs1,
      ValidityStartTime: new Date(start),
      ValidityEndTime: new Date(start + KEY_VALIDITY_MS),
      Fingerprint: await publicKeyFingerprint(pkcs1),
    },
  };
}

/** CloudTrail's public key fingerprint: hex MD5 of the DER PKCS #1 public key. */
export const publicKeyFingerprint = (pkcs1Der: Uint8Array): Promise<string> => md5(pkcs1Der);

// ---------------------------------------------------------------------------------------------
// Signing and verifying

/** The StringToSign of a digest, from its JSON and the hex SHA-256 of its decompressed bytes. */
export function digestStringToSign(
  digest: Pick<DigestFile, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>,
  digestHash: string,
): string {
  // aws-cli: "The value must be 'null' to match the Java implementation."
  const previous = digest.previousDigestSignature ?? 'null';
  return `${digest.digestEndTime}\n${digest.digestS3Bucket}/${digest.digestS3Object}\n${digestHash}\n${previous}`;
}

/** SHA256withRSA over the StringToSign; returns the hex signature. */
export async function signDigest(privateKey: CryptoKey, stringToSign: string): Promise<string> {
  const signature = await crypto.subtle.sign(
    'RSASSA-PKCS1-v1_5',
    privateKey,
    new TextEncoder().encode(stringToSign),
  );
  return toHex(new Uint8Array(signature));
}

/** Imports a PKCS #1 DER public key; throws when the bytes are not one. */
export async function importPkcs1PublicKey(pkcs1Der: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', pkcs1ToSpki(pkcs1Der) as BufferSource, RSA_PARAMS, false, [
    'verify',
  ]);
}

export async function verifyDigestSignature(
  publicKey: CryptoKey,
  stringToSign: string,
  signature: Uint8Array,
): Promise<boolean> {
  return crypto.subtle.verify(
    'RSASSA-PKCS1-v1_5',
    publicKey,
    signature as BufferSource,
    new TextEncoder().encode(stringToSign),
  );
}

export const toHex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Python's binascii.unhexlify, with its error messages. */
export function unhexlify(hex: string): Uint8Array {
  if (hex.length % 2) throw new Error('Odd-length string');
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new Error('Non-hexadecimal digit found');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// ---------------------------------------------------------------------------------------------
// DER: SubjectPublicKeyInfo ⇄ PKCS #1 RSAPublicKey

// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
const RSA_ALGORITHM_ID = new Uint8Array([
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
]);

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...derLength(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

function readTlv(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  if (at + 2 > der.length) throw new Error('truncated DER');
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

export function spkiToPkcs1(spki: Uint8Array): Uint8Array {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const bits = readTlv(spki, algorithm.end);
  if (outer.tag !== 0x30 || algorithm.tag !== 0x30 || bits.tag !== 0x03) throw new Error('not an SPKI');
  return spki.slice(bits.start + 1, bits.end); // skip the unused-bits byte
}

export function pkcs1ToSpki(pkcs1: Uint8Array): Uint8Array {
  const key = readTlv(pkcs1, 0);
  if (key.tag !== 0x30 || key.end !== pkcs1.length) throw new Error('not a PKCS #1 RSAPublicKey');
  const bitString = new Uint8Array(pkcs1.length + 1);
  bitString.set(pkcs1, 1);
  const body = tlv(0x03, bitString);
  const content = new Uint8Array(RSA_ALGORITHM_ID.length + body.length);
  content.set(RSA_ALGORITHM_ID);
  content.set(body, RSA_ALGORITHM_ID.length);
  return tlv(0x30, content);
}
