/**
 * The lab's state as the page shows it (LabState): keys per Region with their aliases, policy, tags,
 * material versions and grants, IAM identities, CloudHSM clusters, custom key stores and XKS
 * proxies, the clock and the undo history. Built from the engine as plain data; never key material.
 */
import {
  callerForIdentity,
  REGIONS,
  type ClusterView,
  type CustomKeyStoreView,
  type Kms,
  type Principal,
  type ScheduledEvent,
  type Tag,
  type XksProxyView,
} from '../src/kms/index.ts';
import { algorithmLists } from '../src/kms/model/algorithms.ts';
import { grantOperationsFor } from '../src/kms/operations/grants.ts';
import { materialUseOf, type MaterialUse } from './materialUse.ts';
import { historyState, type HistoryState } from './undoHistory.ts';
import type { Workspace } from './workspace.ts';

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

/** One Region's keys as the console lists them. */
export interface RegionKeys {
  readonly region: string;
  readonly displayName: string;
  readonly availabilityZones: readonly string[];
  /** Newest first. */
  readonly keys: readonly KeySummary[];
}

/** What the page shows of the open workspace, taken at one instant. */
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

/** The open workspace's state as the page shows it. */
export function labState({ kms, name }: Pick<Workspace, 'kms' | 'name'>): LabState {
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
    materialUse: materialUseOf(k.arn),
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
    history: historyState(),
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
