/**
 * The few DER (X.690) structures KMS key material needs: SubjectPublicKeyInfo (RFC 5280),
 * PKCS#8 PrivateKeyInfo (RFC 5958) and the keys inside them. A minimal, strict reader and writer.
 */
export interface Tlv {
  readonly tag: number;
  /** Content bytes (a view into the input). */
  readonly content: Uint8Array;
  /** Offset just after this element. */
  readonly end: number;
}

export class DerError extends Error {}

/** Reads one element at `offset`. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  if (offset + 2 > bytes.length) throw new DerError('truncated');
  const tag = bytes[offset]!;
  let len = bytes[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || pos + n > bytes.length) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos++]!;
  }
  if (pos + len > bytes.length) throw new DerError('truncated');
  return { tag, content: bytes.subarray(pos, pos + len), end: pos + len };
}

/** The elements of a constructed value (SEQUENCE content). */
export function readChildren(content: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < content.length;) {
    const t = readTlv(content, pos);
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** Reads a whole input that must be exactly one element of the given tag. */
export function readExact(bytes: Uint8Array, tag: number): Tlv {
  const t = readTlv(bytes);
  if (t.tag !== tag || t.end !== bytes.length) throw new DerError('unexpected element');
  return t;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

export const bigintFromBytes = (b: Uint8Array): bigint => {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
};

export function bytesFromBigint(n: bigint, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  if (n !== 0n) throw new DerError('integer too large');
  return out;
}

// --- writer ---

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const len = content.reduce((s, c) => s + c.length, 0);
  const head = [tag, ...lengthBytes(len)];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let pos = head.length;
  for (const c of content) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

export const seq = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, ...items);
export const octets = (b: Uint8Array) => tlv(TAG.OCTET_STRING, b);
export const bitString = (b: Uint8Array) => tlv(TAG.BIT_STRING, Uint8Array.of(0), b);
export const smallInt = (n: number) => tlv(TAG.INTEGER, Uint8Array.of(n));

/** An OID in dotted form. */
export function oid(dotted: string): Uint8Array<ArrayBuffer> {
  const parts = dotted.split('.').map(Number);
  const body: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    body.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(body));
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** SubjectPublicKeyInfo → its algorithm OID element, parameters element and key bits. */
export function parseSpki(spki: Uint8Array): { algorithm: Uint8Array; params?: Uint8Array; key: Uint8Array } {
  const [alg, bits] = readChildren(readExact(spki, TAG.SEQUENCE).content);
  if (!alg || alg.tag !== TAG.SEQUENCE || !bits || bits.tag !== TAG.BIT_STRING || bits.content[0] !== 0)
    throw new DerError('not a SubjectPublicKeyInfo');
  const [algorithm, params] = readChildren(alg.content);
  if (!algorithm || algorithm.tag !== TAG.OID) throw new DerError('not a SubjectPublicKeyInfo');
  return {
    algorithm: algorithm.content,
    params: params?.tag === TAG.OID ? params.content : undefined,
    key: bits.content.subarray(1),
  };
}

/** PKCS#8 PrivateKeyInfo → its algorithm OID, parameters OID and privateKey octets. */
export function parsePkcs8(pkcs8: Uint8Array): {
  algorithm: Uint8Array;
  params?: Uint8Array;
  privateKey: Uint8Array;
} {
  const [version, alg, key] = readChildren(readExact(pkcs8, TAG.SEQUENCE).content);
  if (version?.tag !== TAG.INTEGER || alg?.tag !== TAG.SEQUENCE || key?.tag !== TAG.OCTET_STRING)
    throw new DerError('not a PrivateKeyInfo');
  const [algorithm, params] = readChildren(alg.content);
  if (!algorithm || algorithm.tag !== TAG.OID) throw new DerError('not a PrivateKeyInfo');
  return {
    algorithm: algorithm.content,
    params: params?.tag === TAG.OID ? params.content : undefined,
    privateKey: key.content,
  };
}

/** Whether an OID element's content equals the dotted OID. */
export const isOid = (content: Uint8Array | undefined, dotted: string): boolean =>
  content !== undefined && equal(readTlv(oid(dotted)).content, content);
