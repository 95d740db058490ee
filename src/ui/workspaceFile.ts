/**
 * A workspace as a file: the world snapshot in JSON, with byte arrays (wrapped key material,
 * public keys) as `{"$bytes": "<base64>"}`. Material stays wrapped under this browser's domain key,
 * so a file imports into any workspace of the same browser profile.
 *
 * Optionally (files from before it have none) the learner's desk comes along: the scratchpad's
 * script, the command history and the shell's files, as
 * `"desk": { "script": "…", "history": ["…"], "files": [{ "path": "…", "base64": "…" }] }`.
 */
import { checkDesk, invalidDesk, MAX_FILE_BYTES, type DeskData } from '../../workers/desk.ts';

export const WORKSPACE_FILE_FORMAT = 'kms-lab-workspace';
export const WORKSPACE_FILE_VERSION = 1;

export interface WorkspaceFile<W = unknown> {
  readonly format: typeof WORKSPACE_FILE_FORMAT;
  readonly version: typeof WORKSPACE_FILE_VERSION;
  readonly name: string;
  readonly exportedAt: string;
  readonly world: W;
  /** The desk, checked and with its files' bytes decoded. */
  readonly desk?: DeskData;
}

/** The desk as the file holds it. */
interface DeskInFile {
  readonly script?: string;
  readonly history: readonly string[];
  readonly files: readonly { readonly path: string; readonly base64: string }[];
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

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The longest base64 text of a file within {@link MAX_FILE_BYTES}. */
const MAX_FILE_BASE64 = Math.ceil(MAX_FILE_BYTES / 3) * 4;

/**
 * The desk of a parsed file: its files' base64 decoded, every part checked (types, names, sizes);
 * throws an Error saying what is wrong.
 */
function decodeDesk(value: unknown): DeskData {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidDesk('it is not an object.');
  const d = value as { script?: unknown; history?: unknown; files?: unknown };
  let files: unknown = d.files;
  if (Array.isArray(d.files))
    files = d.files.map((f: unknown) => {
      const file = f as { path?: unknown; base64?: unknown } | null;
      if (!file || typeof file !== 'object' || typeof file.path !== 'string')
        throw invalidDesk('a file has no name.');
      if (
        typeof file.base64 !== 'string' ||
        file.base64.length > MAX_FILE_BASE64 ||
        !BASE64.test(file.base64)
      )
        throw invalidDesk(`the bytes of "${file.path}" are not base64 of at most ${MAX_FILE_BYTES} bytes.`);
      return { path: file.path, bytes: fromBase64(file.base64) };
    });
  else if (files !== undefined) throw invalidDesk('the files are not a list.');
  return checkDesk({ script: d.script, history: d.history, files });
}

export function encodeWorkspaceFile<W>(
  name: string,
  world: W,
  options: { readonly desk?: DeskData; readonly now?: Date } = {},
): string {
  const desk: DeskInFile | undefined = options.desk && {
    ...(options.desk.script === undefined ? {} : { script: options.desk.script }),
    history: options.desk.history,
    files: options.desk.files.map((f) => ({ path: f.path, base64: toBase64(f.bytes) })),
  };
  const file = {
    format: WORKSPACE_FILE_FORMAT,
    version: WORKSPACE_FILE_VERSION,
    name,
    exportedAt: (options.now ?? new Date()).toISOString(),
    world,
    ...(desk ? { desk } : {}),
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
  const f = parsed as (Omit<Partial<WorkspaceFile<W>>, 'desk'> & { desk?: unknown }) | null;
  if (!f || f.format !== WORKSPACE_FILE_FORMAT) throw new Error('This JSON file is not a KMS Lab workspace.');
  if (f.version !== WORKSPACE_FILE_VERSION)
    throw new Error(`This workspace file has version ${String(f.version)}; this KMS Lab reads version 1.`);
  const w = f.world as { keys?: unknown; aliases?: unknown; trail?: unknown } | undefined;
  if (!w || !Array.isArray(w.keys) || !Array.isArray(w.aliases) || !Array.isArray(w.trail))
    throw new Error('This workspace file has no world in it (keys, aliases and trail are missing).');
  const { desk: stored, ...rest } = f;
  const desk = stored === undefined || stored === null ? undefined : decodeDesk(stored);
  return { ...(rest as Omit<WorkspaceFile<W>, 'desk'>), ...(desk ? { desk } : {}) };
}
