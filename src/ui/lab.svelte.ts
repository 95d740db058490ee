import { accountAlias } from './accountName.ts';
import { t } from './i18n/text.svelte.ts';
import * as Comlink from 'comlink';
import { lastWorkspace, spawnKmsWorker, workerFailure } from './kmsWorker.ts';
// Values come from the small world modules, not the engine's index: the page must not bundle the engine.
import { ACCOUNTS } from '../kms/world/accounts.ts';
import { rootPrincipal } from '../kms/world/principal.ts';
import type { OperationInput, OperationName, OperationOutput, Principal } from '../kms/index.ts';
import type { KmsWorkerApi, LabEvent, LearnStatus } from '../../workers/kms.worker.ts';
import type {
  CallResult,
  KeySummary,
  KmsWorkerRemote,
  LabState,
  PrincipalChoice,
  Selection,
  ServiceResourceView,
} from './labTypes.ts';
import { DEFAULT_REGION } from '../kms/world/regions.ts';
import { CallAnimator } from './world/callAnimator.svelte.ts';
import { CallLog } from './world/callLog.svelte.ts';
import { Trail } from './trail/trail.svelte.ts';
import { Desk } from './workspace/desk.svelte.ts';
import { Workspaces } from './workspace/workspaces.svelte.ts';
import { ScriptCalls } from './scratchpad/scriptCalls.ts';
import { CliShell } from './terminal/cliShell.ts';

// Many components take their types from here, next to `Lab`.
export type * from './labTypes.ts';

/** During a burst of events, the page refreshes at most this often (ms). */
const BURST_REFRESH_MS = 100;

/**
 * The lab's UI state: one KMS worker, the latest world state it reported, whom the console acts as
 * and in which Region, and what the inspector shows; the calls seen, the CloudTrail trail, the
 * workspaces and their desks, and the scratchpad's and terminal's ways into the worker are parts
 * it owns. Components read its fields and call its intent methods.
 */
export class Lab {
  /** The Region whose KMS endpoint the console talks to. */
  region = $state(DEFAULT_REGION);
  /** Whom the console acts as. */
  principal = $state.raw<Principal>(rootPrincipal(ACCOUNTS[0]!.id));
  /** Latest state from the worker; null until the worker has opened the world. */
  state = $state.raw<LabState | null>(null);
  /** What the inspector shows. */
  selection = $state.raw<Selection | null>(null);
  /** The lesson or hands-on challenge followed in the open workspace, and its step states. */
  learnStatus = $state.raw<LearnStatus | null>(null);
  /** Set when the worker cannot open the world (e.g. IndexedDB unavailable). */
  fatal = $state<string | null>(null);
  /** Wall time (ms) at which `state.now` was read, to let the simulated clock run in between. */
  stateReadAt = $state(0);
  /** Wall time, ticking once a second while the lab runs. */
  wallNow = $state(Date.now());
  readonly animator = new CallAnimator();
  /** Calls seen since the page opened, oldest first. */
  readonly callLog = new CallLog();
  /** The CloudTrail trail: its newest records here, the rest asked of the worker. */
  readonly trail: Trail;
  /** The scratchpad's script and the terminal's history, kept with each workspace. */
  readonly desk: Desk;
  /** Workspaces stored in this browser. */
  readonly workspaces: Workspaces;
  /** A scratchpad script's calls, each as the principal and in the Region the script chose. */
  readonly scripts: ScriptCalls;
  /** The terminal's AWS CLI, as the console's acting principal in its current Region. */
  readonly shell: CliShell;

  readonly #api: KmsWorkerRemote;
  readonly #worker: Worker;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #lastEventAt = -Infinity;
  #burstTimer: ReturnType<typeof setTimeout> | null = null;

  /** `worker`: the KMS worker, when the page entry started it already (see kmsWorker.ts). */
  constructor(worker: Worker = spawnKmsWorker()) {
    this.#worker = worker;
    this.#api = Comlink.wrap<KmsWorkerApi>(this.#worker);
    this.trail = new Trail(this.#api);
    this.desk = new Desk(this.#api);
    this.workspaces = new Workspaces(this.#api, this.desk, () => this.#worldReplaced());
    this.scripts = new ScriptCalls(this.#api, () => this.refresh());
    this.shell = new CliShell(this.#api, () => ({
      region: this.region,
      principal: $state.snapshot(this.principal) as Principal,
    }));
    const failed = (message: string) => {
      this.fatal = `The KMS worker failed to start: ${message}`;
    };
    const early = workerFailure(worker);
    if (early) failed(early);
    else this.#worker.addEventListener('error', (e) => failed(e.message || 'unknown error'));
  }

  /** Opens the last used workspace, loads state and trail, and follows engine events. */
  async start(): Promise<void> {
    setInterval(() => {
      this.wallNow = Date.now();
    }, 1000);
    try {
      // Both go out at once (the worker answers in order), so the world opens while the page renders.
      const subscribed = this.#api.subscribe(Comlink.proxy((e: LabEvent) => this.#onEvent(e)));
      const opened = this.#api.open(lastWorkspace()).catch(() => this.#api.open('default'));
      await subscribed;
      // `open` answers with the world's state: only the trail's tail is still to read.
      const state = await opened;
      const showTail = await this.trail.readTail();
      this.state = state;
      this.stateReadAt = Date.now();
      showTail();
      void this.workspaces.load();
    } catch (e) {
      this.fatal = `The KMS world could not be opened: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** The KMS worker, for the lesson, challenge and share-link methods (src/ui/learn, src/ui/share). */
  get worker(): KmsWorkerRemote {
    return this.#api;
  }

  get accountId(): string {
    return this.principal.accountId;
  }

  get workspace(): string {
    return this.state?.workspace ?? 'default';
  }

  /** Simulated time now (the world's clock runs with real time between calls); null until loaded. */
  get simNow(): number | null {
    if (!this.state) return null;
    return this.state.now + Math.max(0, this.wallNow - this.stateReadAt);
  }

  /** Keys of the acting account in the current Region, newest first. */
  get regionKeys(): readonly KeySummary[] {
    const r = this.state?.regions.find((x) => x.region === this.region);
    return r ? r.keys.filter((k) => k.accountId === this.accountId) : [];
  }

  /** The key with this ARN, if it exists. */
  keyByArn(arn: string): KeySummary | undefined {
    for (const r of this.state?.regions ?? []) for (const k of r.keys) if (k.arn === arn) return k;
    return undefined;
  }

  /** Everyone the learner can act as: each account's root user, then its IAM users and roles. */
  get principals(): readonly PrincipalChoice[] {
    const ids = this.state?.identities ?? [];
    return ACCOUNTS.flatMap((a): PrincipalChoice[] => [
      {
        principal: rootPrincipal(a.id),
        label: t('app.actAsRoot', { account: a.id, alias: accountAlias(a.alias) }),
        kind: 'root',
      },
      ...ids
        .filter((i) => i.accountId === a.id)
        .map((i): PrincipalChoice => ({
          principal: i.principal,
          label:
            i.kind === 'user'
              ? t('app.actAsUser', { name: i.name, account: a.id })
              : t('app.actAsRole', { name: i.name, account: a.id }),
          kind: i.kind,
        })),
    ]);
  }

  /** Acts as `principal` from now on (console calls, IAM calls). */
  actAs(principal: Principal): void {
    this.principal = principal;
  }

  select(selection: Selection | null): void {
    this.selection = selection;
  }

  // ---- console calls: as the acting principal, in the current Region unless told otherwise ----

  /** The acting principal, calling from the console in `region` (default: the current Region). */
  #consoleCaller(region?: string) {
    return {
      region: region ?? this.region,
      principal: $state.snapshot(this.principal) as Principal,
      source: 'console' as const,
    };
  }

  /** Ties a console call's result to its trace and refreshes the world view. */
  async #settled<R extends CallResult<unknown>>(result: R): Promise<R> {
    this.callLog.attachResult(result);
    await this.refresh();
    return result;
  }

  /**
   * Calls a KMS operation as the current principal, in the current Region unless `options.region`
   * names another (a key's own Region, for the key detail of a key elsewhere).
   */
  async call<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
    options: { readonly region?: string } = {},
  ): Promise<CallResult<OperationOutput<O>>> {
    const call = this.#api.call as unknown as (
      op: O,
      input: OperationInput<O>,
      caller: { region: string; principal: Principal; source: 'console' },
    ) => Promise<CallResult<OperationOutput<O>>>;
    const result = await call(operation, input, this.#consoleCaller(options.region));
    return this.#settled(result);
  }

  /** Calls the simulated IAM API in the acting principal's account. */
  async iam(operation: string, input: Record<string, unknown>): Promise<CallResult> {
    const result = await this.#api.iam(operation, input, this.#consoleCaller());
    return this.#settled(result);
  }

  /**
   * Calls the simulated AWS CloudHSM v2 API (`CreateCluster`, `CreateHsm`, …) as the current
   * principal, in the current Region unless `options.region` names another.
   */
  async cloudHsm(
    operation: string,
    input: Record<string, unknown>,
    options: { readonly region?: string } = {},
  ): Promise<CallResult> {
    const result = await this.#api.cloudHsm(operation, input, this.#consoleCaller(options.region));
    return this.#settled(result);
  }

  /**
   * Runs a lab control (cluster set-up such as `ActivateCluster`, or a fault such as `StopHsm`,
   * `LoseAvailabilityZone`) as the acting account's root, in the current Region unless
   * `options.region` names another.
   */
  async labControl(
    operation: string,
    input: Record<string, unknown>,
    options: { readonly region?: string } = {},
  ): Promise<CallResult> {
    const result = await this.#api.lab(operation, input, this.#consoleCaller(options.region));
    return this.#settled(result);
  }

  /**
   * Calls a simulated AWS service that uses KMS (`service('s3', 'PutObject', { … })`) as the
   * current principal in the current Region (or `options.region`, the destination of a copy);
   * the service calls KMS on the principal's behalf.
   */
  async service(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    options: { readonly region?: string } = {},
  ): Promise<CallResult> {
    const result = await this.#api.service(service, operation, input, this.#consoleCaller(options.region));
    return this.#settled(result);
  }

  /** The simulated services' resources of every account and Region, without key material. */
  serviceResources(): Promise<ServiceResourceView[]> {
    return this.#api.serviceResources();
  }

  /** Makes the same call `count` times inside the KMS worker; resolves with the milliseconds taken. */
  repeat(operation: OperationName, input: Record<string, unknown>, count: number): Promise<number> {
    return this.#api.repeat(
      operation,
      input,
      { region: this.region, principal: $state.snapshot(this.principal) as Principal },
      count,
    );
  }

  // ---- the world as a whole: its clock and its history -----------------------------------------

  /** Advances the simulated clock; due deletions happen on the way. */
  async advanceClock(seconds: number): Promise<CallResult<unknown>> {
    const result = await this.#api.advanceClock(seconds);
    await this.refresh();
    return result;
  }

  async undo(): Promise<void> {
    await this.#api.undo();
    await this.refresh();
  }

  async redo(): Promise<void> {
    await this.#api.redo();
    await this.refresh();
  }

  /** Replaces the workspace's world with a fresh one (undo brings the old one back). */
  async reset(): Promise<void> {
    await this.#api.reset();
    await this.#worldReplaced();
  }

  /** Another world is open (reset, another workspace, a file imported): nothing of the old one stays selected. */
  async #worldReplaced(): Promise<void> {
    this.selection = null;
    await this.refresh();
  }

  // ---- following the worker ---------------------------------------------------------------------

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
          const [state, showTail] = await Promise.all([this.#api.state(), this.trail.readTail()]);
          this.state = state;
          this.stateReadAt = Date.now();
          showTail();
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  #onEvent(e: LabEvent) {
    if (e.type === 'learn') {
      this.learnStatus = e.status;
      return;
    }
    if (e.type === 'reset') {
      this.trail.replaced();
      if (this.selection?.kind === 'call') this.selection = null;
    } else if (e.type === 'call') {
      this.callLog.record(e);
      this.animator.enqueue(e.trace, (arn) => this.keyByArn(arn) !== undefined, e.request?.input);
    } else if (e.type === 'serviceEvent') {
      this.animator.enqueueService(e.event, e.records[0]?.eventID ?? `${e.event.kind}:${e.event.at}`);
    }
    this.#refreshSoon();
  }

  /**
   * Refreshes after an event: at once for a lone event, at most every {@link BURST_REFRESH_MS}
   * during a burst (a script making a thousand calls must not pay a full refresh per call).
   */
  #refreshSoon() {
    const now = performance.now();
    const burst = now - this.#lastEventAt < BURST_REFRESH_MS;
    this.#lastEventAt = now;
    if (!burst) {
      void this.refresh();
      return;
    }
    if (this.#burstTimer !== null) return;
    this.#burstTimer = setTimeout(() => {
      this.#burstTimer = null;
      void this.refresh();
    }, BURST_REFRESH_MS);
  }
}
