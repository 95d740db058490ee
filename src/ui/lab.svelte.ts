import * as Comlink from 'comlink';
import type { CloudTrailRecord, OperationInput, OperationName, OperationOutput } from '../kms/index.ts';
import type {
  CallResult,
  KeySummary,
  KmsWorkerApi,
  LabEvent,
  LabState,
  RegionKeys,
} from '../../workers/kms.worker.ts';
import { DEFAULT_ACCOUNT } from '../kms/world/accounts.ts';
import { DEFAULT_REGION } from '../kms/world/regions.ts';

export type { CallResult, KeySummary, LabState, RegionKeys };
export type { KmsErrorInfo } from '../../workers/kms.worker.ts';

/**
 * The lab's UI state: one KMS worker, the latest world state it reported, the CloudTrail records
 * and the Region the learner works in. Components read its fields and call its intent methods.
 */
export class Lab {
  /** The Region whose KMS endpoint the console talks to. */
  region = $state(DEFAULT_REGION);
  /** The account the console acts in (as its root user). */
  readonly accountId = DEFAULT_ACCOUNT;
  /** Latest state from the worker; null until the worker has opened the world. */
  state = $state.raw<LabState | null>(null);
  /** CloudTrail records, oldest first. */
  trail = $state.raw<readonly CloudTrailRecord[]>([]);
  /** Set when the worker cannot open the world (e.g. IndexedDB unavailable). */
  fatal = $state<string | null>(null);
  /** Wall time (ms) at which `state.now` was read, to let the simulated clock run in between. */
  stateReadAt = $state(0);
  /** Wall time, ticking once a second while the lab runs. */
  wallNow = $state(Date.now());

  readonly #api: Comlink.Remote<KmsWorkerApi>;
  readonly #worker: Worker;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #resetTrail = false;

  constructor() {
    // Vite bundles the worker only from this exact `new Worker(new URL(…, import.meta.url))` form.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- not state, a module URL
    this.#worker = new Worker(new URL('../../workers/kms.worker.ts', import.meta.url), { type: 'module' });
    this.#api = Comlink.wrap<KmsWorkerApi>(this.#worker);
    this.#worker.addEventListener('error', (e) => {
      this.fatal = `The KMS worker failed to start: ${e.message || 'unknown error'}`;
    });
  }

  /** Opens the world, loads state and trail, and follows engine events. */
  async start(): Promise<void> {
    setInterval(() => {
      this.wallNow = Date.now();
    }, 1000);
    try {
      await this.#api.subscribe(Comlink.proxy((e: LabEvent) => this.#onEvent(e)));
      await this.refresh();
    } catch (e) {
      this.fatal = `The KMS world could not be opened: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Simulated time now (the world's clock runs with real time between calls); null until loaded. */
  get simNow(): number | null {
    if (!this.state) return null;
    return this.state.now + Math.max(0, this.wallNow - this.stateReadAt);
  }

  /** Keys of the console's account in the current Region, newest first. */
  get regionKeys(): readonly KeySummary[] {
    const r = this.state?.regions.find((x) => x.region === this.region);
    return r ? r.keys.filter((k) => k.accountId === this.accountId) : [];
  }

  /** Calls a KMS operation in the current Region as the console's user. */
  async call<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
  ): Promise<CallResult<OperationOutput<O>>> {
    const call = this.#api.call as unknown as (
      op: O,
      input: OperationInput<O>,
      caller: { region: string; source: 'console' },
    ) => Promise<CallResult<OperationOutput<O>>>;
    const result = await call(operation, input, { region: this.region, source: 'console' });
    await this.refresh();
    return result;
  }

  /** Advances the simulated clock; due deletions happen on the way. */
  async advanceClock(seconds: number): Promise<CallResult<unknown>> {
    const result = await this.#api.advanceClock(seconds);
    await this.refresh();
    return result;
  }

  /** Reloads state and any new trail records; concurrent requests coalesce. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          const reset = this.#resetTrail;
          this.#resetTrail = false;
          const from = reset ? 0 : this.trail.length;
          const [state, records] = await Promise.all([this.#api.state(), this.#api.trail(from)]);
          this.state = state;
          this.stateReadAt = Date.now();
          if (reset) this.trail = records;
          else if (records.length) this.trail = [...this.trail, ...records];
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  #onEvent(e: LabEvent) {
    if (e.type === 'reset') this.#resetTrail = true;
    void this.refresh();
  }
}
