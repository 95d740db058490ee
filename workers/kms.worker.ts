/**
 * The KMS worker: hosts the engine over the IndexedDB store and exposes a small API to the UI
 * through comlink. Key material stays here; only API outputs, key metadata, the trail and
 * traces cross to the page.
 */
import * as Comlink from 'comlink';
import {
  createKms,
  DEFAULT_ACCOUNT,
  isKmsError,
  REGIONS,
  rootPrincipal,
  type CallerContext,
  type CallSource,
  type CloudTrailRecord,
  type Kms,
  type KmsEvent,
  type OperationInput,
  type OperationName,
  type OperationOutput,
  type Principal,
  type ScheduledEvent,
} from '../src/kms/index.ts';
import { openIdbStore } from '../src/kms/store/idbStore.ts';

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
export type CallResult<T = Record<string, unknown>> =
  { readonly ok: true; readonly output: T } | { readonly ok: false; readonly error: KmsErrorInfo };

/** Who calls. Defaults: the root user of the lab's own account, from the console. */
export interface CallerInput {
  readonly region: string;
  readonly principal?: Principal;
  readonly source?: CallSource;
}

/** A key as the console lists it: metadata and aliases, no material. */
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
}

export interface RegionKeys {
  readonly region: string;
  readonly displayName: string;
  /** Newest first. */
  readonly keys: readonly KeySummary[];
}

export interface LabState {
  /** Simulated time when the state was taken, epoch ms. */
  readonly now: number;
  readonly regions: readonly RegionKeys[];
  /** Scheduled events still to come, soonest first. */
  readonly upcoming: readonly ScheduledEvent[];
  /** Number of CloudTrail records so far (for `trail(from)`). */
  readonly trailLength: number;
}

export type LabEvent = KmsEvent;

const kmsReady: Promise<Kms> = openIdbStore().then((store) => createKms({ store, clockRunning: true }));

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
    principal: caller.principal ?? rootPrincipal(DEFAULT_ACCOUNT),
    region: caller.region,
    source: caller.source ?? 'console',
  };
}

function labState(kms: Kms): LabState {
  const aliases = kms.aliases();
  const keys = kms.keys();
  const summaries: KeySummary[] = keys.map((k) => ({
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
  }));
  return {
    now: kms.now(),
    regions: REGIONS.map((r) => ({
      region: r.name,
      displayName: r.displayName,
      keys: summaries.filter((k) => k.region === r.name).sort((a, b) => b.createdAt - a.createdAt),
    })),
    upcoming: kms.upcoming(),
    trailLength: kms.trail().length,
  };
}

const api = {
  /**
   * Calls a KMS operation. Resolves with `{ ok: true, output }` or `{ ok: false, error }` where
   * `error.code` is AWS's exception name; it never rejects for an AWS error.
   */
  async call<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
    caller: CallerInput,
  ): Promise<CallResult<OperationOutput<O>>> {
    try {
      const kms = await kmsReady;
      const output = await kms.call(operation, input, callerContext(caller));
      return { ok: true, output };
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
  },

  /** Moves simulated time forward, firing due deletions (and later rotations, expiries) in order. */
  async advanceClock(seconds: number): Promise<CallResult<{ fired: ScheduledEvent[] }>> {
    try {
      const kms = await kmsReady;
      return { ok: true, output: { fired: await kms.advanceClock(seconds) } };
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
  },

  /** Keys per Region (state, aliases, description), upcoming events and the simulated time. */
  async state(): Promise<LabState> {
    return labState(await kmsReady);
  },

  /** CloudTrail records, oldest first, starting at index `from`. */
  async trail(from = 0): Promise<CloudTrailRecord[]> {
    const kms = await kmsReady;
    return kms.trail().slice(from);
  },

  /**
   * Forwards every engine event (calls with their trace and trail records, service events, clock
   * moves, resets) to `listener`, which must be wrapped with `Comlink.proxy`. Returns the
   * unsubscribe function, also a proxy.
   */
  async subscribe(listener: (event: LabEvent) => void): Promise<(() => void) & Comlink.ProxyMarked> {
    const kms = await kmsReady;
    const off = kms.onEvent((event) => {
      Promise.resolve(listener(event)).catch(() => off());
    });
    return Comlink.proxy(() => {
      off();
    });
  },
};

export type KmsWorkerApi = typeof api;

Comlink.expose(api);
