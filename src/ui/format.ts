/** Small formatting helpers for the console: base64 blobs, simulated times and durations. */
import { t } from './i18n/text.svelte.ts';

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Decodes standard base64 (whitespace ignored); undefined when the text is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!clean || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return undefined;
  try {
    const bin = atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** Bytes as UTF-8 text when they are valid UTF-8, otherwise undefined. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-28 10:00` in UTC, the time zone CloudTrail uses. */
export function formatDateTime(ms: number, seconds = false): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return seconds ? `${base}:${pad(d.getUTCSeconds())}` : base;
}

export function formatDate(ms: number): string {
  return formatDateTime(ms).slice(0, 10);
}

/** A coarse, human duration in the interface's language: `in 6 days`, `in 3 hours`, `now`. */
export function formatFromNow(at: number, now: number): string {
  const diff = at - now;
  if (diff <= 0) return t('clock.now');
  const minutes = diff / 60_000;
  const [hour, day, year] = [60, 60 * 24, 60 * 24 * 365];
  if (minutes >= year) return t('clock.inYears', { count: Math.floor(minutes / year) });
  if (minutes >= day) return t('clock.inDays', { count: Math.floor(minutes / day) });
  if (minutes >= hour) return t('clock.inHours', { count: Math.floor(minutes / hour) });
  if (minutes >= 1) return t('clock.inMinutes', { count: Math.floor(minutes) });
  return t('clock.inUnderAMinute');
}

/** Key ID shortened for narrow places: `1234abcd…`. */
export const shortId = (keyId: string): string => (keyId.length > 13 ? `${keyId.slice(0, 8)}…` : keyId);

/** A key as people name it: its first alias, else its key ID. */
export const keyLabel = (k: { keyId: string; aliases: readonly string[] }): string => k.aliases[0] ?? k.keyId;

/** Fields that carry secrets in KMS requests and responses: masked unless the learner reveals them. */
export const SECRET_FIELDS = new Set(['Plaintext', 'PrivateKeyPlaintext', 'SharedSecret']);

/**
 * A request or response as pretty JSON for people: byte arrays as base64, dates as ISO strings,
 * secret fields (Plaintext…) masked unless `reveal`.
 */
export function displayJson(value: unknown, reveal: boolean): string {
  return JSON.stringify(
    value,
    function (key, v: unknown) {
      const raw = (this as Record<string, unknown>)[key];
      if (raw instanceof Date) return raw.toISOString();
      if (raw instanceof Uint8Array) {
        if (SECRET_FIELDS.has(key) && !reveal) return t('console.hiddenBytes', { count: raw.length });
        return toBase64(raw);
      }
      if (SECRET_FIELDS.has(key) && typeof v === 'string' && !reveal) return t('console.hidden');
      return v;
    },
    2,
  );
}
