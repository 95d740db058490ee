import type { CloudTrailRecord } from '../audit/cloudTrail.ts';
import { generateDomainKey } from '../crypto/domainKey.ts';
import type { IdentityRecord } from '../iam/model.ts';
import type { AliasRecord, KeyRecord } from '../model/key.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { ClockState } from '../world/clock.ts';
import type { Commit, KmsStore, PersistedWorld } from './store.ts';

/**
 * An in-memory store for Node (tests, benchmarks, `npm run api`). Records are cloned on the way in
 * and out, as a real store would, so the engine never shares objects with it.
 */
export class MemoryStore implements KmsStore {
  #domainKey?: Promise<CryptoKey>;
  readonly #keys = new Map<string, KeyRecord>();
  readonly #aliases = new Map<string, AliasRecord>();
  readonly #identities = new Map<string, IdentityRecord>();
  readonly #resources = new Map<string, ResourceRecord>();
  #trail: CloudTrailRecord[] = [];
  #clock?: ClockState;
  #used = false;

  domainKey(): Promise<CryptoKey> {
    this.#domainKey ??= generateDomainKey();
    return this.#domainKey;
  }

  async load(): Promise<PersistedWorld | undefined> {
    if (!this.#used) return undefined;
    return structuredClone({
      keys: [...this.#keys.values()],
      aliases: [...this.#aliases.values()],
      identities: [...this.#identities.values()],
      resources: [...this.#resources.values()],
      trail: this.#trail,
      clock: this.#clock,
    });
  }

  async commit(change: Commit): Promise<void> {
    this.#used = true;
    // The engine never mutates a committed record (writes are copy-on-write), so no copy is needed.
    const c = change;
    for (const k of c.putKeys) this.#keys.set(k.arn, k);
    for (const arn of c.deleteKeys) this.#keys.delete(arn);
    for (const a of c.putAliases) this.#aliases.set(a.aliasArn, a);
    for (const arn of c.deleteAliases) this.#aliases.delete(arn);
    for (const i of c.putIdentities ?? []) this.#identities.set(i.arn, i);
    for (const arn of c.deleteIdentities ?? []) this.#identities.delete(arn);
    for (const r of c.putResources ?? []) this.#resources.set(r.arn, r);
    for (const arn of c.deleteResources ?? []) this.#resources.delete(arn);
    this.#trail.push(...c.trail);
    this.#clock = c.clock;
  }

  async replace(world: PersistedWorld): Promise<void> {
    this.#used = true;
    const w = structuredClone(world);
    this.#keys.clear();
    this.#aliases.clear();
    this.#identities.clear();
    this.#resources.clear();
    for (const k of w.keys) this.#keys.set(k.arn, k);
    for (const a of w.aliases) this.#aliases.set(a.aliasArn, a);
    for (const i of w.identities ?? []) this.#identities.set(i.arn, i);
    for (const r of w.resources ?? []) this.#resources.set(r.arn, r);
    this.#trail = [...w.trail];
    this.#clock = w.clock;
  }

  /** Test hook: the raw persisted key records, as a reader of the storage would see them. */
  rawKeys(): KeyRecord[] {
    return structuredClone([...this.#keys.values()]);
  }
}
