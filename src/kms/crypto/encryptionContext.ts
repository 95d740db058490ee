/**
 * The canonical, unambiguous encoding of an encryption context used as AES-GCM AAD: pairs sorted by
 * key, every string length-prefixed. So pair order never matters, case always does, and
 * {"ab":"c"} and {"a":"bc"} never encode alike.
 */
export type EncryptionContext = Record<string, string>;

export function canonicalEncryptionContext(ec: EncryptionContext | undefined): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const entries = Object.entries(ec ?? {})
    .map(([k, v]) => [enc.encode(k), enc.encode(v)] as const)
    .sort(([a], [b]) => compareBytes(a, b));
  let size = 4;
  for (const [k, v] of entries) size += 8 + k.length + v.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, entries.length);
  let at = 4;
  for (const [k, v] of entries) {
    view.setUint32(at, k.length);
    out.set(k, at + 4);
    at += 4 + k.length;
    view.setUint32(at, v.length);
    out.set(v, at + 4);
    at += 4 + v.length;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
