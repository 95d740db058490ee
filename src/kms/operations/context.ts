import type { CloudTrailRecord } from '../audit/cloudTrail.ts';
import type { TraceHop } from '../audit/trace.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import type { CallerContext } from '../world/principal.ts';
import type { OperationSpec } from './registry.ts';

/** What a handler sees: the validated input, the resolved keys and a transaction on the world. */
export interface CallContext {
  readonly op: OperationSpec;
  /** Validated input: only declared members, of the declared types. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers narrow it to the SDK's request type
  readonly input: any;
  readonly caller: CallerContext;
  /** The Region whose endpoint answers. */
  readonly region: string;
  /** The caller's account. */
  readonly accountId: string;
  /** Simulated time of the call, epoch ms. */
  readonly now: number;
  readonly requestId: string;
  readonly eventId: string;
  readonly tx: WorldTx;
  readonly keyring: Keyring;
  /** Keys resolved by the operation's key targets, by role. */
  readonly keys: Record<string, KeyRecord>;
  /** Extra CloudTrail fields the handler adds (additionalEventData, resources). */
  readonly trail: {
    additionalEventData?: Record<string, unknown>;
    requestParameters?: Record<string, unknown>;
    /** Extra records (e.g. a CreateKey in a replica Region). */
    extra: CloudTrailRecord[];
  };
  /** Extra trace hops the handler adds (e.g. which HSM served it). */
  readonly hops: TraceHop[];
  /** The HSM that served a call on a custom key store key (cloudhsm/keyStoreRouting.ts), for the trace. */
  servedBy?: string;
  /**
   * Service operations only (`op.service`): calls a KMS operation as the service on behalf of the
   * caller (or of `as`, e.g. an instance's infrastructure role), in the call's Region or `region`,
   * through the whole KMS pipeline, with `kms:ViaService` set; the KMS call commits, is logged and
   * traced on its own.
   */
  readonly kms?: (
    operation: string,
    input: Record<string, unknown>,
    options?: { readonly as?: CallerContext['principal']; readonly region?: string },
  ) => Promise<Record<string, unknown>>;
}
