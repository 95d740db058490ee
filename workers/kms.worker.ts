/**
 * The KMS worker: hosts the engine over IndexedDB (one database per named workspace) and exposes a
 * small API to the UI through comlink. Key material stays here; only API outputs, key metadata,
 * the trail and traces cross to the page.
 *
 * This module is the API surface only; the parts behind it live beside it: the open workspace and
 * its lifecycle (workspace.ts), its undo/redo history (undoHistory.ts), calls from the page
 * (calls.ts, services.ts), the events the page hears (labEvents.ts), the state it shows
 * (labState.ts, materialUse.ts), the trail's delivery bucket (trailDelivery.ts) and the lazily
 * loaded lessons and command line (lazySides.ts). The page imports its types from here.
 */
import * as Comlink from 'comlink';
import type {
  CloudTrailRecord,
  OperationInput,
  OperationName,
  OperationOutput,
  PersistedWorld,
  ScheduledEvent,
} from '../src/kms/index.ts';
import type { ValidateLogsResult } from '../src/kms/audit/index.ts';
import type { ServiceResourceView } from '../src/kms/services/views.ts';
import type { Answer, Exam, ExamResult, Grade } from '../src/learn/index.ts';
import {
  answerWire,
  callerContext,
  toErrorInfo,
  tracked,
  type CallerInput,
  type CallResult,
  type WireReply,
} from './calls.ts';
import {
  appendDeskHistory,
  checkDesk,
  openDeskText,
  readDesk,
  replaceDesk,
  saveDeskScript,
  type DeskData,
  type DeskText,
  type LegacyDesk,
} from './desk.ts';
import { forward, listen, type LabEvent } from './labEvents.ts';
import { labState, type LabState } from './labState.ts';
import type * as LearnSide from './learnSide.ts';
import { dropShellSession, learnSide, loadedLearnSide, shell } from './lazySides.ts';
import type { CliLineResult, VirtualFile } from './runner/kmsSide.ts';
import type { WorldSpec as WorldOperationsInfo } from './runner/protocol.ts';
import { callService, serviceClients, serviceClientTypings, type ServiceClientInfo } from './services.ts';
import {
  deliverTrail,
  tamperTrail,
  trailDeliveryState,
  validateTrail,
  type TamperAction,
  type TrailDeliveryState,
} from './trailDelivery.ts';
import {
  MAX_WINDOW,
  TrailIndex,
  type TrailFacets,
  type TrailFilter,
  type TrailWindow,
} from './trailQuery.ts';
import { markChanged } from './undoHistory.ts';
import {
  DEFAULT_WORKSPACE,
  deleteWorkspace,
  deskName,
  freshName,
  isWorkspaceName,
  listWorkspaces,
  openEarly,
  ready,
  remember,
  replaceWorld,
  serial,
  startHistoryHere,
  stepHistory,
  switchTo,
} from './workspace.ts';

export type { CallerInput, CallResult, KmsErrorInfo, WireReply } from './calls.ts';
export type { DeskData, DeskFile, DeskText, LegacyDesk } from './desk.ts';
export type { CallRequest, LabEvent } from './labEvents.ts';
export type {
  GrantSummary,
  IdentitySummary,
  KeySummary,
  LabState,
  MaterialSummary,
  RegionKeys,
} from './labState.ts';
export type {
  ChallengeOutline,
  LearnCatalog,
  LearnKind,
  LearnStatus,
  LessonOutline,
  SharePreview,
} from './learnSide.ts';
export type { MaterialUse } from './materialUse.ts';
export type { CliLineResult, VirtualFile } from './runner/kmsSide.ts';
/** The world operations of a script's `lab` global: family → method → operation, and the faults. */
export type { WorldSpec as WorldOperationsInfo } from './runner/protocol.ts';
export type { ServiceClientInfo } from './services.ts';
export type { ServiceResourceView } from '../src/kms/services/views.ts';
export type { TamperAction, TrailDeliveryState, TrailFile } from './trailDelivery.ts';
export type { TrailFacets, TrailFilter, TrailRow, TrailWindow } from './trailQuery.ts';
export { HISTORY_LIMIT, type HistoryState } from './undoHistory.ts';
export { DEFAULT_WORKSPACE } from './workspace.ts';

/** The CloudTrail viewer's rows and counts, kept up as the open workspace's trail grows. */
const trailIndex = new TrailIndex();

const api = {
  /** Opens the workspace `name` (creating it), closing the one open before. */
  open(name: string = DEFAULT_WORKSPACE): Promise<LabState> {
    return serial(async () => labState(await switchTo(name)));
  },

  /** Names of the workspaces stored in this browser, the default one first. */
  workspaces(): Promise<string[]> {
    return listWorkspaces();
  },

  /** Deletes a workspace's database and its desk (not the default one, not the open one). */
  deleteWorkspace(name: string): Promise<void> {
    return deleteWorkspace(name);
  },

  // ---- the learner's desk: script, command history, files (workers/desk.ts) ------------------

  /**
   * A workspace's script and command history. Parts its desk has none of are taken over from
   * `legacy` (where an older KMS Lab kept them: the page's localStorage) and kept.
   */
  deskOpen(workspace: string, legacy?: LegacyDesk): Promise<DeskText> {
    return openDeskText(deskName(workspace), legacy);
  },

  /** Saves a workspace's scratchpad script. */
  deskSaveScript(workspace: string, text: string): Promise<void> {
    return saveDeskScript(deskName(workspace), text);
  },

  /** Adds a line to a workspace's command history (bounded); resolves with the history. */
  deskAppendHistory(workspace: string, line: string): Promise<string[]> {
    return appendDeskHistory(deskName(workspace), line);
  },

  /**
   * Calls a KMS operation. Resolves with `{ ok: true, output }` or `{ ok: false, error }` where
   * `error.code` is AWS's exception name; it never rejects for an AWS error.
   */
  call<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
    caller: CallerInput,
  ): Promise<CallResult<OperationOutput<O>>> {
    return serial(async () => {
      const o = await ready();
      return tracked(operation, input, () => o.kms.call(operation, input, callerContext(caller)));
    });
  },

  /**
   * Calls the simulated IAM API (`CreateUser`, `PutUserPolicy`, `CreateRole`, …) in the caller's
   * account; like `call`, it never rejects for an AWS error.
   */
  iam(operation: string, input: Record<string, unknown>, caller: CallerInput): Promise<CallResult> {
    return serial(async () => {
      const o = await ready();
      return tracked(`iam:${operation}`, input, () => o.kms.iam(operation, input, callerContext(caller)));
    });
  },

  /**
   * Calls the simulated AWS CloudHSM v2 API (`CreateCluster`, `CreateHsm`, `InitializeCluster`, …)
   * in the caller's account and Region; like `call`, it never rejects for an AWS error.
   */
  cloudHsm(operation: string, input: Record<string, unknown>, caller: CallerInput): Promise<CallResult> {
    return serial(async () => {
      const o = await ready();
      return tracked(`cloudhsm:${operation}`, input, () =>
        o.kms.cloudHsm(operation, input, callerContext(caller)),
      );
    });
  },

  /**
   * Runs a lab control (`ActivateCluster`, `SetKmsUserPassword`, the faults `StopHsm`,
   * `LoseAvailabilityZone`, `DisconnectCustomKeyStore`, …) as the caller's account root in its
   * Region. Traced but not logged in CloudTrail; it never rejects for an AWS error.
   */
  lab(operation: string, input: Record<string, unknown>, caller: CallerInput): Promise<CallResult> {
    return serial(async () => {
      const o = await ready();
      return tracked(`lab:${operation}`, input, async () => {
        const output = await o.kms.lab(operation, input, callerContext(caller));
        // No CloudTrail record marks the world as changed: a lab control always may have.
        markChanged();
        return output;
      });
    });
  },

  // ---- lessons, challenges, share links (workers/learnSide.ts) ------------------------------------

  /** Lesson and challenge outlines (text only) in `locale`, and the locales there are. */
  async learnCatalog(locale = 'en'): Promise<LearnSide.LearnCatalog> {
    return (await learnSide()).catalog(locale);
  },

  /**
   * Opens a NEW workspace holding the start world of a lesson or hands-on challenge (scenario, then
   * its trusted setup) and follows its steps. The workspace open before is left as it was.
   */
  startLearn(
    kind: LearnSide.LearnKind,
    id: string,
  ): Promise<{ workspace: string; status: LearnSide.LearnStatus }> {
    return serial(async () => {
      const learn = await learnSide();
      const o = await switchTo(await freshName(id));
      await learn.loadStart(o.kms, kind, id);
      await startHistoryHere(o);
      const status = await learn.attach(o.kms, o.name, kind, id, o.kms.trail().length);
      forward({ type: 'reset' });
      forward({ type: 'learn', status });
      return { workspace: o.name, status };
    });
  },

  /** Follows a lesson or challenge bound to the open workspace (after a reload or a switch). */
  attachLearn(kind: LearnSide.LearnKind, id: string, trailIndex: number): Promise<LearnSide.LearnStatus> {
    return serial(async () => {
      const [o, learn] = await Promise.all([ready(), learnSide()]);
      const status = await learn.attach(o.kms, o.name, kind, id, trailIndex);
      forward({ type: 'learn', status });
      return status;
    });
  },

  /** Stops following a lesson on the open workspace. */
  detachLearn(): Promise<void> {
    return serial(async () => {
      loadedLearnSide()?.detach();
      forward({ type: 'learn', status: null });
    });
  },

  learnStatus(): LearnSide.LearnStatus | null {
    return loadedLearnSide()?.learnStatus() ?? null;
  },

  /** Puts the active lesson's world back to its start (same workspace) with every step unmet. */
  resetLearn(): Promise<LearnSide.LearnStatus> {
    return serial(async () => {
      const status = await (await learnSide()).resetActive();
      await startHistoryHere(await ready());
      forward({ type: 'reset' });
      forward({ type: 'learn', status });
      return status;
    });
  },

  /** Replays the solution on the reset start world, call by call (`delayMs` between calls). */
  showSolution(delayMs = 500): Promise<{ status: LearnSide.LearnStatus; error?: string; calls: number }> {
    return serial(async () => {
      const r = await (
        await learnSide()
      ).replaySolution(delayMs, (status) => forward({ type: 'learn', status }));
      markChanged();
      await remember();
      forward({ type: 'learn', status: r.status });
      return r;
    });
  },

  /** Grades the open hands-on challenge on the world as it is. */
  gradeHandsOn(): Promise<Grade> {
    return serial(async () => (await learnSide()).gradeActive());
  },

  async gradeQuestion(id: string, answer: Answer): Promise<Grade> {
    return (await learnSide()).gradeQuestion(id, answer);
  },

  async drawExam(count: number, startedAt: number, seed?: number): Promise<Exam> {
    return (await learnSide()).drawExam(count, startedAt, seed);
  },

  async scoreExam(exam: Exam, answers: Record<string, { answer: Answer; at: number }>): Promise<ExamResult> {
    return (await learnSide()).scoreExam(exam, answers);
  },

  /** What a `#s=`/`#embed=` hash would load (never loads or runs anything); null for no link. */
  async previewShareLink(hash: string, locale = 'en'): Promise<LearnSide.SharePreview | null> {
    return (await learnSide()).previewLink(hash, locale);
  },

  /**
   * Loads a share link's world into a NEW workspace (its clock, its scenario; its lesson or challenge
   * followed). The script is returned as text for the scratchpad: nothing runs.
   */
  openShareLink(hash: string): Promise<{
    workspace: string;
    script?: string;
    kind?: LearnSide.LearnKind;
    id?: string;
    trailIndex: number;
  }> {
    return serial(async () => {
      const learn = await learnSide();
      const link = await learn.decodeLink(hash);
      if (!link) throw new Error('This address holds no share link.');
      const s = link.scenario;
      const o = await switchTo(await freshName(s.lessonId ?? s.challengeId ?? 'shared'));
      const trailIndex = await learn.loadWorld(o.kms, s.world, s.clock ? Date.parse(s.clock) : Date.now());
      // The new workspace's scratchpad opens with the link's script (the page's writeScript says
      // the same; this one also holds when no scratchpad is on the page, e.g. in an embed).
      if (s.script !== undefined) await saveDeskScript(o.name, s.script);
      await startHistoryHere(o);
      forward({ type: 'reset' });
      const kind = s.lessonId ? 'lesson' : s.challengeId ? 'challenge' : undefined;
      const id = s.lessonId ?? s.challengeId;
      const handsOn =
        kind === 'challenge' &&
        id &&
        learn.catalog().challenges.find((c) => c.id === id)?.kind === 'hands-on';
      if (kind && id && (kind === 'lesson' || handsOn))
        forward({ type: 'learn', status: await learn.attach(o.kms, o.name, kind, id, trailIndex) });
      return {
        workspace: o.name,
        trailIndex,
        ...(s.script !== undefined ? { script: s.script } : {}),
        ...(kind && id ? { kind, id } : {}),
      };
    });
  },

  /** A `#s=`/`#embed=` hash for the open workspace's world, `script`, active lesson and clock. */
  makeShareLink(options: {
    script?: string;
    title?: string;
    mode?: 'share' | 'embed';
  }): Promise<{ hash: string; omitted: readonly string[] }> {
    return serial(async () => (await learnSide()).makeLink((await ready()).kms, options));
  },

  /**
   * Calls a simulated AWS service that uses KMS (`s3`, `PutObject`, { … }) as the caller; the
   * service calls KMS on the caller's behalf. Like `call`, it never rejects for an AWS error; a
   * KMS denial's explanation names the missing permission. Text given for a blob member at the
   * top level (`Body`, `SecretBinary`) is sent as its UTF-8 bytes, as the SDKs do.
   */
  service(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    caller: CallerInput,
  ): Promise<CallResult> {
    return serial(async () => callService((await ready()).kms, service, operation, input, caller));
  },

  /** The simulated services' resources (buckets, objects, volumes, …) without key material. */
  async serviceResources(): Promise<ServiceResourceView[]> {
    return (await ready()).kms.serviceResources();
  },

  /** The SDK-shaped clients scripts get (`s3.putObject`, `ec2.createVolume`, …). */
  serviceClients(): ServiceClientInfo[] {
    return serviceClients();
  },

  /** The trail bucket's files and how far the trail delivered. */
  async trailFiles(): Promise<TrailDeliveryState> {
    await ready();
    return trailDeliveryState();
  },

  /** Delivers log and digest files for every complete simulated hour not delivered yet. */
  deliverTrail(): Promise<TrailDeliveryState & { delivered: { logFiles: number; digestFiles: number } }> {
    return serial(async () => deliverTrail((await ready()).kms));
  },

  /**
   * Tampers with a file in the trail bucket: `flip-byte` changes one byte of its JSON (it still
   * decompresses), `corrupt` changes a stored byte (it no longer decompresses), `delete` removes it.
   */
  tamperTrail(key: string, action: TamperAction): Promise<TrailDeliveryState> {
    return serial(async () => {
      await ready();
      return tamperTrail(key, action);
    });
  },

  /** `aws cloudtrail validate-logs` for one account and Region, from the trail's start to now. */
  validateTrail(account: string, region: string, verbose = true): Promise<ValidateLogsResult> {
    return serial(async () => validateTrail((await ready()).kms, account, region, verbose));
  },

  /** Moves simulated time forward, firing due deletions (and later rotations, expiries) in order. */
  advanceClock(seconds: number): Promise<CallResult<{ fired: ScheduledEvent[] }>> {
    return serial(async () => {
      try {
        const o = await ready();
        const fired = await o.kms.advanceClock(seconds);
        markChanged();
        await remember();
        return { ok: true as const, output: { fired } };
      } catch (e) {
        return { ok: false as const, error: toErrorInfo(e) };
      }
    });
  },

  /** Steps back to the world before the last change; false when there is none. */
  undo(): Promise<boolean> {
    return serial(() => stepHistory(-1));
  },

  redo(): Promise<boolean> {
    return serial(() => stepHistory(1));
  },

  /**
   * Replaces the open workspace's world with a fresh one (undoable). The desk stays: a learner who
   * starts the world over most likely wants to keep their script, command history and files.
   */
  reset(): Promise<void> {
    return serial(() => replaceWorld(undefined));
  },

  /**
   * The open workspace's world as plain data (material wrapped under this browser's domain key),
   * and its desk (script, command history, files).
   */
  async exportWorld(): Promise<{ name: string; world: PersistedWorld; desk: DeskData }> {
    const o = await ready();
    const [world, desk] = await Promise.all([o.kms.snapshot(), readDesk(o.name)]);
    return { name: o.name, world, desk };
  },

  /**
   * Replaces the open workspace's world with an exported one (undoable) and, when given, its desk
   * (not undoable). A desk that is not valid is refused before anything changes; without one, the
   * desk stays as it is (workspace files from before desks were kept).
   */
  importWorld(world: PersistedWorld, desk?: DeskData): Promise<void> {
    return serial(async () => {
      const checked = desk === undefined ? undefined : checkDesk(desk);
      const o = await ready();
      await replaceWorld(world);
      if (checked)
        try {
          await replaceDesk(o.name, checked);
        } finally {
          // The shell reads the files anew from the desk.
          await dropShellSession(o.name);
        }
    });
  },

  /** Keys per Region (with aliases, policy, tags), upcoming events, the simulated time and history. */
  async state(): Promise<LabState> {
    return labState(await ready());
  },

  /** CloudTrail records, oldest first, starting at index `from`. */
  async trail(from = 0): Promise<CloudTrailRecord[]> {
    const o = await ready();
    return o.kms.trail().slice(from);
  },

  /**
   * The latest CloudTrail records from index `from`, at most `max` of them (the oldest are left
   * out), and the trail's length: the page keeps a short tail, never the whole trail.
   */
  async trailTail(from: number, max: number): Promise<{ records: CloudTrailRecord[]; end: number }> {
    const trail = (await ready()).kms.trail();
    return { records: trail.slice(Math.max(from, trail.length - max, 0)), end: trail.length };
  },

  /** A window of the CloudTrail viewer: matching rows `offset…offset+limit`, newest first, and counts. */
  async trailWindow(filter: TrailFilter, offset: number, limit: number): Promise<TrailWindow> {
    return trailIndex.window((await ready()).kms.trail(), filter, offset, Math.min(limit, MAX_WINDOW));
  },

  /** The values the viewer's filters offer. */
  async trailFacets(): Promise<TrailFacets> {
    return trailIndex.facets((await ready()).kms.trail());
  },

  /** One CloudTrail record by its position (oldest is 0), if `eventID` still names it. */
  async trailRecord(index: number, eventID: string): Promise<CloudTrailRecord | null> {
    const r = (await ready()).kms.trail()[index];
    return r && r.eventID === eventID ? r : null;
  },

  /** Runs an AWS CLI line (`aws kms …`) in the open workspace's shell session. */
  cli(line: string, caller: CallerInput): Promise<CliLineResult> {
    return serial(async () => {
      const [o, { runCliLine }] = await Promise.all([ready(), shell()]);
      try {
        return await runCliLine(o.kms, o.name, line, { ...callerContext(caller), source: 'cli' });
      } finally {
        markChanged();
        await remember();
      }
    });
  },

  /** Tab completion for a command line (the word at its end). */
  async cliComplete(
    line: string,
    region: string,
  ): Promise<{ start: number; end: number; candidates: string[] }> {
    const [o, { completeCliLine }] = await Promise.all([ready(), shell()]);
    return completeCliLine(o.kms, o.name, line, region);
  },

  /** Puts a file into the workspace's virtual file system (for `fileb://` and `file://`). */
  async putFile(path: string, bytes: Uint8Array): Promise<VirtualFile> {
    const [o, { putFile }] = await Promise.all([ready(), shell()]);
    return putFile(o.name, path, bytes);
  },

  async listFiles(): Promise<VirtualFile[]> {
    const [o, { listFiles }] = await Promise.all([ready(), shell()]);
    return listFiles(o.name);
  },

  /** The scratchpad editor's declarations for `@aws-sdk/client-kms` and the lab's globals. */
  async sdkTypes(): Promise<string> {
    const { sdkDeclarations, worldDeclarations } = await shell();
    return `${sdkDeclarations()}\n${worldDeclarations()}${serviceClientTypings()}`;
  },

  /** The world operations scripts reach through `lab` (`lab.iam.createUser`, `lab.fault.stopHsm`, …). */
  async worldOperations(): Promise<WorldOperationsInfo> {
    return (await shell()).worldSpec();
  },

  /** The simulated clock's time (epoch ms). */
  async clockNow(): Promise<number> {
    return (await ready()).kms.now();
  },

  /**
   * Answers one SDK request from a scratchpad script: `TrentService.<operation>` with its JSON 1.1
   * body, as `caller`. A denial carries the authorization explanation.
   */
  wire(operation: string, body: string, caller: CallerInput): Promise<WireReply> {
    return serial(async () => answerWire((await ready()).kms, operation, body, caller));
  },

  /** Makes the same call `count` times inside this worker and returns the milliseconds taken (benchmarks). */
  repeat(
    operation: OperationName,
    input: Record<string, unknown>,
    caller: CallerInput,
    count: number,
  ): Promise<number> {
    return serial(async () => {
      const o = await ready();
      const ctx = { ...callerContext(caller), source: 'sdk' as const };
      const t0 = performance.now();
      for (let i = 0; i < count; i++)
        await o.kms.call(operation, input as OperationInput<typeof operation>, ctx);
      const ms = performance.now() - t0;
      markChanged();
      await remember();
      return ms;
    });
  },

  /**
   * Forwards every engine event (calls with their trace, trail records and, for calls made here,
   * the request; service events; clock moves; resets) to `listener`, which must be wrapped with
   * `Comlink.proxy`. Returns the unsubscribe function, also a proxy.
   */
  async subscribe(listener: (event: LabEvent) => void): Promise<(() => void) & Comlink.ProxyMarked> {
    return Comlink.proxy(listen(listener));
  },
};

/** The worker's API as the page sees it through comlink. */
export type KmsWorkerApi = typeof api;

Comlink.expose(api);

// The page names the workspace it is about to open (src/ui/kmsWorker.ts): open it now, while the
// page is still rendering, rather than when it asks.
const named = /^kms-lab:(.+)$/.exec(typeof self === 'undefined' ? '' : self.name)?.[1];
if (named && isWorkspaceName(named)) openEarly(named);
