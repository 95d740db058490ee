import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { CloudTrailRecord } from '../audit/cloudTrail.ts';
import { generateDomainKey } from '../crypto/domainKey.ts';
import type { IdentityRecord } from '../iam/model.ts';
import type { AliasRecord, KeyRecord } from '../model/key.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { ClockState } from '../world/clock.ts';
import type { Commit, KmsStore, PersistedWorld } from './store.ts';

/** The IndexedDB layout of one world. */
interface KmsDb extends DBSchema {
  /** `domainKey`: the non-extractable CryptoKey itself; `clock`: the simulated clock. */
  meta: { key: 'domainKey' | 'clock'; value: CryptoKey | ClockState };
  /** Key records by ARN; material only wrapped under the domain key. */
  keys: { key: string; value: KeyRecord };
  aliases: { key: string; value: AliasRecord };
  /** IAM users, roles and managed policies by ARN (since version 2). */
  identities: { key: string; value: IdentityRecord };
  /** CloudHSM, custom key stores and AWS service resources by ARN (since version 3). */
  resources: { key: string; value: ResourceRecord };
  /**
   * CloudTrail records in commit order (auto-increment keys): one record per value as calls commit
   * them, or a batch (an array of up to {@link TRAIL_BATCH} records) when a whole trail is written
   * (import, reset, undo): 100,000 records then cost 100 writes, not 100,000.
   */
  trail: { key: number; value: CloudTrailRecord | CloudTrailRecord[]; indexes: { eventTime: string } };
}

/** 1: meta, keys, aliases, trail. 2: + identities. 3: + resources. */
const VERSION = 3;
const STORES = ['meta', 'keys', 'aliases', 'trail', 'identities', 'resources'] as const;
type WriteTx = IDBPTransaction<KmsDb, typeof STORES, 'readwrite'>;
/** Records per stored value when a whole trail is written. */
const TRAIL_BATCH = 1000;
const recordsOf = (v: CloudTrailRecord | CloudTrailRecord[]) => (Array.isArray(v) ? v : [v]);

/**
 * A {@link KmsStore} in IndexedDB, for the KMS worker (and Node tests with `fake-indexeddb`).
 * Every commit is one readwrite transaction over all stores: it happens entirely or not at all.
 */
export class IdbStore implements KmsStore {
  readonly #db: IDBPDatabase<KmsDb>;
  readonly #domainKey: CryptoKey;
  /** Trail records stored (as this store last loaded or wrote them). */
  #trailCount = 0;

  private constructor(db: IDBPDatabase<KmsDb>, domainKey: CryptoKey) {
    this.#db = db;
    this.#domainKey = domainKey;
  }

  /** @internal Use {@link openIdbStore}. */
  static async open(dbName: string, options: IdbStoreOptions = {}): Promise<IdbStore> {
    const db = await openDB<KmsDb>(dbName, VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('keys', { keyPath: 'arn' });
          db.createObjectStore('aliases', { keyPath: 'aliasArn' });
          db.createObjectStore('trail', { autoIncrement: true }).createIndex('eventTime', 'eventTime');
        }
        if (oldVersion < 2) db.createObjectStore('identities', { keyPath: 'arn' });
        if (oldVersion < 3) db.createObjectStore('resources', { keyPath: 'arn' });
      },
      // Another connection wants a newer schema: let it proceed rather than block it forever.
      blocking() {
        db.close();
      },
    });
    try {
      return new IdbStore(db, await loadOrCreateDomainKey(db, options.domainKey));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** The world's non-extractable AES-GCM domain key, created with the database. */
  domainKey(): Promise<CryptoKey> {
    return Promise.resolve(this.#domainKey);
  }

  /**
   * Everything persisted, or undefined if nothing was ever committed. Keys and aliases come back
   * in creation order (records created in the same millisecond: by ARN); the trail in commit order.
   */
  async load(): Promise<PersistedWorld | undefined> {
    const tx = this.#db.transaction(STORES, 'readonly');
    const [clock, keys, aliases, stored, identities, resources] = await Promise.all([
      tx.objectStore('meta').get('clock') as Promise<ClockState | undefined>,
      tx.objectStore('keys').getAll(),
      tx.objectStore('aliases').getAll(),
      tx.objectStore('trail').getAll(),
      tx.objectStore('identities').getAll(),
      tx.objectStore('resources').getAll(),
      tx.done,
    ]);
    const trail = stored.flatMap(recordsOf);
    this.#trailCount = trail.length;
    if (!clock && !keys.length && !aliases.length && !trail.length && !identities.length && !resources.length)
      return undefined;
    // IndexedDB returns records by primary key (ARN); the engine expects creation order.
    const byCreation = (a: { createdAt: number }, b: { createdAt: number }) => a.createdAt - b.createdAt;
    keys.sort(byCreation);
    aliases.sort(byCreation);
    identities.sort(byCreation);
    resources.sort(byCreation);
    return { keys, aliases, identities, resources, trail, ...(clock ? { clock } : {}) };
  }

  /** Writes a call's changes, trail records and clock in one transaction; resolves once durable. */
  async commit(change: Commit): Promise<void> {
    await this.#write(function* (tx) {
      const keys = tx.objectStore('keys');
      const aliases = tx.objectStore('aliases');
      const trail = tx.objectStore('trail');
      const identities = tx.objectStore('identities');
      for (const k of change.putKeys) yield keys.put(k);
      for (const arn of change.deleteKeys) yield keys.delete(arn);
      for (const a of change.putAliases) yield aliases.put(a);
      for (const arn of change.deleteAliases) yield aliases.delete(arn);
      for (const i of change.putIdentities ?? []) yield identities.put(i);
      for (const arn of change.deleteIdentities ?? []) yield identities.delete(arn);
      const resources = tx.objectStore('resources');
      for (const r of change.putResources ?? []) yield resources.put(r);
      for (const arn of change.deleteResources ?? []) yield resources.delete(arn);
      for (const r of change.trail) yield trail.add(r);
      yield tx.objectStore('meta').put(change.clock, 'clock');
    });
    this.#trailCount += change.trail.length;
  }

  /**
   * Replaces the whole world (the domain key stays) in one transaction. With `keepTrail: n`, the
   * caller vouches that the first `n` stored trail records are `world.trail`'s first `n`: they stay
   * and only the rest is rewritten (undo/redo over a 100,000-event trail moves a few records, not
   * all of them).
   */
  async replace(world: PersistedWorld, options: { keepTrail?: number } = {}): Promise<void> {
    const keep = Math.max(0, Math.min(options.keepTrail ?? 0, world.trail.length, this.#trailCount));
    // Read first (a write transaction would close across these awaits): the stored values after
    // the kept records, newest first, and the one straddling the cut.
    const drop: number[] = [];
    let straddling: { key: number; records: CloudTrailRecord[] } | undefined;
    if (keep) {
      let remaining = this.#trailCount;
      let cursor = await this.#db.transaction('trail').store.openCursor(null, 'prev');
      while (cursor && remaining > keep) {
        const records = recordsOf(cursor.value);
        const start = remaining - records.length;
        if (start >= keep) drop.push(cursor.key);
        else straddling = { key: cursor.key, records: records.slice(0, keep - start) };
        remaining = start;
        cursor = await cursor.continue();
      }
    }
    await this.#write(function* (tx) {
      const meta = tx.objectStore('meta');
      const keys = tx.objectStore('keys');
      const aliases = tx.objectStore('aliases');
      const trail = tx.objectStore('trail');
      const identities = tx.objectStore('identities');
      yield keys.clear();
      yield aliases.clear();
      yield identities.clear();
      const resources = tx.objectStore('resources');
      yield resources.clear();
      if (!keep) yield trail.clear();
      for (const key of drop) yield trail.delete(key);
      if (straddling) yield trail.put(straddling.records, straddling.key);
      yield world.clock ? meta.put(world.clock, 'clock') : meta.delete('clock');
      for (const k of world.keys) yield keys.put(k);
      for (const a of world.aliases) yield aliases.put(a);
      for (const i of world.identities ?? []) yield identities.put(i);
      for (const r of world.resources ?? []) yield resources.put(r);
      for (let n = keep; n < world.trail.length; n += TRAIL_BATCH)
        yield trail.add(world.trail.slice(n, Math.min(world.trail.length, n + TRAIL_BATCH)));
    });
    this.#trailCount = world.trail.length;
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Issues the requests `build` yields in one readwrite transaction and waits for it to complete.
   * A request that throws synchronously (e.g. an uncloneable value) aborts the transaction, so the
   * requests before it never commit on their own.
   */
  async #write(build: (tx: WriteTx) => Iterable<Promise<unknown>>): Promise<void> {
    const tx = this.#db.transaction(STORES, 'readwrite');
    const pending: Promise<unknown>[] = [tx.done];
    try {
      for (const request of build(tx)) pending.push(request);
    } catch (e) {
      tx.abort();
      await Promise.allSettled(pending);
      throw e;
    }
    // Promise.all observes every request, so a failed transaction leaves no unhandled rejection.
    await Promise.all(pending);
  }
}

/**
 * The stored domain key, or `shared` (else a new key) stored once; two racing openers end up with
 * the same key. A database that already has a key keeps it: its material is wrapped under it.
 */
async function loadOrCreateDomainKey(db: IDBPDatabase<KmsDb>, shared?: CryptoKey): Promise<CryptoKey> {
  const existing = (await db.get('meta', 'domainKey')) as CryptoKey | undefined;
  if (existing) return existing;
  const fresh = shared ?? (await generateDomainKey()); // before the transaction: it would close across this await
  const tx = db.transaction('meta', 'readwrite');
  const stored = (await tx.store.get('domainKey')) as CryptoKey | undefined;
  if (!stored) await tx.store.put(fresh, 'domainKey');
  await tx.done;
  return stored ?? fresh;
}

export interface IdbStoreOptions {
  /**
   * The domain key for a new database, instead of a freshly generated one. Workspaces of one
   * browser share a domain key so that a world exported from one imports into another (its
   * material is wrapped under that key); it stays non-extractable either way.
   */
  readonly domainKey?: CryptoKey;
}

/**
 * Opens (or creates) the IndexedDB world `dbName`. Each named world is its own database, with a
 * domain key: a non-extractable AES-GCM CryptoKey stored as the object itself (generated once, or
 * `options.domainKey`).
 */
export async function openIdbStore(dbName = 'kms-lab', options: IdbStoreOptions = {}): Promise<IdbStore> {
  return IdbStore.open(dbName, options);
}
