/**
 * Multi-Region keys (kms-api.md §2.9, §9): ReplicateKey and UpdatePrimaryRegion. Related keys
 * share the key ID, material versions, spec, usage, origin and rotation; policy, grants, aliases,
 * tags, description and enabled state are their own. The transitions (Creating → Enabled,
 * Updating → swapped) are a TimedBehaviour (world/multiRegionTransitions.ts).
 */
import { defaultKeyPolicy } from '../access/defaultKeyPolicy.ts';
import { checkPolicyDocument } from '../access/policyDocument.ts';
import { trailParameters, trailTime, userIdentity, type CloudTrailRecord } from '../audit/cloudTrail.ts';
import { Err } from '../errors.ts';
import { keyArn } from '../model/identifiers.ts';
import type { KeyMaterialRecord, KeyRecord, Tag } from '../model/key.ts';
import { keyMetadata } from '../model/keyMetadata.ts';
import type { StateRule } from '../model/keyState.ts';
import { relatedKeys } from '../world/keyRotation.ts';
import { isKnownRegion } from '../world/regions.ts';
import type { CallContext } from './context.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';
import { checkNewTags, MAX_TAGS_PER_KEY } from './tagRules.ts';

/** A replica is Creating for this long (simulated) before it is usable. */
export const REPLICA_CREATION_MS = 10_000;
/** UpdatePrimaryRegion keeps both keys Updating for this long (simulated). */
export const PRIMARY_UPDATE_MS = 10_000;

const regionShape = S.str(1, 32, '^([a-z]+-){2,3}\\d+$');

const disabled = (arn: string) => Err.Disabled(`${arn} is disabled.`);
const pendingDeletion = (arn: string) =>
  Err.InvalidState(`${arn} is pending deletion (or pending replica deletion).`);
const pendingImport = (arn: string) => Err.InvalidState(`${arn} is pending import.`);
const creating = (arn: string) => Err.InvalidState(`${arn} is creating.`);
const updating = (arn: string) => Err.InvalidState(`${arn} is updating.`);

/** ReplicateKey and UpdatePrimaryRegion (kms-api.md §4 table). */
const multiRegionRule = (updatingOk: boolean): StateRule => ({
  Enabled: 'ok',
  Disabled: disabled,
  PendingDeletion: pendingDeletion,
  PendingReplicaDeletion: pendingDeletion,
  PendingImport: pendingImport,
  Unavailable: (arn) => Err.UnsupportedOperation(`${arn} is not a multi-region primary key.`),
  Creating: creating,
  Updating: updatingOk ? 'ok' : updating,
});

const isPrimary = (k: KeyRecord) => k.multiRegion && (k.multiRegionInfo?.type ?? 'PRIMARY') === 'PRIMARY';

function requirePrimary(key: KeyRecord) {
  if (!isPrimary(key)) throw Err.UnsupportedOperation(`${key.arn} is not a multi-region primary key.`);
}

/** All Regions of a multi-Region key family (primary first). */
export function familyRegions(key: KeyRecord): string[] {
  const info = key.multiRegionInfo;
  return info ? [info.primaryRegion, ...info.replicaRegions] : [key.region];
}

/** A replica gets the primary's material records; imported material must be imported again. */
const replicaMaterial = (m: KeyMaterialRecord): KeyMaterialRecord =>
  m.imported
    ? {
        ...m,
        wrapped: new Uint8Array(0),
        imported: {
          importState: 'PENDING_IMPORT',
          ...(m.imported.pendingRotation ? { pendingRotation: true } : {}),
        },
      }
    : m;

/** The CreateKey record ReplicateKey logs in the replica's Region (kms-api.md §13). */
function replicaCreateKeyRecord(ctx: CallContext, replica: KeyRecord): CloudTrailRecord {
  return {
    eventVersion: '1.08',
    userIdentity: userIdentity(ctx.caller.principal),
    eventTime: trailTime(ctx.now),
    eventSource: 'kms.amazonaws.com',
    eventName: 'CreateKey',
    awsRegion: replica.region,
    sourceIPAddress: ctx.caller.sourceIp ?? '192.0.2.10',
    userAgent: ctx.caller.userAgent ?? `kms-lab/${ctx.caller.source ?? 'api'}`,
    requestParameters: {
      keySpec: replica.keySpec,
      keyUsage: replica.keyUsage,
      origin: replica.origin,
      multiRegion: true,
      description: replica.description,
    },
    responseElements: trailParameters({ keyMetadata: keyMetadata(replica) }) as Record<string, unknown>,
    requestID: crypto.randomUUID(),
    eventID: crypto.randomUUID(),
    readOnly: false,
    resources: [{ accountId: replica.accountId, type: 'AWS::KMS::Key', ARN: replica.arn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    eventCategory: 'Management',
    recipientAccountId: replica.accountId,
  };
}

export const multiRegionOperations: OperationFamily = [
  {
    name: 'ReplicateKey',
    action: 'kms:ReplicateKey',
    readOnly: false,
    mutates: true,
    input: S.struct(
      {
        KeyId: S.keyId,
        ReplicaRegion: regionShape,
        Policy: S.policy,
        BypassPolicyLockoutSafetyCheck: S.bool,
        Description: S.str(0, 8192),
        Tags: S.tags,
      },
      ['KeyId', 'ReplicaRegion'],
    ),
    validate(input) {
      if (input.Tags) {
        checkNewTags(input.Tags as Tag[]);
        if ((input.Tags as unknown[]).length > MAX_TAGS_PER_KEY) throw Err.Tag('Too many tags');
      }
      if (input.Policy !== undefined) checkPolicyDocument(input.Policy as string);
    },
    keys: [
      { role: 'key', field: 'KeyId', forms: 'K', state: multiRegionRule(false), customerManagedOnly: true },
    ],
    precheck(ctx) {
      const key = ctx.keys.key!;
      requirePrimary(key);
      const region = ctx.input.ReplicaRegion as string;
      // (unverified) wordings for an unknown Region and the key's own Region.
      if (!isKnownRegion(region)) throw Err.UnsupportedOperation(`Region ${region} is not supported.`);
      if (region === key.region)
        throw Err.Validation(`The replica Region must be different from the primary Region ${key.region}.`);
      // One replica per Region, even while an old replica there is pending deletion.
      const there = ctx.tx.key(keyArn(region, key.accountId, key.keyId));
      if (there)
        // (unverified) wording.
        throw Err.AlreadyExists(`Multi-Region key ${key.keyId} already exists in Region ${region}.`);
    },
    handler(ctx) {
      const primary = ctx.tx.editKey(ctx.keys.key!.arn);
      const region = ctx.input.ReplicaRegion as string;
      const regions = familyRegions(primary);
      const replicaRegions = [...regions.slice(1), region];
      const replica: KeyRecord = {
        arn: keyArn(region, primary.accountId, primary.keyId),
        keyId: primary.keyId,
        accountId: primary.accountId,
        region,
        createdAt: ctx.now,
        description: (ctx.input.Description as string | undefined) ?? '',
        keySpec: primary.keySpec,
        keyUsage: primary.keyUsage,
        origin: primary.origin,
        keyManager: 'CUSTOMER',
        multiRegion: true,
        state: 'Creating',
        policy: (ctx.input.Policy as string | undefined) ?? defaultKeyPolicy(primary.accountId),
        tags: [...((ctx.input.Tags as Tag[] | undefined) ?? [])],
        materials: primary.materials.map(replicaMaterial),
        ...(primary.currentMaterialId ? { currentMaterialId: primary.currentMaterialId } : {}),
        ...(primary.publicKey ? { publicKey: primary.publicKey } : {}),
        ...(primary.rotation ? { rotation: { ...primary.rotation } } : {}),
        multiRegionInfo: {
          type: 'REPLICA',
          primaryRegion: primary.region,
          replicaRegions,
          pendingUntil: ctx.now + REPLICA_CREATION_MS,
          pendingState: primary.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
        },
      };
      // Every related key learns of the new replica.
      for (const related of [primary, ...relatedKeys(ctx.tx, primary)]) {
        const k = related === primary ? primary : ctx.tx.editKey(related.arn);
        k.multiRegionInfo = {
          ...(k.multiRegionInfo ?? { type: 'PRIMARY', primaryRegion: primary.region }),
          replicaRegions,
        };
      }
      ctx.tx.putKey(replica);
      ctx.trail.extra.push(replicaCreateKeyRecord(ctx, replica));
      return {
        ReplicaKeyMetadata: keyMetadata(replica),
        ReplicaPolicy: replica.policy,
        ReplicaTags: replica.tags,
      };
    },
    trailResponse: (out) => ({
      replicaKeyMetadata: out.ReplicaKeyMetadata,
      replicaTags: out.ReplicaTags,
    }),
  },
  {
    name: 'UpdatePrimaryRegion',
    action: 'kms:UpdatePrimaryRegion',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, PrimaryRegion: regionShape }, ['KeyId', 'PrimaryRegion']),
    keys: [
      { role: 'key', field: 'KeyId', forms: 'K', state: multiRegionRule(true), customerManagedOnly: true },
    ],
    precheck(ctx) {
      const key = ctx.keys.key!;
      requirePrimary(key);
      const region = ctx.input.PrimaryRegion as string;
      if (region === key.region) return;
      const replica = ctx.tx.key(keyArn(region, key.accountId, key.keyId));
      if (!replica || !familyRegions(key).includes(region))
        throw Err.NotFound(`Key '${keyArn(region, key.accountId, key.keyId)}' does not exist`);
      if (replica.state === 'Creating') throw creating(replica.arn);
      if (replica.state === 'PendingDeletion' || replica.state === 'PendingReplicaDeletion')
        throw pendingDeletion(replica.arn);
    },
    handler(ctx) {
      const primary = ctx.keys.key!;
      const region = ctx.input.PrimaryRegion as string;
      if (region === primary.region) return {};
      // Both keys are Updating for a moment; the roles swap when the update completes.
      for (const arn of [primary.arn, keyArn(region, primary.accountId, primary.keyId)]) {
        const k = ctx.tx.editKey(arn);
        k.multiRegionInfo = {
          ...k.multiRegionInfo!,
          pendingUntil: ctx.now + PRIMARY_UPDATE_MS,
          pendingState: k.multiRegionInfo?.pendingState ?? (k.state === 'Updating' ? 'Enabled' : k.state),
          pendingPrimaryRegion: region,
        };
        k.state = 'Updating';
      }
      return {};
    },
  },
];
