import { Err } from '../errors.ts';

/**
 * Limit/Marker pagination shared by every List operation. Markers are opaque to callers; a marker
 * this engine did not issue is an InvalidMarkerException.
 */
export function paginate<T>(
  items: readonly T[],
  limit: number | undefined,
  marker: string | undefined,
  defaultLimit: number,
  maxLimit = 1000,
): { page: T[]; NextMarker?: string; Truncated: boolean } {
  let start = 0;
  if (marker !== undefined) {
    const m = /^kmslab:(\d+)$/.exec(decodeMarker(marker));
    if (!m) throw Err.InvalidMarker('Invalid marker');
    start = Number(m[1]);
  }
  const n = Math.min(limit ?? defaultLimit, maxLimit);
  const page = items.slice(start, start + n);
  const end = start + page.length;
  return end < items.length
    ? { page, NextMarker: encodeMarker(`kmslab:${end}`), Truncated: true }
    : { page, Truncated: false };
}

const encodeMarker = (s: string) => btoa(s).replace(/=+$/, '');
const decodeMarker = (s: string) => {
  try {
    return atob(s);
  } catch {
    return '';
  }
};
