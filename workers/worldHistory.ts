/**
 * Undo/redo of a workspace's world without copying its CloudTrail trail.
 *
 * The engine's `snapshot()` clones the whole world, trail included: with 100,000 events that is
 * tens of megabytes per call. Instead, {@link MirrorStore} sits between the engine and IndexedDB
 * and keeps, from the commits it forwards, an immutable copy of everything but the trail (keys,
 * aliases, identities, clock: small) plus the trail's length. A history entry is that copy and a
 * number.
 *
 * What undo does to the trail (a lab choice, documented here): in AWS nothing is ever undone and
 * CloudTrail is an append-only record. Undo is a lab time machine: it rewinds the whole world,
 * simulated clock included, to an earlier instant, so it rewinds the trail with it (to the length it
 * had then). Otherwise the trail would hold events "from the future" of the clock, events about keys
 * that no longer exist, and a digest chain out of step with the world. Redo moves forward along the
 * same timeline and brings the recorded events back; any change made after an undo starts a new
 * timeline and drops the redo future, as in an editor. Records appended after an undo by calls that
 * changed nothing (reads, failures) are not part of the recorded future: a redo drops them.
 */
import type { Commit, KmsStore, PersistedWorld } from '../src/kms/index.ts';
import type { CloudTrailRecord } from '../src/kms/index.ts';
import type { IdbStore } from '../src/kms/store/idbStore.ts';

type Keyed<T> = ReadonlyMap<string, T>;
type KeyRecord = PersistedWorld['keys'][number];
type AliasRecord = PersistedWorld['aliases'][number];
type IdentityRecord = NonNullable<PersistedWorld['identities']>[number];
type ResourceRecord = NonNullable<PersistedWorld['resources']>[number];
/** The commit fields this mirror understands; a commit with any other change makes it unsure. */
const KNOWN_CHANGES = new Set([
  'putKeys',
  'deleteKeys',
  'putAliases',
  'deleteAliases',
  'putIdentities',
  'deleteIdentities',
  'putResources',
  'deleteResources',
  'trail',
  'clock',
]);

/** The world without its trail, as immutable maps (a new map per change: entries are shared). */
export interface WorldState {
  readonly keys: Keyed<KeyRecord>;
  readonly aliases: Keyed<AliasRecord>;
  readonly identities: Keyed<IdentityRecord>;
  readonly resources: Keyed<ResourceRecord>;
  readonly clock: PersistedWorld['clock'];
  /** Number of trail records at that point. */
  readonly trailLength: number;
}

const EMPTY: WorldState = {
  keys: new Map(),
  aliases: new Map(),
  identities: new Map(),
  resources: new Map(),
  clock: undefined,
  trailLength: 0,
};

function applyChanges<T>(
  map: Keyed<T>,
  put: readonly T[] | undefined,
  del: readonly string[] | undefined,
  id: (v: T) => string,
): Keyed<T> {
  if (!put?.length && !del?.length) return map;
  const next = new Map(map);
  // Clones: the engine's records must never be shared with a snapshot it could outlive.
  for (const v of put ?? []) next.set(id(v), structuredClone(v));
  for (const k of del ?? []) next.delete(k);
  return next;
}

const stateOf = (world: PersistedWorld): WorldState => ({
  keys: new Map(world.keys.map((k) => [k.arn, structuredClone(k)])),
  aliases: new Map(world.aliases.map((a) => [a.aliasArn, structuredClone(a)])),
  identities: new Map((world.identities ?? []).map((i) => [i.arn, structuredClone(i)])),
  resources: new Map((world.resources ?? []).map((r) => [r.arn, structuredClone(r)])),
  clock: world.clock,
  trailLength: world.trail.length,
});

/** The engine's store, mirrored: every commit and replace also updates {@link MirrorStore.state}. */
export class MirrorStore implements KmsStore {
  readonly #inner: IdbStore;
  #state: WorldState = EMPTY;
  /** Set just before a restore whose trail shares its first records with the stored one. */
  keepTrail = 0;

  constructor(inner: IdbStore) {
    this.#inner = inner;
  }

  /** The world as last committed, without its trail. */
  get state(): WorldState {
    return this.#state;
  }

  domainKey(): Promise<CryptoKey> {
    return this.#inner.domainKey();
  }

  async load(): Promise<PersistedWorld | undefined> {
    const world = await this.#inner.load();
    this.#state = world ? stateOf(world) : EMPTY;
    return world;
  }

  /**
   * Set when a commit carried a kind of change this mirror does not know (a collection added to the
   * engine later): the history then takes that point from the engine's full snapshot instead.
   */
  unsure = false;

  /** Takes the world from a full engine snapshot (after an {@link unsure} commit). */
  resync(world: PersistedWorld): void {
    this.#state = stateOf(world);
    this.unsure = false;
  }

  async commit(change: Commit): Promise<void> {
    await this.#inner.commit(change);
    for (const [k, v] of Object.entries(change))
      if (!KNOWN_CHANGES.has(k) && !(Array.isArray(v) && v.length === 0)) this.unsure = true;
    const s = this.#state;
    this.#state = {
      keys: applyChanges(s.keys, change.putKeys, change.deleteKeys, (k) => k.arn),
      aliases: applyChanges(s.aliases, change.putAliases, change.deleteAliases, (a) => a.aliasArn),
      identities: applyChanges(s.identities, change.putIdentities, change.deleteIdentities, (i) => i.arn),
      resources: applyChanges(s.resources, change.putResources, change.deleteResources, (r) => r.arn),
      clock: change.clock,
      trailLength: s.trailLength + change.trail.length,
    };
  }

  async replace(world: PersistedWorld): Promise<void> {
    const keepTrail = this.keepTrail;
    this.keepTrail = 0;
    await this.#inner.replace(world, { keepTrail });
    this.#state = stateOf(world);
    this.unsure = false;
  }

  close(): void {
    this.#inner.close();
  }
}

/** A world to restore: the saved state with the first `trailLength` records of `trail`. */
export function worldOf(state: WorldState, trail: readonly CloudTrailRecord[]): PersistedWorld {
  return {
    keys: [...state.keys.values()],
    aliases: [...state.aliases.values()],
    identities: [...state.identities.values()],
    resources: [...state.resources.values()],
    trail: trail.slice(0, state.trailLength),
    ...(state.clock ? { clock: state.clock } : {}),
  };
}
