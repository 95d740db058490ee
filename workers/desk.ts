/**
 * The learner's desk of a workspace: the scratchpad's script, the command line's history and the
 * files of the shell's virtual disk (`fileb://`, `file://`, `> out.bin`). None of it is world
 * state: undo, redo and a world reset leave it as it is; deleting the workspace deletes it, and a
 * workspace file carries it.
 *
 * Each workspace's desk is a small IndexedDB database of its own, `kms-lab:desk:<name>`, beside the
 * world's database (whose layout belongs to the engine's store). The KMS worker owns both.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { normalizePath } from '../src/cli/fs.ts';

export const DESK_DB_PREFIX = 'kms-lab:desk:';
/** Lines of command-line history kept per workspace (the oldest go first). */
export const DESK_HISTORY_LIMIT = 200;
/** Longer command lines are not remembered. */
export const MAX_HISTORY_LINE = 16 * 1024;
/** A scratchpad script's length, in characters. */
export const MAX_SCRIPT_CHARS = 512 * 1024;
/** Files larger than this are refused (KMS plaintexts are at most 4 KiB; ciphertext files are small). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** All the files of one workspace together. */
export const MAX_DESK_BYTES = 8 * 1024 * 1024;
export const MAX_FILE_NAME = 255;
/** Files per workspace. */
export const MAX_FILES = 1000;

export interface DeskFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A whole desk, as a workspace file carries it. */
export interface DeskData {
  /** Absent: the workspace has no script of its own yet (the scratchpad shows its default). */
  readonly script?: string;
  /** Oldest first. */
  readonly history: readonly string[];
  /** Sorted by path. */
  readonly files: readonly DeskFile[];
}

/** The script and history, as the scratchpad and terminal read them. */
export interface DeskText {
  readonly script?: string;
  readonly history: readonly string[];
}

/** A desk's parts taken over from where an older KMS Lab kept them (the page's localStorage). */
export interface LegacyDesk {
  readonly script?: string;
  readonly history?: readonly string[];
}

interface DeskDb extends DBSchema {
  /** `script`: the script's text; `history`: the command lines, oldest first. */
  text: { key: 'script' | 'history'; value: string | string[] };
  /** File bytes by (normalized) path. */
  files: { key: string; value: Uint8Array };
}

const MB = (n: number) => `${n / (1024 * 1024)} MB`;

/** A file's name as the virtual disk keeps it (`./a/../b.txt` → `b.txt`), or an error message. */
export function deskFileName(path: string): { name: string } | { error: string } {
  const name = normalizePath(path);
  if (!name || name === '/' || name.length > MAX_FILE_NAME || name.includes('\0'))
    return { error: `"${path}" is not a valid file name.` };
  return { name };
}

/** Why `bytes` may not be stored as `name` beside `others` (name → size), or undefined. */
export function fileLimitProblem(
  name: string,
  size: number,
  others: ReadonlyMap<string, number>,
): string | undefined {
  if (size > MAX_FILE_BYTES) return `${name}: files are limited to ${MAX_FILE_BYTES} bytes.`;
  let total = size;
  for (const [path, n] of others) if (path !== name) total += n;
  if (total > MAX_DESK_BYTES)
    return (
      `${name}: no space left: the files of a workspace are limited to ${MAX_DESK_BYTES} bytes ` +
      `(${MB(MAX_DESK_BYTES)}) together, and they would take ${total}. Overwrite a file you no longer need.`
    );
  if (!others.has(name) && others.size >= MAX_FILES)
    return `${name}: a workspace holds at most ${MAX_FILES} files.`;
  return undefined;
}

/** The error for a workspace file whose desk is not valid, saying why. */
export const invalidDesk = (why: string): Error =>
  new Error(`The workspace file's desk (script, command history, files) is not valid: ${why}`);

/**
 * Checks a desk that came from outside (a workspace file): every part of the right type, within
 * the limits above. Returns it as a {@link DeskData}; throws an Error with a plain message otherwise.
 */
export function checkDesk(value: unknown): DeskData {
  const bad = (why: string): never => {
    throw invalidDesk(why);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) bad('it is not an object.');
  const d = value as { script?: unknown; history?: unknown; files?: unknown };
  if (d.script !== undefined) {
    if (typeof d.script !== 'string') bad('the script is not text.');
    else if (d.script.length > MAX_SCRIPT_CHARS)
      bad(`the script is longer than ${MAX_SCRIPT_CHARS} characters.`);
  }
  const history: string[] = [];
  if (d.history !== undefined) {
    if (!Array.isArray(d.history)) bad('the command history is not a list.');
    const lines = d.history as unknown[];
    if (lines.length > DESK_HISTORY_LIMIT)
      bad(`the command history has more than ${DESK_HISTORY_LIMIT} lines.`);
    for (const line of lines) {
      if (typeof line !== 'string') bad('a command history line is not text.');
      else if (line.length > MAX_HISTORY_LINE)
        bad(`a command history line is longer than ${MAX_HISTORY_LINE} characters.`);
      else history.push(line);
    }
  }
  const files: DeskFile[] = [];
  if (d.files !== undefined) {
    if (!Array.isArray(d.files)) bad('the files are not a list.');
    const sizes = new Map<string, number>();
    for (const f of d.files as unknown[]) {
      const file = f as { path?: unknown; bytes?: unknown } | null;
      if (!file || typeof file !== 'object' || typeof file.path !== 'string') bad('a file has no name.');
      const path = file!.path as string;
      if (!(file!.bytes instanceof Uint8Array)) bad(`the file "${path}" has no bytes.`);
      const bytes = file!.bytes as Uint8Array;
      const name = deskFileName(path);
      if ('error' in name) bad(name.error);
      else if (name.name !== path) bad(`the file name "${path}" is not in its plain form ("${name.name}").`);
      if (sizes.has(path)) bad(`the file "${path}" is there twice.`);
      const problem = fileLimitProblem(path, bytes.length, sizes);
      if (problem) bad(problem);
      sizes.set(path, bytes.length);
      files.push({ path, bytes });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ...(typeof d.script === 'string' ? { script: d.script } : {}), history, files };
}

/* ------------------------------------------------------------------------------------------ */
/* Storage                                                                                    */
/* ------------------------------------------------------------------------------------------ */

const connections = new Map<string, Promise<IDBPDatabase<DeskDb>>>();

function db(workspace: string): Promise<IDBPDatabase<DeskDb>> {
  let c = connections.get(workspace);
  if (!c) {
    c = openDB<DeskDb>(DESK_DB_PREFIX + workspace, 1, {
      upgrade(db) {
        db.createObjectStore('text');
        db.createObjectStore('files');
      },
      blocking(_current, _next, event) {
        // Another tab deletes or upgrades this desk: let it.
        (event.target as IDBDatabase).close();
        connections.delete(workspace);
      },
      terminated() {
        connections.delete(workspace);
      },
    });
    connections.set(workspace, c);
    c.catch(() => connections.delete(workspace));
  }
  return c;
}

const asHistory = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The script and history; parts the desk has none of are taken from `legacy`, and kept. */
export async function openDeskText(workspace: string, legacy: LegacyDesk = {}): Promise<DeskText> {
  const d = await db(workspace);
  const tx = d.transaction('text', 'readwrite');
  const [script, history] = await Promise.all([tx.store.get('script'), tx.store.get('history')]);
  let s = typeof script === 'string' ? script : undefined;
  let h = history === undefined ? undefined : asHistory(history);
  if (s === undefined && typeof legacy.script === 'string' && legacy.script.length <= MAX_SCRIPT_CHARS) {
    s = legacy.script;
    await tx.store.put(s, 'script');
  }
  if (h === undefined && legacy.history?.length) {
    h = asHistory(legacy.history)
      .filter((l) => l.length <= MAX_HISTORY_LINE)
      .slice(-DESK_HISTORY_LIMIT);
    await tx.store.put(h, 'history');
  }
  await tx.done;
  return { ...(s === undefined ? {} : { script: s }), history: h ?? [] };
}

export async function saveDeskScript(workspace: string, text: string): Promise<void> {
  if (typeof text !== 'string') throw new Error('A script is text.');
  if (text.length > MAX_SCRIPT_CHARS)
    throw new Error(`The script was not saved: scripts are limited to ${MAX_SCRIPT_CHARS} characters.`);
  await (await db(workspace)).put('text', text, 'script');
}

/**
 * Adds a command line to the history (not a blank one, not the same line twice in a row, not an
 * overlong one); keeps the newest {@link DESK_HISTORY_LIMIT}. Resolves with the history.
 */
export async function appendDeskHistory(workspace: string, line: string): Promise<string[]> {
  const tx = (await db(workspace)).transaction('text', 'readwrite');
  let history = asHistory(await tx.store.get('history'));
  if (typeof line === 'string' && line.trim() && line.length <= MAX_HISTORY_LINE && history.at(-1) !== line) {
    history = [...history, line].slice(-DESK_HISTORY_LIMIT);
    await tx.store.put(history, 'history');
  }
  await tx.done;
  return history;
}

export async function deskFiles(workspace: string): Promise<DeskFile[]> {
  const tx = (await db(workspace)).transaction('files');
  const [paths, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
  await tx.done;
  return paths.map((path, i) => ({ path, bytes: values[i]! }));
}

/**
 * Stores files (each name already normalized), all or none, within the limits: a file over the
 * per-file or the total limit is refused with an Error saying which.
 */
export async function saveDeskFiles(workspace: string, files: readonly DeskFile[]): Promise<void> {
  if (!files.length) return;
  const tx = (await db(workspace)).transaction('files', 'readwrite');
  const sizes = new Map<string, number>();
  let cursor = await tx.store.openCursor();
  while (cursor) {
    sizes.set(cursor.key, cursor.value.length);
    cursor = await cursor.continue();
  }
  for (const f of files) {
    const problem = fileLimitProblem(f.path, f.bytes.length, sizes);
    if (problem) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw new Error(problem);
    }
    sizes.set(f.path, f.bytes.length);
  }
  await Promise.all(files.map((f) => tx.store.put(f.bytes, f.path)));
  await tx.done;
}

/** The whole desk (for a workspace file). */
export async function readDesk(workspace: string): Promise<DeskData> {
  const [{ script, history }, files] = await Promise.all([openDeskText(workspace), deskFiles(workspace)]);
  return { ...(script === undefined ? {} : { script }), history: [...history], files };
}

/** Replaces the whole desk with `desk` (checked first: nothing changes when it is not valid). */
export async function replaceDesk(workspace: string, desk: DeskData): Promise<void> {
  const checked = checkDesk(desk);
  const tx = (await db(workspace)).transaction(['text', 'files'], 'readwrite');
  const text = tx.objectStore('text');
  const files = tx.objectStore('files');
  await Promise.all([text.clear(), files.clear()]);
  await Promise.all([
    checked.script === undefined ? Promise.resolve() : text.put(checked.script, 'script'),
    text.put([...checked.history], 'history'),
    ...checked.files.map((f) => files.put(f.bytes, f.path)),
  ]);
  await tx.done;
}

/** Deletes a workspace's desk. */
export async function deleteDesk(workspace: string): Promise<void> {
  const c = connections.get(workspace);
  connections.delete(workspace);
  if (c) (await c.catch(() => null))?.close();
  await deleteDB(DESK_DB_PREFIX + workspace);
}
