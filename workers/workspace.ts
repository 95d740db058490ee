/**
 * The open workspace: the engine over one IndexedDB database per named workspace, and its lifecycle
 * (open, switch, fresh names, delete, a new world). One workspace is open at a time, and calls from
 * the page run one at a time through {@link serial}.
 */
import { createKms, type Kms, type PersistedWorld } from '../src/kms/index.ts';
import { openIdbStore } from '../src/kms/store/idbStore.ts';
import { deleteDesk, DESK_DB_PREFIX } from './desk.ts';
import { forward, onEngineEvent } from './labEvents.ts';
import { checkLearn, dropShellSession, loadedLearnSide } from './lazySides.ts';
import { clearMaterialUse, tallying } from './materialUse.ts';
import { forgetTrailDelivery } from './trailDelivery.ts';
import { historyTarget, markChanged, rememberChange, startHistory, travelTo } from './undoHistory.ts';
import { MirrorStore } from './worldHistory.ts';

/** The default workspace keeps the database name the lab has always used. */
export const DEFAULT_WORKSPACE = 'default';
const DB_PREFIX = 'kms-lab:ws:';
const dbNameOf = (workspace: string) => (workspace === DEFAULT_WORKSPACE ? 'kms-lab' : DB_PREFIX + workspace);
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/;

/** An open workspace: its name, its engine and the store under the engine. */
export interface Workspace {
  readonly name: string;
  readonly kms: Kms;
  readonly store: MirrorStore;
  /** Stops listening to the engine's events. */
  readonly off: () => void;
}

let open: Workspace | null = null;
let opening: Promise<Workspace> | null = null;
/** The workspace `opening` opens. */
let openingName: string | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `fn` after every call queued before it (failed or not): the world sees one call at a time. */
export function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/** Whether `name` can name a workspace. */
export function isWorkspaceName(name: string): boolean {
  return WORKSPACE_NAME.test(name);
}

/** A workspace name the page sends for a desk (any workspace, open or not). */
export function deskName(workspace: string): string {
  if (typeof workspace !== 'string' || !WORKSPACE_NAME.test(workspace))
    throw new Error(`"${String(workspace)}" is not a valid workspace name.`);
  return workspace;
}

/** New workspaces take the default one's domain key (this browser's): a world's wrapped material opens in any. */
async function sharedDomainKey(): Promise<CryptoKey> {
  const store = await openIdbStore(dbNameOf(DEFAULT_WORKSPACE));
  try {
    return await store.domainKey();
  } finally {
    store.close();
  }
}

async function openWorkspace(name: string): Promise<Workspace> {
  const store = new MirrorStore(
    await openIdbStore(
      dbNameOf(name),
      name === DEFAULT_WORKSPACE ? {} : { domainKey: await sharedDomainKey() },
    ),
  );
  const kms = tallying(await createKms({ store, clockRunning: true }));
  clearMaterialUse();
  const off = kms.onEvent(onEngineEvent);
  startHistory({ kms, store });
  return { name, kms, store, off };
}

function startOpening(name: string): Promise<Workspace> {
  openingName = name;
  return (opening = openWorkspace(name));
}

/**
 * Starts opening `name` before the page asks for it (the page named it in the worker's name). If
 * that fails, it is forgotten: the page's own open tries again.
 */
export function openEarly(name: string): void {
  const early = startOpening(name);
  early.catch(() => {
    if (opening === early) opening = openingName = null;
  });
}

/** The open workspace (or the one opening; the default one when the page opened none yet). */
export async function ready(): Promise<Workspace> {
  return open ?? opening ?? startOpening(DEFAULT_WORKSPACE);
}

/** Opens the workspace `name` (creating it), closing the one open before (inside `serial`). */
export async function switchTo(name: string): Promise<Workspace> {
  if (!WORKSPACE_NAME.test(name)) throw new Error(`"${name}" is not a valid workspace name.`);
  if (open?.name === name) return open;
  if (!open && opening && openingName === name) return (open = await opening);
  const previous = open ?? (opening ? await opening : null);
  previous?.off();
  previous?.store.close();
  const learn = loadedLearnSide();
  if (learn?.learnStatus()) {
    learn.detach();
    forward({ type: 'learn', status: null });
  }
  open = null;
  open = await startOpening(name);
  forgetTrailDelivery();
  forward({ type: 'reset' });
  return open;
}

/** A workspace name not used yet in this browser: `base`, else `base-2`, `base-3`, … */
export async function freshName(base: string): Promise<string> {
  const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
  const taken = new Set(dbs.map((d) => d.name ?? ''));
  const stem = base.replace(/[^A-Za-z0-9 _.-]/g, '-').slice(0, 34) || 'workspace';
  for (let i = 1; ; i++) {
    const name = i === 1 ? stem : `${stem}-${i}`;
    // A desk left without its world (see desk.ts) would otherwise come with the new workspace.
    if (!taken.has(dbNameOf(name)) && !taken.has(DESK_DB_PREFIX + name) && name !== open?.name) return name;
  }
}

/** Names of the workspaces stored in this browser, the default one first. */
export async function listWorkspaces(): Promise<string[]> {
  const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
  const names = dbs
    .map((d) => d.name ?? '')
    .filter((n) => n.startsWith(DB_PREFIX))
    .map((n) => n.slice(DB_PREFIX.length))
    .sort();
  const openName = open?.name;
  if (openName && openName !== DEFAULT_WORKSPACE && !names.includes(openName)) names.push(openName);
  return [DEFAULT_WORKSPACE, ...names];
}

/** Deletes a workspace's database and its desk (not the default one, not the open one). */
export async function deleteWorkspace(name: string): Promise<void> {
  if (name === DEFAULT_WORKSPACE || name === open?.name)
    throw new Error('Switch to another workspace before deleting this one.');
  await new Promise<void>((resolve, reject) => {
    const r = indexedDB.deleteDatabase(dbNameOf(name));
    r.onsuccess = () => resolve();
    r.onerror = () => reject(new Error(r.error?.message ?? 'delete failed'));
  });
  await dropShellSession(name);
  if (WORKSPACE_NAME.test(name)) await deleteDesk(name);
}

/**
 * After a call or clock move: re-checks the active lesson's steps and, if the world changed, adds
 * it to the undo history.
 */
export async function remember(): Promise<void> {
  await checkLearn();
  if (open) await rememberChange(open);
}

/** After a start world was loaded: it is the first entry of the undo history, with nothing tallied yet. */
export async function startHistoryHere(o: Workspace): Promise<void> {
  if (o.store.unsure) o.store.resync(await o.kms.snapshot());
  clearMaterialUse();
  startHistory(o);
}

/**
 * Replaces the open workspace's world with `world` (a fresh one when undefined), undoably; the
 * material tallies and the trail's bucket start over with it.
 */
export async function replaceWorld(world: PersistedWorld | undefined): Promise<void> {
  const o = await ready();
  await o.kms.restore(world);
  clearMaterialUse();
  forgetTrailDelivery();
  markChanged();
  await remember();
}

/** Steps back (-1, undo) or forward (1, redo) along the undo history; false when there is no such step. */
export async function stepHistory(step: -1 | 1): Promise<boolean> {
  const index = historyTarget(step);
  if (index === undefined) return false;
  await travelTo(await ready(), index);
  return true;
}
