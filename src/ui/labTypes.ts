/**
 * The types the lab's UI shares: what the KMS worker answers with, and the page's own records of
 * calls and choices. Types only — importing the worker module for values would bundle the engine
 * into the page.
 */
import type { Remote } from 'comlink';
import type { CallTrace, CloudTrailRecord, Principal } from '../kms/index.ts';
import type { CallRequest, KmsErrorInfo, KmsWorkerApi } from '../../workers/kms.worker.ts';

export type { ValidateLogsResult } from '../kms/audit/index.ts';
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
  WorldOperationsInfo,
} from '../../workers/kms.worker.ts';

/** The KMS worker as the page calls it (every method answers with a promise). */
export type KmsWorkerRemote = Remote<KmsWorkerApi>;

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
