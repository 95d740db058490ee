import * as Comlink from 'comlink';
import { lastWorkspace, spawnKmsWorker, WORKSPACE_STORAGE, workerFailure } from './kmsWorker.ts';
// Values come from the small world modules, not the engine's index: the page must not bundle the engine.
import { ACCOUNTS } from '../kms/world/accounts.ts';
import { rootPrincipal } from '../kms/world/principal.ts';
import type {
  CallTrace,
  CloudTrailRecord,
  OperationInput,
  OperationName,
  OperationOutput,
  PersistedWorld,
  Principal,
} from '../kms/index.ts';
import type { ValidateLogsResult } from '../kms/audit/index.ts';
import type {
  CallRequest,
  CallResult,
  CliLineResult,
  DeskText,
  GrantSummary,
  IdentitySummary,
  KeySummary,
  KmsErrorInfo,
  KmsWorkerApi,
  LegacyDesk,
  MaterialSummary,
  MaterialUse,
  VirtualFile,
  WireReply,
  LabEvent,
  LabState,
  LearnStatus,
  RegionKeys,
  ServiceClientInfo,
  ServiceResourceView,
  TamperAction,
  TrailDeliveryState,
  TrailFacets,
  TrailFilter,
  TrailRow,
  TrailWindow,
  WorldOperationsInfo,
} from '../../workers/kms.worker.ts';
import { DEFAULT_REGION } from '../kms/world/regions.ts';
import { CallAnimator } from './world/callAnimator.svelte.ts';
import { decodeWorkspaceFile, encodeWorkspaceFile } from './workspaceFile.ts';
import { forgetDesk } from './share/scratchpadScript.ts';

export type {
  CallResult,
  CliLineResult,
  DeskText,
  VirtualFile,
  WireReply,
  GrantSummary,
  IdentitySummary,
  KeySummary,
  KmsErrorInfo,
  LabState,
  MaterialSummary,
  MaterialUse,
  RegionKeys,
  ServiceClientInfo,
  ServiceResourceView,
  TamperAction,
  TrailDeliveryState,
  TrailFacets,
  TrailFilter,
  TrailRow,
  TrailWindow,
  ValidateLogsResult,
  WorldOperationsInfo,
};

/** A principal the learner can act as, with how the picker names it. */
export interface PrincipalChoice {
  readonly principal: Principal;
  readonly label: string;
  readonly kind: 'root' | 'user' | 'role';
}

/** One call the lab saw: its trace and trail records; request and response when the console made it. */
export interface CallEntry {
  readonly trace: CallTrace;
  readonly records: readonly CloudTrailRecord[];
  readonly request?: CallRequest;
  readonly response?: unknown;
  readonly error?: KmsErrorInfo;
}

export type Selection =
  { readonly kind: 'key'; readonly arn: string } | { readonly kind: 'call'; readonly requestId: string };

/** The principals the learner can act as. */
export const PRINCIPALS: readonly { readonly principal: Principal; readonly label: string }[] = ACCOUNTS.map(
  (a) => ({ principal: rootPrincipal(a.id), label: `root · ${a.id} (${a.alias})` }),
);

const CALL_LOG_LIMIT = 500;
/** CloudTrail records the page keeps (the newest); the rest are asked of the worker by window. */
const TRAIL_TAIL = 1000;
/** During a burst of events, the page refreshes at most this often (ms). */
const BURST_REFRESH_MS = 100;

/**
 * The lab's UI state: one KMS worker, the latest world state it reported, the CloudTrail records,
 * the calls seen, whom the console acts as and in which Region, and what the inspector shows.
 * Components read its fields and call its intent methods.
 */
export class Lab {
  /** The Region whose KMS endpoint the console talks to. */
  region = $state(DEFAULT_REGION);
  /** Whom the console acts as. */
  principal = $state.raw<Principal>(PRINCIPALS[0]!.principal);
  /** Latest state from the worker; null until the worker has opened the world. */
  state = $state.raw<LabState | null>(null);
  /**
   * The latest CloudTrail records (at most {@link TRAIL_TAIL}), oldest first. The whole trail stays
   * in the worker: the viewer asks it for windows of rows (`trailWindow`).
   */
  trail = $state.raw<readonly CloudTrailRecord[]>([]);
  /** Bumped when the trail is replaced rather than appended to (undo, import, another workspace). */
  trailGeneration = $state(0);
  /** Calls seen since the page opened (or the world was last replaced), oldest first. */
  calls = $state.raw<readonly CallEntry[]>([]);
  /** What the inspector shows. */
  selection = $state.raw<Selection | null>(null);
  /** Workspaces stored in this browser. */
  workspaces = $state.raw<readonly string[]>([]);
  /** The lesson or hands-on challenge followed in the open workspace, and its step states. */
  learnStatus = $state.raw<LearnStatus | null>(null);
  /** Set when the worker cannot open the world (e.g. IndexedDB unavailable). */
  fatal = $state<string | null>(null);
  /** Wall time (ms) at which `state.now` was read, to let the simulated clock run in between. */
  stateReadAt = $state(0);
  /** Wall time, ticking once a second while the lab runs. */
  wallNow = $state(Date.now());
  /**
   * Bumped when the open workspace's desk was replaced under the scratchpad and terminal (a
   * workspace file imported): they read it again.
   */
  deskVersion = $state(0);
  readonly animator = new CallAnimator();

  readonly #api: Comlink.Remote<KmsWorkerApi>;
  readonly #worker: Worker;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #resetTrail = false;
  #lastEventAt = -Infinity;
  #burstTimer: ReturnType<typeof setTimeout> | null = null;
  /** Trail length the tail was read up to. */
  #trailEnd = 0;
  /** Call results that arrived before their call event. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #early = new Map<string, CallResult<unknown>>();
  /** Calls that arrived during a burst, not yet in `calls` (see #addCall). */
  #incoming: CallEntry[] = [];
  #incomingTimer: ReturnType<typeof setTimeout> | null = null;
  #callsLandedAt = -Infinity;

  /** `worker`: the KMS worker, when the page entry started it already (see kmsWorker.ts). */
  constructor(worker: Worker = spawnKmsWorker()) {
    this.#worker = worker;
    this.#api = Comlink.wrap<KmsWorkerApi>(this.#worker);
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
      await opened;
      await this.refresh();
      void this.#loadWorkspaces();
    } catch (e) {
      this.fatal = `The KMS world could not be opened: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** The KMS worker, for the lesson, challenge and share-link methods (src/ui/learn, src/ui/share). */
  get worker(): Comlink.Remote<KmsWorkerApi> {
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
      { principal: rootPrincipal(a.id), label: `root · ${a.id} (${a.alias})`, kind: 'root' },
      ...ids
        .filter((i) => i.accountId === a.id)
        .map((i): PrincipalChoice => ({
          principal: i.principal,
          label: `${i.kind === 'user' ? 'user' : 'role'} ${i.name} · ${a.id}`,
          kind: i.kind,
        })),
    ]);
  }

  /** Acts as `principal` from now on (console calls, IAM calls). */
  actAs(principal: Principal): void {
    this.principal = principal;
  }

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
    this.#attachResult(result);
    await this.refresh();
    return result;
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

  /** A scratchpad script's service call (`s3.putObject(…)`), as `principal` in `region`. */
  serviceScript(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    region: string,
    principal: Principal,
  ): Promise<CallResult> {
    return this.#api.service(service, operation, input, { region, principal, source: 'script' });
  }

  /**
   * A scratchpad script's call into the world around KMS (`lab.iam.createUser(…)`,
   * `lab.cloudHsm.createCluster(…)`, `lab.fault.stopHsm(…)`), as `principal` in `region`.
   */
  worldScript(
    family: 'iam' | 'cloudHsm' | 'lab',
    operation: string,
    input: Record<string, unknown>,
    region: string,
    principal: Principal,
  ): Promise<CallResult> {
    const caller = { region, principal, source: 'script' as const };
    if (family === 'iam')
      // A new user or role is someone the script may act as next (`lab.as({ principal })`).
      return this.#api.iam(operation, input, caller).then(async (r) => {
        if (r.ok) await this.refresh();
        return r;
      });
    if (family === 'cloudHsm') return this.#api.cloudHsm(operation, input, caller);
    return this.#api.lab(operation, input, caller);
  }

  /** The world operations scripts reach through `lab`. */
  worldOperations(): Promise<WorldOperationsInfo> {
    return this.#api.worldOperations();
  }

  /** The simulated clock's time (epoch ms), as a script reads it (`lab.clock.now()`). */
  clockNow(): Promise<number> {
    return this.#api.clockNow();
  }

  /** A script's clock move (`lab.clock.advance(seconds)`); the page refreshes from the events. */
  async advanceClockScript(seconds: number): Promise<CallResult<{ fired: unknown[]; now: number }>> {
    const r = await this.#api.advanceClock(seconds);
    if (!r.ok) return r;
    const now = await this.#api.clockNow();
    void this.refresh();
    return { ok: true, output: { fired: r.output.fired, now } };
  }

  /** The simulated services' resources of every account and Region, without key material. */
  serviceResources(): Promise<ServiceResourceView[]> {
    return this.#api.serviceResources();
  }

  /** The service clients scripts get (`s3`, `ec2`, …) and their methods. */
  serviceClients(): Promise<ServiceClientInfo[]> {
    return this.#api.serviceClients();
  }

  /** Runs an AWS CLI line in the workspace's shell, as the acting principal in the current Region. */
  cli(line: string): Promise<CliLineResult> {
    return this.#api.cli(line, {
      region: this.region,
      principal: $state.snapshot(this.principal) as Principal,
    });
  }

  cliComplete(line: string): Promise<{ start: number; end: number; candidates: string[] }> {
    return this.#api.cliComplete(line, this.region);
  }

  /** Puts a file into the workspace's virtual file system (for `fileb://`). */
  putFile(path: string, bytes: Uint8Array): Promise<VirtualFile> {
    return this.#api.putFile(path, Comlink.transfer(bytes, [bytes.buffer]));
  }

  listFiles(): Promise<VirtualFile[]> {
    return this.#api.listFiles();
  }

  /** Declarations of `@aws-sdk/client-kms` and the lab's globals for the scratchpad editor. */
  sdkTypes(): Promise<string> {
    return this.#api.sdkTypes();
  }

  /** Answers one SDK request from a scratchpad script (operation, JSON 1.1 body) as `principal` in `region`. */
  wire(operation: string, body: string, region: string, principal: Principal): Promise<WireReply> {
    return this.#api.wire(operation, body, { region, principal, source: 'script' });
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

  /** Rows `offset…offset+limit` (newest first) of the CloudTrail records matching `filter`. */
  trailWindow(filter: TrailFilter, offset: number, limit: number): Promise<TrailWindow> {
    return this.#api.trailWindow(filter, offset, limit);
  }

  trailFacets(): Promise<TrailFacets> {
    return this.#api.trailFacets();
  }

  /** The full record behind a trail row. */
  trailRecord(row: TrailRow): Promise<CloudTrailRecord | null> {
    return this.#api.trailRecord(row.index, row.eventID);
  }

  /** The trail bucket's log and digest files. */
  trailFiles(): Promise<TrailDeliveryState> {
    return this.#api.trailFiles();
  }

  /** Delivers log and digest files for every complete simulated hour not yet delivered. */
  deliverTrail(): Promise<TrailDeliveryState & { delivered: { logFiles: number; digestFiles: number } }> {
    return this.#api.deliverTrail();
  }

  tamperTrail(key: string, action: TamperAction): Promise<TrailDeliveryState> {
    return this.#api.tamperTrail(key, action);
  }

  /** `aws cloudtrail validate-logs` for an account and Region of the trail. */
  validateTrail(account: string, region: string): Promise<ValidateLogsResult> {
    return this.#api.validateTrail(account, region);
  }

  callById(requestId: string): CallEntry | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--)
      if (this.calls[i]!.trace.requestId === requestId) return this.calls[i];
    return undefined;
  }

  select(selection: Selection | null): void {
    this.selection = selection;
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
    this.selection = null;
    await this.refresh();
  }

  /** Opens (creating if needed) the workspace `name` and remembers it for the next visit. */
  async switchWorkspace(name: string): Promise<void> {
    await this.#api.open(name);
    try {
      localStorage.setItem(WORKSPACE_STORAGE, name);
    } catch {
      // Not remembered; nothing else depends on it.
    }
    this.selection = null;
    await this.refresh();
    await this.#loadWorkspaces();
  }

  /** Deletes a workspace: its world and its desk (script, command history, files). */
  async deleteWorkspace(name: string): Promise<void> {
    await this.#api.deleteWorkspace(name);
    forgetDesk(name);
    await this.#loadWorkspaces();
  }

  /** The open workspace, its desk included, as the text of a workspace file. */
  async exportWorkspace(): Promise<{ name: string; text: string }> {
    const { name, world, desk } = await this.#api.exportWorld();
    return { name, text: encodeWorkspaceFile(name, world, { desk }) };
  }

  /**
   * Replaces the open workspace's world with the one in a workspace file (undoable), and its desk
   * with the file's, if it has one. A file that is not valid, desk included, changes nothing.
   */
  async importWorkspace(text: string): Promise<void> {
    const file = decodeWorkspaceFile<PersistedWorld>(text);
    await this.#api.importWorld(file.world, file.desk);
    if (file.desk) this.deskVersion++;
    this.selection = null;
    await this.refresh();
  }

  // ---- the learner's desk (workers/desk.ts): what the scratchpad and terminal keep -------------

  /**
   * A workspace's script and command history from its desk; parts it has none of are taken over
   * from `legacy` (see src/ui/share/scratchpadScript.ts, which calls this).
   */
  openDesk(workspace: string, legacy?: LegacyDesk): Promise<DeskText> {
    return this.#api.deskOpen(workspace, legacy);
  }

  /** Saves a workspace's scratchpad script in its desk. */
  saveScript(workspace: string, text: string): Promise<void> {
    return this.#api.deskSaveScript(workspace, text);
  }

  /** Adds a command line to a workspace's history (the newest 200 are kept). */
  appendCliHistory(workspace: string, line: string): Promise<string[]> {
    return this.#api.deskAppendHistory(workspace, line);
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
          const from = reset ? 0 : this.#trailEnd;
          const [state, tail] = await Promise.all([this.#api.state(), this.#api.trailTail(from, TRAIL_TAIL)]);
          this.state = state;
          this.stateReadAt = Date.now();
          this.#trailEnd = tail.end;
          if (reset) {
            this.trail = tail.records;
            this.trailGeneration++;
          } else if (tail.records.length) this.trail = this.trail.concat(tail.records).slice(-TRAIL_TAIL);
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  async #loadWorkspaces() {
    this.workspaces = await this.#api.workspaces();
  }

  #attachResult(result: CallResult<unknown>) {
    const id = result.requestId;
    if (!id) return;
    const outcome = result.ok ? { response: result.output } : { error: result.error };
    const waiting = this.#incoming.findIndex((c) => c.trace.requestId === id);
    if (waiting >= 0) {
      this.#incoming[waiting] = { ...this.#incoming[waiting]!, ...outcome };
      return;
    }
    let i = this.calls.length - 1;
    while (i >= 0 && this.calls[i]!.trace.requestId !== id) i--;
    if (i < 0) {
      this.#early.set(id, result);
      return;
    }
    const next = [...this.calls];
    next[i] = { ...next[i]!, ...(result.ok ? { response: result.output } : { error: result.error }) };
    this.calls = next;
  }

  #onEvent(e: LabEvent) {
    if (e.type === 'learn') {
      this.learnStatus = e.status;
      return;
    }
    if (e.type === 'reset') {
      this.#resetTrail = true;
      if (this.selection?.kind === 'call') this.selection = null;
    } else if (e.type === 'call') {
      const early = this.#early.get(e.trace.requestId);
      this.#early.delete(e.trace.requestId);
      const entry: CallEntry = {
        trace: e.trace,
        records: e.records,
        ...(e.request ? { request: e.request } : {}),
        ...(early ? (early.ok ? { response: early.output } : { error: early.error }) : {}),
      };
      this.#addCall(entry);
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
  /** Adds a call to `calls`: at once for a lone call, at most every {@link BURST_REFRESH_MS} in a burst. */
  #addCall(entry: CallEntry) {
    this.#incoming.push(entry);
    if (this.#incomingTimer !== null) return;
    const wait = this.#callsLandedAt + BURST_REFRESH_MS - performance.now();
    if (wait <= 0) this.#landCalls();
    else this.#incomingTimer = setTimeout(() => this.#landCalls(), wait);
  }

  #landCalls() {
    this.#incomingTimer = null;
    this.#callsLandedAt = performance.now();
    const landed = this.#incoming;
    this.#incoming = [];
    this.calls = this.calls.concat(landed).slice(-CALL_LOG_LIMIT);
  }

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
