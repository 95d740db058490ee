/**
 * The KMS worker: hosts the engine over IndexedDB (one database per named workspace) and exposes a
 * small API to the UI through comlink. Key material stays here; only API outputs, key metadata,
 * the trail and traces cross to the page.
 *
 * It also keeps the workspace's undo/redo history: a world snapshot after every call or clock move
 * that changed the world, bounded to {@link HISTORY_LIMIT} entries.
 */
import * as Comlink from 'comlink';
import {
  ACCOUNTS,
  createKms,
  isKmsError,
  REGIONS,
  rootPrincipal,
  type CallerContext,
  type CallSource,
  type CallTrace,
  type CloudTrailRecord,
  type ClusterView,
  type CustomKeyStoreView,
  type Kms,
  type KmsEvent,
  type OperationInput,
  type OperationName,
  type OperationOutput,
  type PersistedWorld,
  type Principal,
  type ScheduledEvent,
  type Tag,
  type XksProxyView,
  callerForIdentity,
} from '../src/kms/index.ts';
import { openIdbStore } from '../src/kms/store/idbStore.ts';
import { SERVICE_PREFIXES, serviceOperations, type ServiceName } from '../src/kms/services/index.ts';
import { methodName, SERVICE_CLIENTS, serviceClientDeclarations } from '../src/kms/services/clients.ts';
import type { ServiceResourceView } from '../src/kms/services/views.ts';
import { parseCiphertext } from '../src/kms/crypto/ciphertextBlob.ts';
import {
  MAX_WINDOW,
  TrailIndex,
  type TrailFacets,
  type TrailFilter,
  type TrailWindow,
} from './trailQuery.ts';
import { MirrorStore, worldOf, type WorldState } from './worldHistory.ts';
import { handleJsonRequest } from '../src/kms/protocol/jsonProtocol.ts';
import type * as LearnSide from './learnSide.ts';
import type { Answer, Exam, ExamResult, Grade } from '../src/learn/index.ts';
import type { CliLineResult, VirtualFile } from './runner/kmsSide.ts';
import {
  appendDeskHistory,
  checkDesk,
  deleteDesk,
  DESK_DB_PREFIX,
  openDeskText,
  readDesk,
  replaceDesk,
  saveDeskScript,
  type DeskData,
  type DeskText,
  type LegacyDesk,
} from './desk.ts';
import type { WorldSpec as WorldOperationsInfo } from './runner/protocol.ts';

export type { CliLineResult, VirtualFile } from './runner/kmsSide.ts';
export type { DeskData, DeskFile, DeskText, LegacyDesk } from './desk.ts';
export type { ServiceResourceView } from '../src/kms/services/views.ts';
/** The world operations of a script's `lab` global: family → method → operation, and the faults. */
export type { WorldSpec as WorldOperationsInfo } from './runner/protocol.ts';

/** A simulated service's SDK client for scripts: its variable, API prefix and methods. */
export interface ServiceClientInfo {
  /** The script's variable (`s3`, `secretsManager`). */
  readonly client: string;
  /** The API prefix (`s3`, `secretsmanager`). */
  readonly service: string;
  /** Method (`putObject`) → operation (`PutObject`). */
  readonly methods: Readonly<Record<string, string>>;
}
export type {
  ChallengeOutline,
  LearnCatalog,
  LearnKind,
  LearnStatus,
  LessonOutline,
  SharePreview,
} from './learnSide.ts';

/** A scratchpad script's SDK request, as the KMS worker answers it (the AWS JSON 1.1 wire shape). */
export interface WireReply {
  readonly status: number;
  readonly body: string;
  readonly requestId?: string;
  /** For a denial: why (the authorization explanation). */
  readonly explanation?: unknown;
}

export type { TrailFacets, TrailFilter, TrailRow, TrailWindow } from './trailQuery.ts';
import { algorithmLists } from '../src/kms/model/algorithms.ts';
import { grantOperationsFor } from '../src/kms/operations/grants.ts';
import {
  CloudTrailDelivery,
  corruptStoredByte,
  deleteObject,
  listKeys,
  tamperByte,
  type ValidateLogsResult,
} from '../src/kms/audit/index.ts';

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
export type CallResult<T = Record<string, unknown>> = (
  { readonly ok: true; readonly output: T } | { readonly ok: false; readonly error: KmsErrorInfo }
) & {
  /** The call's request ID (its trace and CloudTrail record carry the same), when it reached the engine. */
  readonly requestId?: string;
};

/** Who calls. Defaults: the root user of the lab's own account, from the console. */
export interface CallerInput {
  readonly region: string;
  readonly principal?: Principal;
  readonly source?: CallSource;
}

/** A key as the console shows it: metadata, aliases, policy, tags and material versions; no material. */
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
  readonly policy: string;
  readonly tags: readonly Tag[];
  /** Key material versions, oldest first (IDs, dates, rotation and import state; never material). */
  readonly materials: readonly MaterialSummary[];
  readonly currentMaterialId?: string;
  /**
   * Per KeyMaterialId: the calls this worker answered that encrypted or decrypted with it (CloudTrail
   * never names the material, so it is counted from call outputs) since the workspace was opened.
   */
  readonly materialUse: Readonly<Record<string, MaterialUse>>;
  /** Symmetric keys: rotation settings (absent until rotation was first enabled). */
  readonly rotation?: {
    readonly enabled: boolean;
    readonly periodDays: number;
    readonly nextRotationDate?: number;
    readonly onDemandCount: number;
  };
  /** EXTERNAL keys: the outstanding GetParametersForImport (no token, no private key). */
  readonly importParameters?: {
    readonly wrappingAlgorithm: string;
    readonly wrappingKeySpec: string;
    readonly validTo: number;
  };
  /** Multi-Region keys: primary/replica designations and any transition in progress. */
  readonly multiRegionInfo?: {
    readonly type: 'PRIMARY' | 'REPLICA';
    readonly primaryRegion: string;
    readonly replicaRegions: readonly string[];
    readonly pendingUntil?: number;
    readonly pendingState?: string;
    readonly pendingPrimaryRegion?: string;
  };
  /** The algorithm lists DescribeKey returns for this key (`SigningAlgorithms`, `MacAlgorithms`, …). */
  readonly algorithms: Readonly<Record<string, readonly string[]>>;
  /** Grant operations valid for this key's spec and usage. */
  readonly grantOperations: readonly string[];
  /** Grants on the key, oldest first. */
  readonly grants: readonly GrantSummary[];
}

/** One version of a key's material as the console shows it. */
export interface MaterialSummary {
  readonly id: string;
  readonly createdAt: number;
  /** How it became current, and when (absent for the key's first material). */
  readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
  readonly rotationDate?: number;
  /** Imported material (Origin EXTERNAL). */
  readonly imported?: {
    readonly importState: 'IMPORTED' | 'PENDING_IMPORT';
    readonly pendingRotation?: boolean;
    readonly expirationModel?: string;
    readonly validTo?: number;
    readonly description?: string;
  };
}

/** Calls seen with one key material: ciphertexts it made (Encrypt, GenerateDataKey*, ReEncrypt) and decrypts. */
export interface MaterialUse {
  readonly encrypted: number;
  readonly decrypted: number;
}

/** A grant as the console shows it (what ListGrants returns, as plain data). */
export interface GrantSummary {
  readonly grantId: string;
  readonly name?: string;
  readonly createdAt: number;
  readonly granteePrincipal?: string;
  readonly retiringPrincipal?: string;
  readonly issuingAccount: string;
  readonly operations: readonly string[];
  readonly constraints?: {
    readonly EncryptionContextEquals?: Readonly<Record<string, string>>;
    readonly EncryptionContextSubset?: Readonly<Record<string, string>>;
  };
}

/** An IAM user or role as the console shows it: its policies and the principal to act as it. */
export interface IdentitySummary {
  readonly kind: 'user' | 'role';
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly createdAt: number;
  /** Inline policy name → JSON document. */
  readonly inlinePolicies: Readonly<Record<string, string>>;
  readonly attachedPolicies: readonly string[];
  /** Roles: the trust policy. */
  readonly assumeRolePolicyDocument?: string;
  /** Who calls when acting as this identity (a role: its `KMSLab` session). */
  readonly principal: Principal;
}

/** A file in the trail's S3 bucket. */
export interface TrailFile {
  readonly key: string;
  readonly kind: 'log' | 'digest';
  readonly account: string;
  readonly region: string;
  /** Stored (gzip) size in bytes. */
  readonly size: number;
  /** Simulated epoch ms. */
  readonly lastModified: number;
}

/** The trail's delivery state: its bucket's files and how far it delivered. */
export interface TrailDeliveryState {
  readonly bucket: string;
  readonly trailName: string;
  readonly files: readonly TrailFile[];
  /** Every hour before this (epoch ms) has been delivered; undefined before the first delivery. */
  readonly deliveredUpTo?: number;
  /** Start of the first delivered hour. */
  readonly startTime?: number;
}

export type TamperAction = 'flip-byte' | 'corrupt' | 'delete';

export interface RegionKeys {
  readonly region: string;
  readonly displayName: string;
  readonly availabilityZones: readonly string[];
  /** Newest first. */
  readonly keys: readonly KeySummary[];
}

export interface HistoryState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Snapshots kept (the current world included). */
  readonly size: number;
}

export interface LabState {
  /** The open workspace's name. */
  readonly workspace: string;
  /** Simulated time when the state was taken, epoch ms. */
  readonly now: number;
  readonly regions: readonly RegionKeys[];
  /** Scheduled events still to come, soonest first. */
  readonly upcoming: readonly ScheduledEvent[];
  /** Number of CloudTrail records so far (for `trail(from)`). */
  readonly trailLength: number;
  readonly history: HistoryState;
  /** IAM users and roles of every account. */
  readonly identities: readonly IdentitySummary[];
  /** CloudHSM clusters of every account and Region, their HSMs by AZ (material IDs only). */
  readonly clusters: readonly ClusterView[];
  /** Custom key stores of every account and Region (no password, no XKS secret). */
  readonly customKeyStores: readonly CustomKeyStoreView[];
  /** Simulated XKS proxies and their external keys (no secrets, no material). */
  readonly xksProxies: readonly XksProxyView[];
}

/**
 * What the page hears: the engine's events; a call made through this worker also carries its
 * request (operation and input) so the page can show it.
 */
export type LabEvent =
  | (Extract<KmsEvent, { type: 'call' }> & { readonly request?: CallRequest })
  | Exclude<KmsEvent, { type: 'call' }>
  /** The active lesson's or challenge's steps changed (or it was closed: `null`). */
  | { readonly type: 'learn'; readonly status: LearnSide.LearnStatus | null };

export interface CallRequest {
  readonly operation: string;
  readonly input: unknown;
}

/** The default workspace keeps the database name the lab has always used. */
export const DEFAULT_WORKSPACE = 'default';
const DB_PREFIX = 'kms-lab:ws:';
const dbNameOf = (workspace: string) => (workspace === DEFAULT_WORKSPACE ? 'kms-lab' : DB_PREFIX + workspace);
export const HISTORY_LIMIT = 30;
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/;

interface Open {
  readonly name: string;
  readonly kms: Kms;
  readonly store: MirrorStore;
  readonly off: () => void;
}

let open: Open | null = null;
let opening: Promise<Open> | null = null;
const listeners = new Set<(e: LabEvent) => void>();
/** The call this worker is running (calls run one at a time), so its event can carry its request. */
let current: { request: CallRequest; trace?: CallTrace } | null = null;
let queue: Promise<unknown> = Promise.resolve();
/**
 * Undo history: the world without its trail at each point, and the trail of its timeline (shared
 * by reference between the entries of one timeline; each entry knows its length). See worldHistory.ts.
 */
let history: { readonly world: WorldState; readonly trail: readonly CloudTrailRecord[] }[] = [];
let historyIndex = 0;
const trailIndex = new TrailIndex();
/** Set when an event changed the world since the last history snapshot. */
let dirty = false;

function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

type LearnModule = typeof LearnSide;
/** Lessons and challenges (set once loaded): the world opens without waiting for them. */
let learnLoaded: LearnModule | null = null;
let learnLoading: Promise<LearnModule> | null = null;
function learnSide(): Promise<LearnModule> {
  return (learnLoading ??= import('./learnSide.ts').then((m) => (learnLoaded = m)));
}

/** The command line and the scratchpad's typings, loaded when first used. */
let shellLoading: Promise<typeof import('./runner/kmsSide.ts')> | null = null;
const shell = () => (shellLoading ??= import('./runner/kmsSide.ts'));

/** Forgets a workspace's shell session (if the shell was loaded): its files are read anew from the desk. */
async function dropShellSession(workspace: string) {
  if (shellLoading) (await shellLoading).dropSession(workspace);
}

/** A workspace name the page sends for a desk (any workspace, open or not). */
function deskName(workspace: string): string {
  if (typeof workspace !== 'string' || !WORKSPACE_NAME.test(workspace))
    throw new Error(`"${String(workspace)}" is not a valid workspace name.`);
  return workspace;
}

function forward(e: LabEvent) {
  for (const l of listeners) l(e);
}

function onEngineEvent(e: KmsEvent) {
  if (e.type === 'call') {
    if (e.trace.outcome === 'success' && e.records.some((r) => !r.readOnly)) dirty = true;
    // A service call's own KMS calls (viaService) come first; the request belongs to the service call.
    if (current && !current.trace && !e.trace.viaService) {
      current.trace = e.trace;
      forward({ ...e, request: current.request });
      return;
    }
  } else if (e.type === 'serviceEvent') dirty = true;
  forward(e);
}

async function sharedDomainKey(): Promise<CryptoKey> {
  const store = await openIdbStore(dbNameOf(DEFAULT_WORKSPACE));
  try {
    return await store.domainKey();
  } finally {
    store.close();
  }
}

/** Key ARN → KeyMaterialId → calls seen with that material (see {@link KeySummary.materialUse}). */
const materialUse = new Map<string, Map<string, MaterialUse>>();

function countUse(arn: unknown, materialId: unknown, field: keyof MaterialUse) {
  if (typeof arn !== 'string' || typeof materialId !== 'string' || !materialId) return;
  let byMaterial = materialUse.get(arn);
  if (!byMaterial) materialUse.set(arn, (byMaterial = new Map()));
  const was = byMaterial.get(materialId) ?? { encrypted: 0, decrypted: 0 };
  byMaterial.set(materialId, { ...was, [field]: was[field] + 1 });
}

const SEALING_OPERATIONS = new Set([
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

/**
 * The material a symmetric ciphertext names in its header (Encrypt's response has no KeyMaterialId;
 * the ciphertext itself says which version sealed it). Undefined for anything else.
 */
function sealedMaterialId(blob: unknown): string | undefined {
  if (!(blob instanceof Uint8Array)) return undefined;
  try {
    return parseCiphertext(blob).materialId;
  } catch {
    return undefined;
  }
}

/** Counts which material a successful call's output says it used (`KeyMaterialId` and kin). */
function tallyMaterial<T>(operation: string, output: T): T {
  const o = output as Record<string, unknown>;
  if (SEALING_OPERATIONS.has(operation))
    countUse(o.KeyId, o.KeyMaterialId ?? sealedMaterialId(o.CiphertextBlob), 'encrypted');
  else if (operation === 'Decrypt') countUse(o.KeyId, o.KeyMaterialId, 'decrypted');
  else if (operation === 'ReEncrypt') {
    countUse(o.SourceKeyId, o.SourceKeyMaterialId, 'decrypted');
    countUse(o.KeyId, o.DestinationKeyMaterialId, 'encrypted');
  }
  return output;
}

/** The engine with its call outputs tallied per key material (console, CLI, scripts alike). */
function tallying(kms: Kms): Kms {
  return {
    ...kms,
    call: (async (operation: string, input: unknown, caller?: CallerContext) =>
      tallyMaterial(
        operation,
        await kms.call(operation as OperationName, input as never, caller),
      )) as Kms['call'],
    send: async (operation, input, caller) =>
      tallyMaterial(operation, await kms.send(operation, input, caller)),
  };
}

async function openWorkspace(name: string): Promise<Open> {
  const store = new MirrorStore(
    await openIdbStore(
      dbNameOf(name),
      name === DEFAULT_WORKSPACE ? {} : { domainKey: await sharedDomainKey() },
    ),
  );
  const kms = tallying(await createKms({ store, clockRunning: true }));
  materialUse.clear();
  const off = kms.onEvent(onEngineEvent);
  history = [{ world: store.state, trail: kms.trail() }];
  historyIndex = 0;
  dirty = false;
  return { name, kms, store, off };
}

/** The workspace `opening` opens. */
let openingName: string | null = null;

function startOpening(name: string): Promise<Open> {
  openingName = name;
  return (opening = openWorkspace(name));
}

async function ready(): Promise<Open> {
  return open ?? opening ?? startOpening(DEFAULT_WORKSPACE);
}

/** Re-checks the active lesson's steps after a call or event, telling the page when they changed. */
async function checkLearn() {
  const learn = learnLoaded;
  if (!learn) return;
  try {
    if (await learn.check()) forward({ type: 'learn', status: learn.learnStatus() });
  } catch (e) {
    console.error(e);
  }
}

async function remember() {
  await checkLearn();
  if (!dirty || !open) return;
  dirty = false;
  if (open.store.unsure) open.store.resync(await open.kms.snapshot());
  const entry = { world: open.store.state, trail: open.kms.trail() };
  history = [...history.slice(0, historyIndex + 1), entry].slice(-HISTORY_LIMIT);
  historyIndex = history.length - 1;
}

/**
 * Runs one call from the page with its request remembered (so the call's event carries it) and
 * turns an AWS error into a result the page can read: calls from the page never reject.
 */
async function tracked<T>(
  operation: string,
  input: unknown,
  invoke: () => Promise<T>,
): Promise<CallResult<T>> {
  current = { request: { operation, input } };
  const mine = current;
  try {
    return { ok: true as const, output: await invoke(), requestId: mine.trace?.requestId };
  } catch (e) {
    return { ok: false as const, error: toErrorInfo(e), requestId: mine.trace?.requestId };
  } finally {
    current = null;
    await remember();
  }
}

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
    principal: caller.principal ?? rootPrincipal(ACCOUNTS[0]!.id),
    region: caller.region,
    source: caller.source ?? 'console',
  };
}

function labState({ kms, name }: Open): LabState {
  const aliases = kms.aliases();
  const summaries: KeySummary[] = kms.keys().map((k) => ({
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
    policy: k.policy,
    tags: k.tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
    materials: k.materials.map((m) => ({
      id: m.id,
      createdAt: m.createdAt,
      ...(m.rotationType ? { rotationType: m.rotationType } : {}),
      ...(m.rotationDate === undefined ? {} : { rotationDate: m.rotationDate }),
      ...(m.imported ? { imported: { ...m.imported } } : {}),
    })),
    ...(k.currentMaterialId === undefined ? {} : { currentMaterialId: k.currentMaterialId }),
    materialUse: Object.fromEntries(materialUse.get(k.arn) ?? []),
    ...(k.rotation ? { rotation: { ...k.rotation } } : {}),
    ...(k.importParameters
      ? {
          importParameters: {
            wrappingAlgorithm: k.importParameters.wrappingAlgorithm,
            wrappingKeySpec: k.importParameters.wrappingKeySpec,
            validTo: k.importParameters.validTo,
          },
        }
      : {}),
    ...(k.multiRegionInfo
      ? { multiRegionInfo: { ...k.multiRegionInfo, replicaRegions: [...k.multiRegionInfo.replicaRegions] } }
      : {}),
    algorithms: algorithmLists(k.keySpec, k.keyUsage),
    grantOperations: grantOperationsFor(k),
    grants: (k.grants ?? []).map((g) => ({
      grantId: g.grantId,
      ...(g.name ? { name: g.name } : {}),
      createdAt: g.createdAt,
      ...((g.granteePrincipal ?? g.granteeServicePrincipal)
        ? { granteePrincipal: g.granteePrincipal ?? g.granteeServicePrincipal }
        : {}),
      ...((g.retiringPrincipal ?? g.retiringServicePrincipal)
        ? { retiringPrincipal: g.retiringPrincipal ?? g.retiringServicePrincipal }
        : {}),
      issuingAccount: g.issuingAccount,
      operations: [...g.operations],
      ...(g.constraints ? { constraints: structuredClone(g.constraints) } : {}),
    })),
  }));
  return {
    workspace: name,
    now: kms.now(),
    regions: REGIONS.map((r) => ({
      region: r.name,
      displayName: r.displayName,
      availabilityZones: r.availabilityZones,
      keys: summaries.filter((k) => k.region === r.name).sort((a, b) => b.createdAt - a.createdAt),
    })),
    upcoming: kms.upcoming(),
    trailLength: kms.trail().length,
    history: { canUndo: historyIndex > 0, canRedo: historyIndex < history.length - 1, size: history.length },
    identities: identitySummaries(kms),
    clusters: kms.clusters(),
    customKeyStores: kms.customKeyStores(),
    xksProxies: kms.xksProxies(),
  };
}

function identitySummaries(kms: Kms): IdentitySummary[] {
  const out: IdentitySummary[] = [];
  for (const i of kms.identities()) {
    if (i.kind === 'policy') continue;
    out.push({
      kind: i.kind,
      arn: i.arn,
      accountId: i.accountId,
      name: i.name,
      createdAt: i.createdAt,
      inlinePolicies: { ...i.inlinePolicies },
      attachedPolicies: [...i.attachedPolicies],
      ...(i.kind === 'role' ? { assumeRolePolicyDocument: i.assumeRolePolicyDocument } : {}),
      principal: callerForIdentity(i, { sessionName: ROLE_SESSION }).principal,
    });
  }
  return out.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.arn.localeCompare(b.arn));
}

/** The session name the console uses when acting as a role. */
const ROLE_SESSION = 'KMSLab';

/**
 * The open workspace's CloudTrail trail delivering to a simulated S3 bucket. Kept in memory only
 * (a new one per open workspace): its files are evidence to validate and tamper with, not world state.
 */
let delivery: CloudTrailDelivery | null = null;
const trailDelivery = () => (delivery ??= new CloudTrailDelivery());

function trailDeliveryState(): TrailDeliveryState {
  const d = trailDelivery();
  const files = listKeys(d.bucket).map((key): TrailFile => {
    const o = d.bucket.objects.get(key)!;
    const m = /AWSLogs\/(\d{12})\/CloudTrail(-Digest)?\/([a-z0-9-]+)\//.exec(key);
    return {
      key,
      kind: m?.[2] ? 'digest' : 'log',
      account: m?.[1] ?? '',
      region: m?.[3] ?? '',
      size: o.body.length,
      lastModified: o.lastModified,
    };
  });
  const first = files.length ? Math.min(...files.map((f) => f.lastModified)) : undefined;
  return {
    bucket: d.bucket.name,
    trailName: d.trailName,
    files,
    ...(d.deliveredUpTo === undefined ? {} : { deliveredUpTo: d.deliveredUpTo }),
    ...(first === undefined ? {} : { startTime: Math.floor((first - 1) / 3_600_000) * 3_600_000 }),
  };
}

/** Opens the workspace `name` (creating it), closing the one open before (inside `serial`). */
async function switchTo(name: string): Promise<Open> {
  if (!WORKSPACE_NAME.test(name)) throw new Error(`"${name}" is not a valid workspace name.`);
  if (open?.name === name) return open;
  if (!open && opening && openingName === name) return (open = await opening);
  const previous = open ?? (opening ? await opening : null);
  previous?.off();
  previous?.store.close();
  if (learnLoaded?.learnStatus()) {
    learnLoaded.detach();
    forward({ type: 'learn', status: null });
  }
  open = null;
  open = await startOpening(name);
  delivery = null;
  forward({ type: 'reset' });
  return open;
}

/** A workspace name not used yet in this browser: `base`, else `base-2`, `base-3`, … */
async function freshName(base: string): Promise<string> {
  const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
  const taken = new Set(dbs.map((d) => d.name ?? ''));
  const stem = base.replace(/[^A-Za-z0-9 _.-]/g, '-').slice(0, 34) || 'workspace';
  for (let i = 1; ; i++) {
    const name = i === 1 ? stem : `${stem}-${i}`;
    // A desk left without its world (see desk.ts) would otherwise come with the new workspace.
    if (!taken.has(dbNameOf(name)) && !taken.has(DESK_DB_PREFIX + name) && name !== open?.name) return name;
  }
}

/** After a start world was loaded: it is the first entry of the undo history. */
async function startHistoryHere(o: Open) {
  if (o.store.unsure) o.store.resync(await o.kms.snapshot());
  materialUse.clear();
  history = [{ world: o.store.state, trail: o.kms.trail() }];
  historyIndex = 0;
  dirty = false;
}

async function replaceWorld(world: PersistedWorld | undefined) {
  const o = await ready();
  await o.kms.restore(world);
}

/** Moves along the history to `index`: the world as it was there, its trail cut (or regrown) to match. */
async function travelTo(index: number) {
  const o = await ready();
  const here = history[historyIndex]!;
  const target = history[index]!;
  // On one timeline, the stored records before both points are the same: IndexedDB keeps them.
  o.store.keepTrail =
    here.trail === target.trail ? Math.min(here.world.trailLength, target.world.trailLength) : 0;
  historyIndex = index;
  await o.kms.restore(worldOf(target.world, target.trail));
}

const api = {
  /** Opens the workspace `name` (creating it), closing the one open before. */
  open(name: string = DEFAULT_WORKSPACE): Promise<LabState> {
    return serial(async () => labState(await switchTo(name)));
  },

  /** Names of the workspaces stored in this browser, the default one first. */
  async workspaces(): Promise<string[]> {
    const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
    const names = dbs
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith(DB_PREFIX))
      .map((n) => n.slice(DB_PREFIX.length))
      .sort();
    const openName = open?.name;
    if (openName && openName !== DEFAULT_WORKSPACE && !names.includes(openName)) names.push(openName);
    return [DEFAULT_WORKSPACE, ...names];
  },

  /** Deletes a workspace's database and its desk (not the default one, not the open one). */
  async deleteWorkspace(name: string): Promise<void> {
    if (name === DEFAULT_WORKSPACE || name === open?.name)
      throw new Error('Switch to another workspace before deleting this one.');
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.deleteDatabase(dbNameOf(name));
      r.onsuccess = () => resolve();
      r.onerror = () => reject(new Error(r.error?.message ?? 'delete failed'));
    });
    await dropShellSession(name);
    if (WORKSPACE_NAME.test(name)) await deleteDesk(name);
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
        dirty = true;
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
      learnLoaded?.detach();
      forward({ type: 'learn', status: null });
    });
  },

  learnStatus(): LearnSide.LearnStatus | null {
    return learnLoaded?.learnStatus() ?? null;
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
      dirty = true;
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
  async previewShareLink(hash: string): Promise<LearnSide.SharePreview | null> {
    return (await learnSide()).previewLink(hash);
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
    return serial(async () => {
      const o = await ready();
      const name = `${service}:${operation}`;
      const spec = serviceOperations.find((s) => s.name === name);
      if (!(SERVICE_PREFIXES as readonly string[]).includes(service) || !spec)
        return {
          ok: false as const,
          error: { code: 'UnknownOperationException', message: `The lab simulates no ${name}.` },
        };
      const body: Record<string, unknown> =
        input && typeof input === 'object' && !Array.isArray(input) ? { ...input } : {};
      for (const [k, shape] of Object.entries(spec.input.members))
        if (shape.type === 'blob' && typeof body[k] === 'string')
          body[k] = new TextEncoder().encode(body[k] as string);
      return tracked(name, body, () =>
        o.kms.service(service as ServiceName, operation, body, callerContext(caller)),
      );
    });
  },

  /** The simulated services' resources (buckets, objects, volumes, …) without key material. */
  async serviceResources(): Promise<ServiceResourceView[]> {
    return (await ready()).kms.serviceResources();
  },

  /** The SDK-shaped clients scripts get (`s3.putObject`, `ec2.createVolume`, …). */
  serviceClients(): ServiceClientInfo[] {
    return SERVICE_PREFIXES.map((service) => ({
      client: SERVICE_CLIENTS[service],
      service,
      methods: Object.fromEntries(
        serviceOperations
          .filter((s) => s.name.startsWith(`${service}:`))
          .map((s) => {
            const action = s.name.slice(service.length + 1);
            return [methodName(action), action];
          }),
      ),
    }));
  },

  /** The trail bucket's files and how far the trail delivered. */
  async trailFiles(): Promise<TrailDeliveryState> {
    await ready();
    return trailDeliveryState();
  },

  /** Delivers log and digest files for every complete simulated hour not delivered yet. */
  deliverTrail(): Promise<TrailDeliveryState & { delivered: { logFiles: number; digestFiles: number } }> {
    return serial(async () => {
      const o = await ready();
      const report = await trailDelivery().deliverLogs(o.kms.trail(), o.kms.now());
      return {
        ...trailDeliveryState(),
        delivered: { logFiles: report.logFiles.length, digestFiles: report.digestFiles.length },
      };
    });
  },

  /**
   * Tampers with a file in the trail bucket: `flip-byte` changes one byte of its JSON (it still
   * decompresses), `corrupt` changes a stored byte (it no longer decompresses), `delete` removes it.
   */
  tamperTrail(key: string, action: TamperAction): Promise<TrailDeliveryState> {
    return serial(async () => {
      await ready();
      const bucket = trailDelivery().bucket;
      if (!bucket.objects.has(key)) throw new Error(`No such file: ${key}`);
      if (action === 'delete') deleteObject(bucket, key);
      else if (action === 'corrupt') corruptStoredByte(bucket, key, 12);
      // A byte in the middle of the JSON: a digit or letter of some value, never the outer braces.
      else await tamperByte(bucket, key, -20);
      return trailDeliveryState();
    });
  },

  /** `aws cloudtrail validate-logs` for one account and Region, from the trail's start to now. */
  validateTrail(account: string, region: string, verbose = true): Promise<ValidateLogsResult> {
    return serial(async () => {
      const o = await ready();
      const d = trailDelivery();
      const start = trailDeliveryState().startTime ?? o.kms.now();
      return d.validateLogs({ startTime: start, now: o.kms.now(), account, region, verbose });
    });
  },

  /** Moves simulated time forward, firing due deletions (and later rotations, expiries) in order. */
  advanceClock(seconds: number): Promise<CallResult<{ fired: ScheduledEvent[] }>> {
    return serial(async () => {
      try {
        const o = await ready();
        const fired = await o.kms.advanceClock(seconds);
        dirty = true;
        await remember();
        return { ok: true as const, output: { fired } };
      } catch (e) {
        return { ok: false as const, error: toErrorInfo(e) };
      }
    });
  },

  /** Steps back to the world before the last change; false when there is none. */
  undo(): Promise<boolean> {
    return serial(async () => {
      if (historyIndex === 0) return false;
      await travelTo(historyIndex - 1);
      return true;
    });
  },

  redo(): Promise<boolean> {
    return serial(async () => {
      if (historyIndex >= history.length - 1) return false;
      await travelTo(historyIndex + 1);
      return true;
    });
  },

  /**
   * Replaces the open workspace's world with a fresh one (undoable). The desk stays: a learner who
   * starts the world over most likely wants to keep their script, command history and files.
   */
  reset(): Promise<void> {
    return serial(async () => {
      await replaceWorld(undefined);
      materialUse.clear();
      delivery = null;
      dirty = true;
      await remember();
    });
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
      materialUse.clear();
      delivery = null;
      dirty = true;
      await remember();
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
        dirty = true;
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
    return `${sdkDeclarations()}\n${worldDeclarations()}${SERVICE_GLOBALS}${serviceClientDeclarations()}`;
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
    return serial(async () => {
      const o = await ready();
      let input: unknown;
      try {
        input = JSON.parse(body);
      } catch {
        input = body;
      }
      current = { request: { operation, input } };
      const mine = current;
      try {
        const out = await handleJsonRequest(o.kms, {
          target: `TrentService.${operation}`,
          body,
          caller: { ...callerContext(caller), source: caller.source ?? 'script' },
        });
        const trace = mine.trace;
        return {
          status: out.status,
          body: out.body,
          ...(trace ? { requestId: trace.requestId } : {}),
          ...(trace?.outcome === 'denied' && trace.authorization
            ? { explanation: structuredClone(trace.authorization.explanation) }
            : {}),
        };
      } finally {
        current = null;
        await remember();
      }
    });
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
      dirty = true;
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
    const l = (event: LabEvent) => {
      Promise.resolve(listener(event)).catch(() => listeners.delete(l));
    };
    listeners.add(l);
    return Comlink.proxy(() => {
      listeners.delete(l);
    });
  },
};

export type KmsWorkerApi = typeof api;

const SERVICE_GLOBALS = `
/*
 * SDK-shaped clients of the simulated AWS services that use KMS, acting like \`kms\` (the lab's
 * Region and principal): \`await s3.putObject({ Bucket, Key, Body: 'text' })\`. Each service calls
 * KMS on your behalf (kms:ViaService), so you need both its permission and the KMS key's.
 */
`;

Comlink.expose(api);

// The page names the workspace it is about to open (src/ui/kmsWorker.ts): open it now, while the
// page is still rendering, rather than when it asks.
const named = /^kms-lab:(.+)$/.exec(typeof self === 'undefined' ? '' : self.name)?.[1];
if (named && WORKSPACE_NAME.test(named)) {
  const early = startOpening(named);
  early.catch(() => {
    if (opening === early) opening = openingName = null;
  });
}
