import type { IdentityRecord } from '../iam/model.ts';
import type { ClockState } from '../world/clock.ts';
import type { AliasRecord, KeyRecord } from './key.ts';
import type { ResourceRecord } from './resource.ts';

/** The persisted world, as plain data: keys and aliases of every account and Region. */
export interface WorldData {
  keys: Map<string, KeyRecord>;
  aliases: Map<string, AliasRecord>;
  /** IAM users, roles and managed policies of every account, by ARN. */
  identities: Map<string, IdentityRecord>;
  /** Every other resource (CloudHSM, custom key stores, AWS service resources), by ARN. */
  resources: Map<string, ResourceRecord>;
  clock: ClockState;
}

/** What one call changed; the store commits it atomically. */
export interface WorldChanges {
  readonly putKeys: readonly KeyRecord[];
  readonly deleteKeys: readonly string[];
  readonly putAliases: readonly AliasRecord[];
  readonly deleteAliases: readonly string[];
  /** Optional so that commits written before identities existed stay valid. */
  readonly putIdentities?: readonly IdentityRecord[];
  readonly deleteIdentities?: readonly string[];
  readonly putResources?: readonly ResourceRecord[];
  readonly deleteResources?: readonly string[];
}

/**
 * A call's view of the world. Reads see staged changes; writes are copy-on-write and reach the
 * world only when the call succeeds, so a failing call changes nothing.
 */
export class WorldTx {
  readonly #world: WorldData;
  readonly #keys = new Map<string, KeyRecord | null>();
  readonly #aliases = new Map<string, AliasRecord | null>();
  readonly #identities = new Map<string, IdentityRecord | null>();
  readonly #resources = new Map<string, ResourceRecord | null>();

  constructor(world: WorldData) {
    this.#world = world;
  }

  key(arn: string): KeyRecord | undefined {
    const staged = this.#keys.get(arn);
    if (staged === null) return undefined;
    return staged ?? this.#world.keys.get(arn);
  }

  /** A writable copy of the key, staged for commit. */
  editKey(arn: string): KeyRecord {
    const staged = this.#keys.get(arn);
    if (staged) return staged;
    const current = this.#world.keys.get(arn);
    if (!current || staged === null) throw new Error(`editKey: no key ${arn}`);
    // Shallow copy: nested records (materials, tags, lastUsage) are replaced, never mutated in place.
    const copy: KeyRecord = { ...current, tags: [...current.tags], materials: [...current.materials] };
    this.#keys.set(arn, copy);
    return copy;
  }

  putKey(key: KeyRecord): void {
    this.#keys.set(key.arn, key);
  }

  deleteKey(arn: string): void {
    this.#keys.set(arn, null);
  }

  alias(arn: string): AliasRecord | undefined {
    const staged = this.#aliases.get(arn);
    if (staged === null) return undefined;
    return staged ?? this.#world.aliases.get(arn);
  }

  putAlias(alias: AliasRecord): void {
    this.#aliases.set(alias.aliasArn, alias);
  }

  deleteAlias(arn: string): void {
    this.#aliases.set(arn, null);
  }

  identity(arn: string): IdentityRecord | undefined {
    const staged = this.#identities.get(arn);
    if (staged === null) return undefined;
    return staged ?? this.#world.identities.get(arn);
  }

  /** Stages a new or changed identity (callers pass a fresh copy, never the stored object). */
  putIdentity(identity: IdentityRecord): void {
    this.#identities.set(identity.arn, identity);
  }

  deleteIdentity(arn: string): void {
    this.#identities.set(arn, null);
  }

  allIdentities(): IdentityRecord[] {
    return this.#all(this.#world.identities, this.#identities);
  }

  /** Keys of one account and Region, in creation order. */
  keysIn(accountId: string, region: string): KeyRecord[] {
    return this.#all(this.#world.keys, this.#keys).filter(
      (k) => k.accountId === accountId && k.region === region,
    );
  }

  aliasesIn(accountId: string, region: string): AliasRecord[] {
    return this.#all(this.#world.aliases, this.#aliases).filter(
      (a) => a.accountId === accountId && a.region === region,
    );
  }

  allKeys(): KeyRecord[] {
    return this.#all(this.#world.keys, this.#keys);
  }

  allAliases(): AliasRecord[] {
    return this.#all(this.#world.aliases, this.#aliases);
  }

  #all<T>(base: Map<string, T>, staged: Map<string, T | null>): T[] {
    const out: T[] = [];
    for (const [id, v] of base) {
      const s = staged.get(id);
      if (s === null) continue;
      out.push(s ?? v);
    }
    for (const [id, v] of staged) if (v !== null && !base.has(id)) out.push(v);
    return out;
  }

  resource<T>(arn: string): ResourceRecord<T> | undefined {
    const staged = this.#resources.get(arn);
    if (staged === null) return undefined;
    return (staged ?? this.#world.resources.get(arn)) as ResourceRecord<T> | undefined;
  }

  /** Stages a new or changed resource (callers pass a fresh copy, never the stored object). */
  putResource(resource: ResourceRecord): void {
    this.#resources.set(resource.arn, resource);
  }

  deleteResource(arn: string): void {
    this.#resources.set(arn, null);
  }

  /** Resources of one kind (optionally of one account and Region), in creation order. */
  resources<T>(kind: string, accountId?: string, region?: string): ResourceRecord<T>[] {
    return (this.#all(this.#world.resources, this.#resources) as ResourceRecord<T>[])
      .filter(
        (r) =>
          r.kind === kind &&
          (accountId === undefined || r.accountId === accountId) &&
          (region === undefined || r.region === region),
      )
      .sort((a, b) => a.createdAt - b.createdAt || (a.arn < b.arn ? -1 : 1));
  }

  get dirty(): boolean {
    return (
      this.#keys.size > 0 || this.#aliases.size > 0 || this.#identities.size > 0 || this.#resources.size > 0
    );
  }

  changes(): WorldChanges {
    const pick = <T>(m: Map<string, T | null>) => ({
      put: [...m.values()].filter((v): v is T => v !== null),
      del: [...m.entries()].filter(([, v]) => v === null).map(([k]) => k),
    });
    const k = pick(this.#keys);
    const a = pick(this.#aliases);
    const i = pick(this.#identities);
    const r = pick(this.#resources);
    return {
      putKeys: k.put,
      deleteKeys: k.del,
      putAliases: a.put,
      deleteAliases: a.del,
      putIdentities: i.put,
      deleteIdentities: i.del,
      putResources: r.put,
      deleteResources: r.del,
    };
  }

  /** Applies the staged changes to the world (after the store committed them). */
  apply(): void {
    for (const [arn, v] of this.#keys) {
      if (v === null) this.#world.keys.delete(arn);
      else this.#world.keys.set(arn, v);
    }
    for (const [arn, v] of this.#aliases) {
      if (v === null) this.#world.aliases.delete(arn);
      else this.#world.aliases.set(arn, v);
    }
    for (const [arn, v] of this.#identities) {
      if (v === null) this.#world.identities.delete(arn);
      else this.#world.identities.set(arn, v);
    }
    for (const [arn, v] of this.#resources) {
      if (v === null) this.#world.resources.delete(arn);
      else this.#world.resources.set(arn, v);
    }
  }
}
