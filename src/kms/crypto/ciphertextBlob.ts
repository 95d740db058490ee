import { Err } from '../errors.ts';
import { fromHex, toHex } from './random.ts';

/**
 * The symmetric CiphertextBlob: a versioned, self-describing binary format.
 *
 *   u8  version (1)
 *   u8  n, then n bytes UTF-8 key reference "<accountId>:<keyId>"
 *   4   CRC-32 (big-endian) of the version, n and the key reference
 *   32  key material ID
 *   12  AES-GCM IV
 *   ..  AES-GCM ciphertext || 16-byte tag
 *
 * Everything before the ciphertext is the header; it is authenticated as AAD together with the
 * canonical encryption context, so any change to it fails decryption. The Region is not named:
 * a multi-Region key's related keys share the key ID and material, so any of them can decrypt.
 *
 * The key reference is read before anything can be authenticated (it says which key to use), so a
 * CRC-32 guards it: a corrupted reference is an InvalidCiphertextException, as any corruption is,
 * and never reads as "a key that does not exist" (which AWS answers with AccessDeniedException).
 */
export const CIPHERTEXT_VERSION = 1;
const CHECKSUM_BYTES = 4;
const MATERIAL_ID_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CiphertextHeader {
  readonly accountId: string;
  readonly keyId: string;
  readonly materialId: string;
  readonly iv: Uint8Array<ArrayBuffer>;
}

export interface ParsedCiphertext extends CiphertextHeader {
  readonly header: Uint8Array<ArrayBuffer>;
  readonly sealed: Uint8Array<ArrayBuffer>;
}

export function encodeHeader(h: CiphertextHeader): Uint8Array<ArrayBuffer> {
  const ref = new TextEncoder().encode(`${h.accountId}:${h.keyId}`);
  const refEnd = 2 + ref.length;
  const out = new Uint8Array(refEnd + CHECKSUM_BYTES + MATERIAL_ID_BYTES + IV_BYTES);
  out[0] = CIPHERTEXT_VERSION;
  out[1] = ref.length;
  out.set(ref, 2);
  new DataView(out.buffer).setUint32(refEnd, crc32(out.subarray(0, refEnd)));
  out.set(fromHex(h.materialId), refEnd + CHECKSUM_BYTES);
  out.set(h.iv, refEnd + CHECKSUM_BYTES + MATERIAL_ID_BYTES);
  return out;
}

/** Parses a blob; anything that is not a well-formed blob is an InvalidCiphertextException. */
export function parseCiphertext(blob: Uint8Array): ParsedCiphertext {
  if (blob.length < 2 || blob[0] !== CIPHERTEXT_VERSION) throw Err.InvalidCiphertext();
  const refEnd = 2 + blob[1]!;
  const materialAt = refEnd + CHECKSUM_BYTES;
  const headerLen = materialAt + MATERIAL_ID_BYTES + IV_BYTES;
  if (blob.length < headerLen + TAG_BYTES) throw Err.InvalidCiphertext();
  const checksum = new DataView(blob.buffer, blob.byteOffset + refEnd, CHECKSUM_BYTES).getUint32(0);
  if (checksum !== crc32(blob.subarray(0, refEnd))) throw Err.InvalidCiphertext();
  let ref: string;
  try {
    ref = new TextDecoder('utf-8', { fatal: true }).decode(blob.subarray(2, refEnd));
  } catch {
    throw Err.InvalidCiphertext();
  }
  const m = /^(\d{12}):(.+)$/.exec(ref);
  if (!m) throw Err.InvalidCiphertext();
  const header = blob.slice(0, headerLen);
  return {
    accountId: m[1]!,
    keyId: m[2]!,
    materialId: toHex(blob.subarray(materialAt, materialAt + MATERIAL_ID_BYTES)),
    iv: blob.slice(materialAt + MATERIAL_ID_BYTES, headerLen),
    header,
    sealed: blob.slice(headerLen),
  };
}

export function joinBlob(header: Uint8Array, sealed: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(header.length + sealed.length);
  out.set(header);
  out.set(sealed, header.length);
  return out;
}

export function aad(header: Uint8Array, canonicalContext: Uint8Array): Uint8Array<ArrayBuffer> {
  return joinBlob(header, canonicalContext);
}

/** CRC-32 (IEEE 802.3): detects every single-byte change of the data it covers. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
