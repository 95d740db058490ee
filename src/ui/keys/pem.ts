/** PEM ⇄ DER for public keys (SubjectPublicKeyInfo), and small byte helpers for the key panels. */
import { fromBase64, toBase64 } from '../format.ts';

/** DER SubjectPublicKeyInfo as a `-----BEGIN PUBLIC KEY-----` PEM block (64-character lines). */
export function derToPem(der: Uint8Array, label = 'PUBLIC KEY'): string {
  const b64 = toBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The DER inside a PEM block, or bare base64 DER; undefined when the text is neither.
 * `-----BEGIN PUBLIC KEY-----` (SPKI) is what DeriveSharedSecret takes.
 */
export function pemToDer(text: string): Uint8Array<ArrayBuffer> | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  return fromBase64(m ? m[2]! : text);
}

/** Lower-case hex of bytes. */
export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Hex (whitespace and an optional 0x ignored) to bytes; undefined when not hex. */
export function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = text.replace(/\s+/g, '').replace(/^0x/i, '');
  if (!clean || clean.length % 2 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The WebCrypto hash an algorithm name ends with (`…_SHA_256` → SHA-256); undefined for none. */
export function algorithmHash(algorithm: string): 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined {
  const m = /SHA_(1|256|384|512)$/.exec(algorithm);
  return m ? (`SHA-${m[1]}` as 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512') : undefined;
}

/** The SHA digest of UTF-8 text, computed in the page (for MessageType DIGEST). */
export async function digestText(text: string, hash: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(text)));
}

/** Saves text as a file through a temporary object URL. */
export function downloadText(name: string, text: string, type = 'application/x-pem-file'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copies text; false when the clipboard is unavailable. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
