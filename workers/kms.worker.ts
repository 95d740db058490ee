/**
 * The KMS worker: hosts the engine over IndexedDB (one database per named workspace) and exposes a
 * small API to the UI through comlink. Key material stays here; only API outputs, key metadata,
 * the trail and traces cross to the page.
 *
 * It also keeps the workspace's undo/redo history: a world snapshot after every call or clock move
 * that changed the world, bounded to {@link HISTORY_LIMIT} entries.
 */
import * as Comlink from 'comlink';
import {
  ACCOUNTS,
  createKms,
  isKmsError,
  REGIONS,
  rootPrincipal,
  type CallerContext,
  type CallSource,
  type CallTrace,
  type CloudTrailRecord,
  type Kms,
  type KmsEvent,
  type OperationInput,
  type OperationName,
  type OperationOutput,
  type PersistedWorld,
  type Principal,
  type ScheduledEvent,
  type Tag,
} from '../src/kms/index.ts';
import { openIdbStore, type IdbStore } from '../src/kms/store/idbStore.ts';

/** An AWS exception as the UI receives it: the exception name and AWS's message. */
export interface KmsErrorInfo {
  /** The AWS exception name, e.g. `InvalidCiphertextException`. */
  readonly code: string;
  /** AWS's message; some exceptions (InvalidCiphertextException) have none. */
  readonly message: string;
  /** For AccessDeniedException: the rule that decided. */
  readonly explanation?: unknown;
}

/** The outcome of one call: never thrown, so the page can read every part of a failure. */
export type CallResult<T = Record<string, unknown>> = (
  { readonly ok: true; readonly output: T } | { readonly ok: false; readonly error: KmsErrorInfo }
) & {
  /** The call's request ID (its trace and CloudTrail record carry the same), when it reached the engine. */
  readonly requestId?: string;
};

/** Who calls. Defaults: the root user of the lab's own account, from the console. */
export interface CallerInput {
  readonly region: string;
  readonly principal?: Principal;
  readonly source?: CallSource;
}

/** A key as the console shows it: metadata, aliases, policy, tags and material versions; no material. */
export interface KeySummary {
  readonly keyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
  readonly state: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyManager: string;
  readonly origin: string;
  readonly multiRegion: boolean;
  /** Epoch ms of simulated time. */
  readonly createdAt: number;
  readonly deletionDate?: number;
  readonly pendingWindowInDays?: number;
  /** Alias names (`alias/…`) pointing at this key. */
  readonly aliases: readonly string[];
  readonly policy: string;
  readonly tags: readonly Tag[];
  /** Key material versions, oldest first (IDs and dates only). */
  readonly materials: readonly { readonly id: string; readonly createdAt: number }[];
  readonly currentMaterialId?: string;
}

export interface RegionKeys {
  readonly region: string;
  readonly displayName: string;
  readonly availabilityZones: readonly string[];
  /** Newest first. */
  readonly keys: readonly KeySummary[];
}

export interface HistoryState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Snapshots kept (the current world included). */
  readonly size: number;
}

export interface LabState {
  /** The open workspace's name. */
  readonly workspace: string;
  /** Simulated time when the state was taken, epoch ms. */
  readonly now: number;
  readonly regions: readonly RegionKeys[];
  /** Scheduled events still to come, soonest first. */
  readonly upcoming: readonly ScheduledEvent[];
  /** Number of CloudTrail records so far (for `trail(from)`). */
  readonly trailLength: number;
  readonly history: HistoryState;
}

/**
 * What the page hears: the engine's events; a call made through this worker also carries its
 * request (operation and input) so the page can show it.
 */
export type LabEvent =
  | (Extract<KmsEvent, { type: 'call' }> & { readonly request?: CallRequest })
  | Exclude<KmsEvent, { type: 'call' }>;

export interface CallRequest {
  readonly operation: string;
  readonly input: unknown;
}

/** The default workspace keeps the database name the lab has always used. */
export const DEFAULT_WORKSPACE = 'default';
const DB_PREFIX = 'kms-lab:ws:';
const dbNameOf = (workspace: string) => (workspace === DEFAULT_WORKSPACE ? 'kms-lab' : DB_PREFIX + workspace);
export const HISTORY_LIMIT = 30;
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/;

interface Open {
  readonly name: string;
  readonly kms: Kms;
  readonly store: IdbStore;
  readonly off: () => void;
}

let open: Open | null = null;
let opening: Promise<Open> | null = null;
const listeners = new Set<(e: LabEvent) => void>();
/** The call this worker is running (calls run one at a time), so its event can carry its request. */
let current: { request: CallRequest; trace?: CallTrace } | null = null;
let queue: Promise<unknown> = Promise.resolve();
let history: PersistedWorld[] = [];
let historyIndex = 0;
/** Set when an event changed the world since the last history snapshot. */
let dirty = false;

function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

function forward(e: LabEvent) {
  for (const l of listeners) l(e);
}

function onEngineEvent(e: KmsEvent) {
  if (e.type === 'call') {
    if (e.trace.outcome === 'success' && e.records.some((r) => !r.readOnly)) dirty = true;
    if (current && !current.trace) {
      current.trace = e.trace;
      forward({ ...e, request: current.request });
      return;
    }
  } else if (e.type === 'serviceEvent') dirty = true;
  forward(e);
}

async function sharedDomainKey(): Promise<CryptoKey> {
  const store = await openIdbStore(dbNameOf(DEFAULT_WORKSPACE));
  try {
    return await store.domainKey();
  } finally {
    store.close();
  }
}

async function openWorkspace(name: string): Promise<Open> {
  const store = await openIdbStore(
    dbNameOf(name),
    name === DEFAULT_WORKSPACE ? {} : { domainKey: await sharedDomainKey() },
  );
  const kms = await createKms({ store, clockRunning: true });
  const off = kms.onEvent(onEngineEvent);
  history = [await kms.snapshot()];
  historyIndex = 0;
  dirty = false;
  return { name, kms, store, off };
}

async function ready(): Promise<Open> {
  if (open) return open;
  if (!opening) opening = openWorkspace(DEFAULT_WORKSPACE);
  return opening;
}

async function remember() {
  if (!dirty || !open) return;
  dirty = false;
  history = [...history.slice(0, historyIndex + 1), await open.kms.snapshot()].slice(-HISTORY_LIMIT);
  historyIndex = history.length - 1;
}

function toErrorInfo(e: unknown): KmsErrorInfo {
  if (isKmsError(e)) {
    let explanation: unknown;
    try {
      explanation = e.explanation === undefined ? undefined : structuredClone(e.explanation);
    } catch {
      explanation = undefined;
    }
    return { code: e.code, message: e.message, ...(explanation === undefined ? {} : { explanation }) };
  }
  console.error(e);
  return { code: 'KMSInternalException', message: 'An internal error occurred.' };
}

function callerContext(caller: CallerInput): CallerContext {
  return {
    principal: caller.principal ?? rootPrincipal(ACCOUNTS[0]!.id),
    region: caller.region,
    source: caller.source ?? 'console',
  };
}

function labState({ kms, name }: Open): LabState {
  const aliases = kms.aliases();
  const summaries: KeySummary[] = kms.keys().map((k) => ({
    keyId: k.keyId,
    arn: k.arn,
    accountId: k.accountId,
    region: k.region,
    description: k.description,
    state: k.state,
    keySpec: k.keySpec,
    keyUsage: k.keyUsage,
    keyManager: k.keyManager,
    origin: k.origin,
    multiRegion: k.multiRegion,
    createdAt: k.createdAt,
    ...(k.deletionDate === undefined ? {} : { deletionDate: k.deletionDate }),
    ...(k.pendingWindowInDays === undefined ? {} : { pendingWindowInDays: k.pendingWindowInDays }),
    aliases: aliases
      .filter((a) => a.targetKeyId === k.keyId && a.accountId === k.accountId && a.region === k.region)
      .map((a) => a.aliasName)
      .sort(),
    policy: k.policy,
    tags: k.tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
    materials: k.materials.map((m) => ({ id: m.id, createdAt: m.createdAt })),
    ...(k.currentMaterialId === undefined ? {} : { currentMaterialId: k.currentMaterialId }),
  }));
  return {
    workspace: name,
    now: kms.now(),
    regions: REGIONS.map((r) => ({
      region: r.name,
      displayName: r.displayName,
      availabilityZones: r.availabilityZones,
      keys: summaries.filter((k) => k.region === r.name).sort((a, b) => b.createdAt - a.createdAt),
    })),
    upcoming: kms.upcoming(),
    trailLength: kms.trail().length,
    history: { canUndo: historyIndex > 0, canRedo: historyIndex < history.length - 1, size: history.length },
  };
}

async function replaceWorld(world: PersistedWorld | undefined) {
  const o = await ready();
  await o.kms.restore(world);
}

const api = {
  /** Opens the workspace `name` (creating it), closing the one open before. */
  open(name: string = DEFAULT_WORKSPACE): Promise<LabState> {
    return serial(async () => {
      if (!WORKSPACE_NAME.test(name)) throw new Error(`"${name}" is not a valid workspace name.`);
      if (open?.name === name) return labState(open);
      const previous = open ?? (opening ? await opening : null);
      previous?.off();
      previous?.store.close();
      open = null;
      opening = openWorkspace(name);
      open = await opening;
      forward({ type: 'reset' });
      return labState(open);
    });
  },

  /** Names of the workspaces stored in this browser, the default one first. */
  async workspaces(): Promise<string[]> {
    const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
    const names = dbs
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith(DB_PREFIX))
      .map((n) => n.slice(DB_PREFIX.length))
      .sort();
    const openName = open?.name;
    if (openName && openName !== DEFAULT_WORKSPACE && !names.includes(openName)) names.push(openName);
    return [DEFAULT_WORKSPACE, ...names];
  },

  /** Deletes a workspace's database (not the default one, not the open one). */
  async deleteWorkspace(name: string): Promise<void> {
    if (name === DEFAULT_WORKSPACE || name === open?.name)
      throw new Error('Switch to another workspace before deleting this one.');
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.deleteDatabase(dbNameOf(name));
      r.onsuccess = () => resolve();
      r.onerror = () => reject(new Error(r.error?.message ?? 'delete failed'));
    });
  },

  /**
   * Calls a KMS operation. Resolves with `{ ok: true, output }` or `{ ok: false, error }` where
   * `error.code` is AWS's exception name; it never rejects for an AWS error.
   */
  call<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
    caller: CallerInput,
  ): Promise<CallResult<OperationOutput<O>>> {
    return serial(async () => {
      const o = await ready();
      current = { request: { operation, input } };
      const mine = current;
      try {
        const output = await o.kms.call(operation, input, callerContext(caller));
        return { ok: true as const, output, requestId: mine.trace?.requestId };
      } catch (e) {
        return { ok: false as const, error: toErrorInfo(e), requestId: mine.trace?.requestId };
      } finally {
        current = null;
        await remember();
      }
    });
  },

  /** Moves simulated time forward, firing due deletions (and later rotations, expiries) in order. */
  advanceClock(seconds: number): Promise<CallResult<{ fired: ScheduledEvent[] }>> {
    return serial(async () => {
      try {
        const o = await ready();
        const fired = await o.kms.advanceClock(seconds);
        dirty = true;
        await remember();
        return { ok: true as const, output: { fired } };
      } catch (e) {
        return { ok: false as const, error: toErrorInfo(e) };
      }
    });
  },

  /** Steps back to the world before the last change; false when there is none. */
  undo(): Promise<boolean> {
    return serial(async () => {
      if (historyIndex === 0) return false;
      historyIndex--;
      await replaceWorld(history[historyIndex]);
      return true;
    });
  },

  redo(): Promise<boolean> {
    return serial(async () => {
      if (historyIndex >= history.length - 1) return false;
      historyIndex++;
      await replaceWorld(history[historyIndex]);
      return true;
    });
  },

  /** Replaces the open workspace's world with a fresh one (undoable). */
  reset(): Promise<void> {
    return serial(async () => {
      await replaceWorld(undefined);
      dirty = true;
      await remember();
    });
  },

  /** The open workspace's world as plain data (material wrapped under this browser's domain key). */
  async exportWorld(): Promise<{ name: string; world: PersistedWorld }> {
    const o = await ready();
    return { name: o.name, world: await o.kms.snapshot() };
  },

  /** Replaces the open workspace's world with an exported one (undoable). */
  importWorld(world: PersistedWorld): Promise<void> {
    return serial(async () => {
      await replaceWorld(world);
      dirty = true;
      await remember();
    });
  },

  /** Keys per Region (with aliases, policy, tags), upcoming events, the simulated time and history. */
  async state(): Promise<LabState> {
    return labState(await ready());
  },

  /** CloudTrail records, oldest first, starting at index `from`. */
  async trail(from = 0): Promise<CloudTrailRecord[]> {
    const o = await ready();
    return o.kms.trail().slice(from);
  },

  /**
   * Forwards every engine event (calls with their trace, trail records and, for calls made here,
   * the request; service events; clock moves; resets) to `listener`, which must be wrapped with
   * `Comlink.proxy`. Returns the unsubscribe function, also a proxy.
   */
  async subscribe(listener: (event: LabEvent) => void): Promise<(() => void) & Comlink.ProxyMarked> {
    const l = (event: LabEvent) => {
      Promise.resolve(listener(event)).catch(() => listeners.delete(l));
    };
    listeners.add(l);
    return Comlink.proxy(() => {
      listeners.delete(l);
    });
  },
};

export type KmsWorkerApi = typeof api;

Comlink.expose(api);
