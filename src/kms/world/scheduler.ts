import type { CloudTrailRecord } from '../audit/cloudTrail.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { WorldTx } from '../model/world.ts';

/** Something the simulated clock will make happen: a deletion, a rotation, an expiry. */
export interface ScheduledEvent {
  /** Epoch ms of simulated time. */
  readonly at: number;
  /** The CloudTrail service event it produces, e.g. `DeleteKey`. */
  readonly kind: string;
  readonly keyArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
}

export interface ServiceContext {
  readonly tx: WorldTx;
  readonly keyring: Keyring;
  readonly now: number;
  /** Records the CloudTrail service event(s) of this firing. */
  readonly record: (r: CloudTrailRecord) => void;
  readonly newIds: () => { requestId: string; eventId: string };
}

/**
 * A time-driven behaviour of KMS. Each lifecycle family contributes one; the engine fires their
 * events in time order as the clock moves.
 */
export interface TimedBehaviour {
  readonly name: string;
  upcoming(tx: WorldTx): ScheduledEvent[];
  fire(event: ScheduledEvent, ctx: ServiceContext): void | Promise<void>;
}
