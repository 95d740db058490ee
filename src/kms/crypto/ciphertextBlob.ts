import { Err } from '../errors.ts';
import { fromHex, toHex } from './random.ts';

/**
 * The symmetric CiphertextBlob: a versioned, self-describing binary format.
 *
 *   u8  version (1)
 *   u8  n, then n bytes UTF-8 key reference "<accountId>:<keyId>"
 *   32  key material ID
 *   12  AES-GCM IV
 *   ..  AES-GCM ciphertext || 16-byte tag
 *
 * Everything before the ciphertext is the header; it is authenticated as AAD together with the
 * canonical encryption context, so any change to it fails decryption. The Region is not named:
 * a multi-Region key's related keys share the key ID and material, so any of them can decrypt.
 */
export const CIPHERTEXT_VERSION = 1;
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
  const out = new Uint8Array(2 + ref.length + MATERIAL_ID_BYTES + IV_BYTES);
  out[0] = CIPHERTEXT_VERSION;
  out[1] = ref.length;
  out.set(ref, 2);
  out.set(fromHex(h.materialId), 2 + ref.length);
  out.set(h.iv, 2 + ref.length + MATERIAL_ID_BYTES);
  return out;
}

/** Parses a blob; anything that is not a well-formed blob is an InvalidCiphertextException. */
export function parseCiphertext(blob: Uint8Array): ParsedCiphertext {
  if (blob.length < 2 || blob[0] !== CIPHERTEXT_VERSION) throw Err.InvalidCiphertext();
  const refLen = blob[1]!;
  const headerLen = 2 + refLen + MATERIAL_ID_BYTES + IV_BYTES;
  if (blob.length < headerLen + TAG_BYTES) throw Err.InvalidCiphertext();
  let ref: string;
  try {
    ref = new TextDecoder('utf-8', { fatal: true }).decode(blob.subarray(2, 2 + refLen));
  } catch {
    throw Err.InvalidCiphertext();
  }
  const m = /^(\d{12}):(.+)$/.exec(ref);
  if (!m) throw Err.InvalidCiphertext();
  const header = blob.slice(0, headerLen);
  return {
    accountId: m[1]!,
    keyId: m[2]!,
    materialId: toHex(blob.subarray(2 + refLen, 2 + refLen + MATERIAL_ID_BYTES)),
    iv: blob.slice(2 + refLen + MATERIAL_ID_BYTES, headerLen),
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
