/**
 * A workspace as a file: the world snapshot in JSON, with byte arrays (wrapped key material,
 * public keys) as `{"$bytes": "<base64>"}`. Material stays wrapped under this browser's domain key,
 * so a file imports into any workspace of the same browser profile.
 */
export const WORKSPACE_FILE_FORMAT = 'kms-lab-workspace';
export const WORKSPACE_FILE_VERSION = 1;

export interface WorkspaceFile<W = unknown> {
  readonly format: typeof WORKSPACE_FILE_FORMAT;
  readonly version: typeof WORKSPACE_FILE_VERSION;
  readonly name: string;
  readonly exportedAt: string;
  readonly world: W;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Turns every `{"$bytes": "<base64>"}` inside `value` back into a Uint8Array. */
function reviveBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveBytes);
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o.$bytes === 'string' && Object.keys(o).length === 1) return fromBase64(o.$bytes);
  for (const k of Object.keys(o)) o[k] = reviveBytes(o[k]);
  return o;
}

export function encodeWorkspaceFile<W>(name: string, world: W, now = new Date()): string {
  const file: WorkspaceFile<W> = {
    format: WORKSPACE_FILE_FORMAT,
    version: WORKSPACE_FILE_VERSION,
    name,
    exportedAt: now.toISOString(),
    world,
  };
  return JSON.stringify(file, (_k, v: unknown) => (v instanceof Uint8Array ? { $bytes: toBase64(v) } : v));
}

/** Parses a workspace file; throws an Error with a plain message when it is not one. */
export function decodeWorkspaceFile<W>(text: string): WorkspaceFile<W> {
  let parsed: unknown;
  try {
    // No reviver: it would run for each of the millions of values of a large trail.
    parsed = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON, so it is not a KMS Lab workspace.');
  }
  const world = (parsed as { world?: Record<string, unknown> } | null)?.world;
  // Byte arrays live in keys (wrapped material, public keys) and other collections, never in the trail.
  if (world && typeof world === 'object')
    for (const [k, v] of Object.entries(world)) if (k !== 'trail') world[k] = reviveBytes(v);
  const f = parsed as Partial<WorkspaceFile<W>> | null;
  if (!f || f.format !== WORKSPACE_FILE_FORMAT) throw new Error('This JSON file is not a KMS Lab workspace.');
  if (f.version !== WORKSPACE_FILE_VERSION)
    throw new Error(`This workspace file has version ${String(f.version)}; this KMS Lab reads version 1.`);
  const w = f.world as { keys?: unknown; aliases?: unknown; trail?: unknown } | undefined;
  if (!w || !Array.isArray(w.keys) || !Array.isArray(w.aliases) || !Array.isArray(w.trail))
    throw new Error('This workspace file has no world in it (keys, aliases and trail are missing).');
  return f as WorkspaceFile<W>;
}
