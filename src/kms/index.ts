/**
 * KMS Lab's engine: a faithful, pure-TypeScript model of AWS KMS.
 *
 * ```ts
 * const kms = await createKms({ store: new MemoryStore() });
 * const { KeyMetadata } = await kms.call('CreateKey', {});
 * ```
 * Inputs and outputs are the shapes of `@aws-sdk/client-kms` (blobs as Uint8Array, timestamps as
 * Date); failures reject with a {@link KmsError} carrying AWS's exception name and message.
 */
import type * as K from '@aws-sdk/client-kms';
import { xksProxies } from './xks/model.ts';
import { xksProxyView, type XksProxyView } from './xks/views.ts';
import type { Authorizer } from './access/authorizer.ts';
import { KmsEngine, type KmsEvent, type KeyView } from './engine.ts';
import { createRegistry } from './operations/index.ts';
import type { IdentityRecord } from './iam/model.ts';
import { iamOperations } from './iam/operations.ts';
import {
  isServiceOperation,
  SERVICE_PREFIXES,
  serviceOperations,
  type ServiceName,
} from './services/index.ts';
import { serviceResourceViews, type ServiceResourceView } from './services/views.ts';
import { customKeyStoreConnection } from './cloudhsm/keyStores.ts';
import { cloudHsmLabOperations } from './cloudhsm/labOperations.ts';
import { CLUSTER_KIND, KEY_STORE_KIND, type ClusterData, type CustomKeyStoreData } from './cloudhsm/model.ts';
import { cloudHsmOperations } from './cloudhsm/operations.ts';
import {
  clusterView,
  customKeyStoreView,
  type ClusterView,
  type CustomKeyStoreView,
} from './cloudhsm/views.ts';
import { callerForIdentity, userForAccessKey, userPrincipal } from './iam/principals.ts';
import type { KmsStore, PersistedWorld } from './store/store.ts';
import { DEFAULT_ACCOUNT } from './world/accounts.ts';
import { keyDeletion } from './world/keyDeletion.ts';
import { importedMaterialExpiry } from './world/importedMaterialExpiry.ts';
import { keyRotation } from './world/keyRotation.ts';
import { multiRegionTransitions } from './world/multiRegionTransitions.ts';
import { rootPrincipal, type CallerContext } from './world/principal.ts';
import { DEFAULT_REGION } from './world/regions.ts';
import type { ScheduledEvent } from './world/scheduler.ts';

export { KmsError, isKmsError } from './errors.ts';
export { MemoryStore } from './store/memoryStore.ts';
export type { KmsStore, PersistedWorld, Commit } from './store/store.ts';
export type { KmsEvent, KeyView } from './engine.ts';
export type { CloudTrailRecord } from './audit/cloudTrail.ts';
export * from './audit/index.ts';
export type { CallTrace, TraceHop } from './audit/trace.ts';
export type { ScheduledEvent } from './world/scheduler.ts';
export type { CallerContext, Principal, CallSource } from './world/principal.ts';
export { rootPrincipal } from './world/principal.ts';
export { ACCOUNTS, DEFAULT_ACCOUNT } from './world/accounts.ts';
export { REGIONS, DEFAULT_REGION } from './world/regions.ts';
export type { AliasRecord, KeyRecord, Tag } from './model/key.ts';
export type { GrantRecord } from './model/grant.ts';
export type { IdentityRecord, IamUserRecord, IamRoleRecord, IamManagedPolicyRecord } from './iam/model.ts';
export {
  assumedRolePrincipal,
  servicePrincipal,
  userPrincipal,
  callerForIdentity,
} from './iam/principals.ts';
export type { AccessExplanation, DecidingRule } from './access/evaluate.ts';
export * as services from './services/index.ts';
export type { ServiceName } from './services/index.ts';
export type * from './services/views.ts';
export type { ClusterView, HsmView, CustomKeyStoreView } from './cloudhsm/views.ts';
export { CLOUDHSM_FAULTS, type CloudHsmFault } from './cloudhsm/labOperations.ts';
export { XKS_FAULTS, type XksFault } from './xks/labOperations.ts';
export type { XksProxyView } from './xks/views.ts';
export * from './scenario/index.ts';

/** Every operation with its request and response types, as `@aws-sdk/client-kms` names them. */
export interface KmsOperations {
  CreateKey: [K.CreateKeyRequest, K.CreateKeyResponse];
  DescribeKey: [K.DescribeKeyRequest, K.DescribeKeyResponse];
  ListKeys: [K.ListKeysRequest, K.ListKeysResponse];
  EnableKey: [K.EnableKeyRequest, Record<string, never>];
  DisableKey: [K.DisableKeyRequest, Record<string, never>];
  ScheduleKeyDeletion: [K.ScheduleKeyDeletionRequest, K.ScheduleKeyDeletionResponse];
  CancelKeyDeletion: [K.CancelKeyDeletionRequest, K.CancelKeyDeletionResponse];
  UpdateKeyDescription: [K.UpdateKeyDescriptionRequest, Record<string, never>];
  GetKeyLastUsage: [K.GetKeyLastUsageRequest, K.GetKeyLastUsageResponse];
  Encrypt: [K.EncryptRequest, K.EncryptResponse];
  Decrypt: [K.DecryptRequest, K.DecryptResponse];
  ReEncrypt: [K.ReEncryptRequest, K.ReEncryptResponse];
  GenerateDataKey: [K.GenerateDataKeyRequest, K.GenerateDataKeyResponse];
  GenerateDataKeyWithoutPlaintext: [
    K.GenerateDataKeyWithoutPlaintextRequest,
    K.GenerateDataKeyWithoutPlaintextResponse,
  ];
  GenerateRandom: [K.GenerateRandomRequest, K.GenerateRandomResponse];
  GenerateDataKeyPair: [K.GenerateDataKeyPairRequest, K.GenerateDataKeyPairResponse];
  GenerateDataKeyPairWithoutPlaintext: [
    K.GenerateDataKeyPairWithoutPlaintextRequest,
    K.GenerateDataKeyPairWithoutPlaintextResponse,
  ];
  Sign: [K.SignRequest, K.SignResponse];
  Verify: [K.VerifyRequest, K.VerifyResponse];
  GenerateMac: [K.GenerateMacRequest, K.GenerateMacResponse];
  VerifyMac: [K.VerifyMacRequest, K.VerifyMacResponse];
  GetPublicKey: [K.GetPublicKeyRequest, K.GetPublicKeyResponse];
  DeriveSharedSecret: [K.DeriveSharedSecretRequest, K.DeriveSharedSecretResponse];
  CreateAlias: [K.CreateAliasRequest, Record<string, never>];
  UpdateAlias: [K.UpdateAliasRequest, Record<string, never>];
  DeleteAlias: [K.DeleteAliasRequest, Record<string, never>];
  ListAliases: [K.ListAliasesRequest, K.ListAliasesResponse];
  TagResource: [K.TagResourceRequest, Record<string, never>];
  UntagResource: [K.UntagResourceRequest, Record<string, never>];
  ListResourceTags: [K.ListResourceTagsRequest, K.ListResourceTagsResponse];
  GetKeyPolicy: [K.GetKeyPolicyRequest, K.GetKeyPolicyResponse];
  PutKeyPolicy: [K.PutKeyPolicyRequest, Record<string, never>];
  ListKeyPolicies: [K.ListKeyPoliciesRequest, K.ListKeyPoliciesResponse];
  EnableKeyRotation: [K.EnableKeyRotationRequest, Record<string, never>];
  DisableKeyRotation: [K.DisableKeyRotationRequest, Record<string, never>];
  GetKeyRotationStatus: [K.GetKeyRotationStatusRequest, K.GetKeyRotationStatusResponse];
  RotateKeyOnDemand: [K.RotateKeyOnDemandRequest, K.RotateKeyOnDemandResponse];
  ListKeyRotations: [K.ListKeyRotationsRequest, K.ListKeyRotationsResponse];
  GetParametersForImport: [K.GetParametersForImportRequest, K.GetParametersForImportResponse];
  ImportKeyMaterial: [K.ImportKeyMaterialRequest, K.ImportKeyMaterialResponse];
  DeleteImportedKeyMaterial: [K.DeleteImportedKeyMaterialRequest, K.DeleteImportedKeyMaterialResponse];
  ReplicateKey: [K.ReplicateKeyRequest, K.ReplicateKeyResponse];
  CreateGrant: [K.CreateGrantRequest, K.CreateGrantResponse];
  ListGrants: [K.ListGrantsRequest, K.ListGrantsResponse];
  ListRetirableGrants: [K.ListRetirableGrantsRequest, K.ListGrantsResponse];
  RetireGrant: [K.RetireGrantRequest, Record<string, never>];
  RevokeGrant: [K.RevokeGrantRequest, Record<string, never>];
  UpdatePrimaryRegion: [K.UpdatePrimaryRegionRequest, Record<string, never>];
  CreateCustomKeyStore: [K.CreateCustomKeyStoreRequest, K.CreateCustomKeyStoreResponse];
  ConnectCustomKeyStore: [K.ConnectCustomKeyStoreRequest, Record<string, never>];
  DisconnectCustomKeyStore: [K.DisconnectCustomKeyStoreRequest, Record<string, never>];
  DescribeCustomKeyStores: [K.DescribeCustomKeyStoresRequest, K.DescribeCustomKeyStoresResponse];
  UpdateCustomKeyStore: [K.UpdateCustomKeyStoreRequest, Record<string, never>];
  DeleteCustomKeyStore: [K.DeleteCustomKeyStoreRequest, Record<string, never>];
}
export type OperationName = keyof KmsOperations;
export type OperationInput<O extends OperationName> = KmsOperations[O][0];
export type OperationOutput<O extends OperationName> = KmsOperations[O][1];

export interface CreateKmsOptions {
  /** Where the world lives: `MemoryStore` in Node, `IdbStore` in the browser. */
  readonly store: KmsStore;
  /** Simulated start time of a new world; default: now. */
  readonly startTime?: Date;
  /** Let simulated time flow with real time between calls (default false: time moves only when advanced). */
  readonly clockRunning?: boolean;
  /** Who calls when a call names no caller; default: root of 111122223333 in us-east-1. */
  readonly defaultCaller?: CallerContext;
  readonly authorizer?: Authorizer;
}

/** The engine's public surface. */
export interface Kms {
  /** Calls a KMS operation with SDK-shaped input; rejects with a KmsError. */
  call<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
    caller?: CallerContext,
  ): Promise<OperationOutput<O>>;
  /** Untyped form of `call`, for the wire protocol and scripts: any operation name, any input. */
  send(operation: string, input: unknown, caller?: CallerContext): Promise<Record<string, unknown>>;
  /** The names of every implemented operation. */
  operations(): string[];
  /** Simulated time, epoch ms. */
  now(): number;
  /** Advances simulated time, firing scheduled events (deletions, rotations, expiries) in order. */
  advanceClock(seconds: number): Promise<ScheduledEvent[]>;
  /** Scheduled events still to come, soonest first. */
  upcoming(): ScheduledEvent[];
  /** Every CloudTrail record, oldest first. */
  trail(): readonly import('./audit/cloudTrail.ts').CloudTrailRecord[];
  /** Keys and aliases of every account and Region, without key material. */
  keys(): KeyView[];
  aliases(): readonly import('./model/key.ts').AliasRecord[];
  onEvent(listener: (e: KmsEvent) => void): () => void;
  /**
   * The simulated IAM API (iam/operations.ts): `kms.iam('CreateUser', { UserName })`, the same as
   * `kms.send('iam:CreateUser', …)`. Acts in the caller's account.
   */
  iam(operation: string, input: unknown, caller?: CallerContext): Promise<Record<string, unknown>>;
  /** The simulated IAM API's operation names (`iam:CreateUser`, …). */
  iamOperations(): string[];
  /** IAM users, roles and managed policies of every account. */
  identities(): readonly IdentityRecord[];
  /**
   * The simulated AWS CloudHSM v2 API (cloudhsm/operations.ts): `kms.cloudHsm('CreateCluster', …)`,
   * the same as `kms.send('cloudhsm:CreateCluster', …)`. Acts in the caller's account and Region.
   */
  cloudHsm(operation: string, input: unknown, caller?: CallerContext): Promise<Record<string, unknown>>;
  /** The simulated CloudHSM API's operation names (`cloudhsm:CreateCluster`, …). */
  cloudHsmOperations(): string[];
  /**
   * The simulated AWS services that use KMS (services/): `kms.service('s3', 'PutObject', …)`, the
   * same as `kms.send('s3:PutObject', …)`. Authorized as the service's IAM action for the caller;
   * the service then calls KMS on the caller's behalf (kms:ViaService), so both permissions count.
   */
  service(
    service: ServiceName,
    operation: string,
    input: unknown,
    caller?: CallerContext,
  ): Promise<Record<string, unknown>>;
  /** The simulated services' operation names (`s3:PutObject`, `ec2:CreateVolume`, …). */
  serviceOperations(): string[];
  /**
   * The simulated services' resources of every account and Region (buckets, objects, volumes,
   * snapshots, DB instances, clusters, parameters, secrets), oldest first: settings, keys and
   * counters only — never data keys, bucket keys or encrypted values.
   */
  serviceResources(): ServiceResourceView[];
  /**
   * Lab controls (cloudhsm/labOperations.ts), traced but not logged in CloudTrail, run as the
   * caller's account root in the caller's Region: cluster setup (`ActivateCluster`,
   * `SetKmsUserPassword`) and faults (`StopHsm`, `StartHsm`, `LoseAvailabilityZone`,
   * `RestoreAvailabilityZone`, `DeleteHsm`, `WrongKmsUserPassword`, `LockKmsUser`,
   * `DisconnectCustomKeyStore`). Also `KmsLab.<Name>` on the wire.
   */
  lab(operation: string, input: unknown, caller?: CallerContext): Promise<Record<string, unknown>>;
  /** The lab controls' names (`lab:StopHsm`, …). */
  labOperations(): string[];
  /** CloudHSM clusters of every account and Region with their HSMs, without key material. */
  clusters(): ClusterView[];
  /** Custom key stores of every account and Region, without their kmsuser password. */
  customKeyStores(): CustomKeyStoreView[];
  /** Simulated XKS proxies and their external keys, without secrets or key material. */
  xksProxies(): XksProxyView[];
  /**
   * A caller acting as an IAM user (by ARN) or as a session of a role (by role ARN); a root ARN
   * (`arn:aws:iam::<acct>:root`) gives that root user. Throws for unknown identities.
   */
  callerFor(
    arn: string,
    options?: { region?: string; sessionName?: string; viaService?: string },
  ): CallerContext;
  /** The caller an access key maps to: its IAM user, or else the default caller (root). */
  callerForAccessKey(accessKeyId: string, region?: string): CallerContext;
  /** A plain-data copy of the world (material stays wrapped under the store's domain key). */
  snapshot(): Promise<PersistedWorld>;
  /** Replaces the world with a snapshot, or with a fresh world when none is given. */
  restore(world?: PersistedWorld): Promise<void>;
}

export const defaultCaller = (): CallerContext => ({
  principal: rootPrincipal(DEFAULT_ACCOUNT),
  region: DEFAULT_REGION,
  source: 'api',
});

/** Opens (or creates) a KMS world in `store`. */
export async function createKms(options: CreateKmsOptions): Promise<Kms> {
  const engine = await KmsEngine.open({
    store: options.store,
    registry: createRegistry().register(
      iamOperations,
      cloudHsmOperations,
      cloudHsmLabOperations,
      serviceOperations,
    ),
    behaviours: [
      keyDeletion,
      keyRotation,
      importedMaterialExpiry,
      multiRegionTransitions,
      customKeyStoreConnection,
    ],
    authorizer: options.authorizer,
    startTime: options.startTime?.getTime(),
    clockRunning: options.clockRunning,
  });
  const fallback = options.defaultCaller ?? defaultCaller();
  return {
    call: (op, input, caller) => engine.call(op, input, caller ?? fallback) as never,
    send: (op, input, caller) => engine.call(op, input, caller ?? fallback),
    operations: () =>
      engine
        .operationNames()
        .filter(
          (n) =>
            !n.startsWith('iam:') &&
            !n.startsWith('cloudhsm:') &&
            !n.startsWith('lab:') &&
            !isServiceOperation(n),
        ),
    iam: (op, input, caller) => engine.call(`iam:${op.replace(/^iam:/, '')}`, input, caller ?? fallback),
    iamOperations: () => engine.operationNames().filter((n) => n.startsWith('iam:')),
    identities: () => engine.identities(),
    cloudHsm: (op, input, caller) =>
      engine.call(`cloudhsm:${op.replace(/^cloudhsm:/, '')}`, input, caller ?? fallback),
    cloudHsmOperations: () => engine.operationNames().filter((n) => n.startsWith('cloudhsm:')),
    service(service, op, input, caller) {
      if (!SERVICE_PREFIXES.includes(service))
        return Promise.reject(new Error(`No simulated service ${String(service)}`));
      return engine.call(`${service}:${op.replace(/^[a-z0-9]+:/, '')}`, input, caller ?? fallback);
    },
    serviceOperations: () => engine.operationNames().filter(isServiceOperation),
    serviceResources: () => engine.view((tx) => structuredClone(serviceResourceViews(tx, engine.now()))),
    lab(op, input, caller) {
      const c = caller ?? fallback;
      return engine.call(`lab:${op.replace(/^lab:/, '')}`, input, {
        ...c,
        principal: rootPrincipal(c.principal.accountId),
      });
    },
    labOperations: () => engine.operationNames().filter((n) => n.startsWith('lab:')),
    clusters: () =>
      engine.view((tx) => tx.resources<ClusterData>(CLUSTER_KIND).map((c) => clusterView(tx, c))),
    customKeyStores: () =>
      engine.view((tx) => tx.resources<CustomKeyStoreData>(KEY_STORE_KIND).map(customKeyStoreView)),
    xksProxies: () => engine.view((tx) => xksProxies(tx).map(xksProxyView)),
    callerFor(arn, o = {}) {
      const root = /^arn:aws:iam::(\d{12}):root$/.exec(arn);
      if (root)
        return {
          principal: rootPrincipal(root[1]),
          region: o.region ?? fallback.region,
          source: fallback.source ?? 'api',
        };
      const identity = engine.identities().find((i) => i.arn === arn);
      if (!identity) throw new Error(`No IAM user or role ${arn}`);
      return {
        ...callerForIdentity(identity, { region: fallback.region, ...o }),
        source: fallback.source ?? 'api',
      };
    },
    callerForAccessKey(accessKeyId, region) {
      const u = userForAccessKey(engine.identities(), accessKeyId);
      const r = region ?? fallback.region;
      return u
        ? { principal: userPrincipal(u, accessKeyId), region: r, source: fallback.source ?? 'api' }
        : { ...fallback, principal: rootPrincipal(fallback.principal.accountId, accessKeyId), region: r };
    },
    now: () => engine.now(),
    advanceClock: (s) => engine.advanceClock(s),
    upcoming: () => engine.upcoming(),
    trail: () => engine.trail(),
    keys: () => engine.keys(),
    aliases: () => engine.aliases(),
    onEvent: (l) => engine.onEvent(l),
    snapshot: () => engine.snapshot(),
    restore: (w) => engine.restore(w),
  };
}
