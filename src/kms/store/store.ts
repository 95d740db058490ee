import type { CloudTrailRecord } from '../audit/cloudTrail.ts';
import type { IdentityRecord } from '../iam/model.ts';
import type { AliasRecord, KeyRecord } from '../model/key.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { WorldChanges } from '../model/world.ts';
import type { ClockState } from '../world/clock.ts';

/** Everything a store holds for one world. */
export interface PersistedWorld {
  readonly keys: readonly KeyRecord[];
  readonly aliases: readonly AliasRecord[];
  /** IAM users, roles and managed policies; absent in worlds saved before identities existed. */
  readonly identities?: readonly IdentityRecord[];
  /** CloudHSM, custom key stores and AWS service resources; absent in older worlds. */
  readonly resources?: readonly ResourceRecord[];
  readonly trail: readonly CloudTrailRecord[];
  readonly clock?: ClockState;
}

/** One atomic commit: a call's world changes, its trail records and the clock. */
export interface Commit extends WorldChanges {
  readonly trail: readonly CloudTrailRecord[];
  readonly clock: ClockState;
}

/**
 * Where a world lives. Key material reaches a store only wrapped under the store's domain key,
 * which never leaves it as bytes.
 */
export interface KmsStore {
  /** The non-extractable AES-GCM key wrapping all key material at rest. */
  domainKey(): Promise<CryptoKey>;
  /** Everything persisted, or undefined for a new, empty store. */
  load(): Promise<PersistedWorld | undefined>;
  /** Commits atomically: all of it or none of it. */
  commit(change: Commit): Promise<void>;
  /** Replaces the whole world (reset, undo/redo, import). */
  replace(world: PersistedWorld): Promise<void>;
  close?(): void;
}
