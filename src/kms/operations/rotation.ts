/**
 * Key rotation (kms-api.md §2.3, §6): EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
 * RotateKeyOnDemand and ListKeyRotations. Automatic rotation itself is a TimedBehaviour
 * (world/keyRotation.ts) fired by the simulated clock.
 */
import { Err, type KmsError } from '../errors.ts';
import type { KeyRecord } from '../model/key.ts';
import type { StateRule } from '../model/keyState.ts';
import { StateRules } from '../model/keyState.ts';
import {
  AWS_MANAGED_ROTATION_DAYS,
  DAY_MS,
  relatedKeys,
  rotateKeyMaterial,
  synchronizeReplicas,
  type RotationEnv,
} from '../world/keyRotation.ts';
import type { CallContext } from './context.ts';
import { paginate } from './paginate.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';

const INCLUDE_KEY_MATERIAL = ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const;

export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** Per-key quota of on-demand rotations (25 in the 2026 docs; it was 10 before). */
export const MAX_ON_DEMAND_ROTATIONS = 25;
/** RotateKeyOnDemand conflicts with an automatic rotation due within 20 minutes. */
const CONFLICT_WINDOW_MS = 20 * 60_000;

const originRefused = (arn: string, origin: string) =>
  Err.UnsupportedOperation(`${arn} origin is ${origin} which is not valid for this operation.`);

/**
 * Why a key cannot rotate, if it cannot: only symmetric keys rotate; automatic rotation only with
 * Origin AWS_KMS; on-demand rotation and rotation listings also for imported (EXTERNAL) material.
 * The origin wording is AWS's (kms-api.md §4 [6]); the key-spec wording is (unverified).
 */
function rotationRefusal(key: KeyRecord, allowExternal: boolean): KmsError | undefined {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT')
    return Err.UnsupportedOperation(
      `${key.arn} key spec is ${key.keySpec} which is not valid for this operation.`,
    );
  if (key.origin === 'EXTERNAL' && allowExternal) return undefined;
  if (key.origin !== 'AWS_KMS') return originRefused(key.arn, key.origin);
  return undefined;
}

function requireRotatable(key: KeyRecord, allowExternal = false) {
  const refusal = rotationRefusal(key, allowExternal);
  if (refusal) throw refusal;
}

/** Rotation settings are managed on the primary key only and synchronised to replicas. (unverified wording) */
function requirePrimary(key: KeyRecord) {
  if (key.multiRegionInfo?.type === 'REPLICA')
    throw Err.UnsupportedOperation(`${key.arn} is not a multi-region primary key.`);
}

const disabled = (arn: string) => Err.Disabled(`${arn} is disabled.`);
const pendingDeletion = (arn: string) =>
  Err.InvalidState(`${arn} is pending deletion (or pending replica deletion).`);
const externalOrigin = (arn: string) => originRefused(arn, 'EXTERNAL');
const unavailable = (arn: string) => originRefused(arn, 'AWS_CLOUDHSM');
const creating = (arn: string) => Err.InvalidState(`${arn} is creating.`);

/** EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand (kms-api.md §4 table and notes). */
const manageRotation: StateRule = {
  Enabled: 'ok',
  Disabled: disabled,
  PendingDeletion: pendingDeletion,
  PendingReplicaDeletion: pendingDeletion,
  PendingImport: externalOrigin,
  Unavailable: unavailable,
  Creating: creating,
  Updating: 'ok',
};

const onDemandRule: StateRule = {
  ...manageRotation,
  PendingImport: (arn) => Err.InvalidState(`${arn} is pending import.`),
};

const statusRule: StateRule = {
  ...StateRules.any,
  PendingImport: externalOrigin,
  Unavailable: unavailable,
};

const rotationKey = (state: StateRule, customerManagedOnly = false) => [
  { role: 'key', field: 'KeyId', forms: 'K' as const, state, customerManagedOnly },
];

/** Service events a call causes (SynchronizeMultiRegionKey) go to the call's extra records. */
export const callRotationEnv = (ctx: CallContext): RotationEnv => ({
  tx: ctx.tx,
  keyring: ctx.keyring,
  now: ctx.now,
  record: (r) => ctx.trail.extra.push(r),
  newIds: () => ({ requestId: crypto.randomUUID(), eventId: crypto.randomUUID() }),
});

export const rotationOperations: OperationFamily = [
  {
    name: 'EnableKeyRotation',
    action: 'kms:EnableKeyRotation',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, RotationPeriodInDays: S.int(90, 2560) }, ['KeyId']),
    keys: rotationKey(manageRotation, true),
    precheck(ctx) {
      requireRotatable(ctx.keys.key!);
      requirePrimary(ctx.keys.key!);
    },
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      const period = (ctx.input.RotationPeriodInDays as number | undefined) ?? DEFAULT_ROTATION_PERIOD_DAYS;
      const prev = key.rotation;
      // First enable: the first rotation is one period away. A new period on an enabled key counts
      // from the start of the current cycle (never in the past).
      const next =
        prev?.enabled && prev.nextRotationDate !== undefined
          ? Math.max(ctx.now, prev.nextRotationDate - prev.periodDays * DAY_MS + period * DAY_MS)
          : ctx.now + period * DAY_MS;
      key.rotation = {
        enabled: true,
        periodDays: period,
        nextRotationDate: next,
        onDemandCount: prev?.onDemandCount ?? 0,
      };
      synchronizeReplicas(key, callRotationEnv(ctx));
      return {};
    },
  },
  {
    name: 'DisableKeyRotation',
    action: 'kms:DisableKeyRotation',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: rotationKey(manageRotation, true),
    precheck(ctx) {
      requireRotatable(ctx.keys.key!);
      requirePrimary(ctx.keys.key!);
    },
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      key.rotation = {
        enabled: false,
        periodDays: key.rotation?.periodDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
        onDemandCount: key.rotation?.onDemandCount ?? 0,
      };
      synchronizeReplicas(key, callRotationEnv(ctx));
      return {};
    },
  },
  {
    name: 'GetKeyRotationStatus',
    action: 'kms:GetKeyRotationStatus',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: rotationKey(statusRule),
    precheck: (ctx) => requireRotatable(ctx.keys.key!),
    handler(ctx) {
      const key = ctx.keys.key!;
      const r = key.rotation;
      // A key pending deletion reports false; the setting comes back on CancelKeyDeletion.
      const pending = key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion';
      const enabled = !pending && r?.enabled === true;
      return {
        KeyRotationEnabled: enabled,
        KeyId: key.arn,
        ...(enabled
          ? {
              RotationPeriodInDays: r.periodDays,
              ...(r.nextRotationDate !== undefined ? { NextRotationDate: new Date(r.nextRotationDate) } : {}),
            }
          : {}),
      };
    },
  },
  {
    name: 'RotateKeyOnDemand',
    action: 'kms:RotateKeyOnDemand',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: rotationKey(onDemandRule, true),
    precheck(ctx) {
      const key = ctx.keys.key!;
      requireRotatable(key, true);
      requirePrimary(key);
      if ((key.rotation?.onDemandCount ?? 0) >= MAX_ON_DEMAND_ROTATIONS)
        throw Err.LimitExceeded(
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
        );
      const next = key.rotation?.enabled ? key.rotation.nextRotationDate : undefined;
      if (next !== undefined && next - ctx.now <= CONFLICT_WINDOW_MS)
        // (unverified) wording, from the model's ConflictException documentation.
        throw Err.Conflict(
          `Automatic rotation of ${key.arn} is in progress or scheduled to begin within the next 20 minutes.`,
        );
      const pending = key.materials.find((m) => m.imported?.pendingRotation);
      if (key.origin === 'EXTERNAL' && !pending)
        throw Err.InvalidState(`No available key material pending rotation for the key: ${key.arn}.`);
      // Multi-Region imported keys: the new material must first be imported into every related
      // key (PENDING_MULTI_REGION_IMPORT_AND_ROTATION). (unverified) wording.
      if (
        pending &&
        relatedKeys(ctx.tx, key).some(
          (r) => r.materials.find((m) => m.id === pending.id)?.imported?.importState !== 'IMPORTED',
        )
      )
        throw Err.InvalidState(
          `Key material (id: ${pending.id}) of ${key.arn} is pending import into a related multi-Region key.`,
        );
    },
    async handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      const r = key.rotation;
      key.rotation = {
        enabled: r?.enabled ?? false,
        periodDays: r?.periodDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
        ...(r?.nextRotationDate !== undefined ? { nextRotationDate: r.nextRotationDate } : {}),
        onDemandCount: (r?.onDemandCount ?? 0) + 1,
      };
      const pending = key.materials.find((m) => m.imported?.pendingRotation);
      const material = pending
        ? { ...pending, imported: { ...pending.imported!, pendingRotation: false } }
        : undefined;
      await rotateKeyMaterial(key.arn, 'ON_DEMAND', callRotationEnv(ctx), material);
      return { KeyId: key.arn };
    },
    trailResponse: (out) => ({ keyId: out.KeyId }),
  },
  {
    name: 'ListKeyRotations',
    action: 'kms:ListKeyRotations',
    readOnly: true,
    mutates: false,
    input: S.struct(
      {
        KeyId: S.keyId,
        IncludeKeyMaterial: S.enum(INCLUDE_KEY_MATERIAL),
        Limit: S.limit,
        Marker: S.marker,
      },
      ['KeyId'],
    ),
    keys: rotationKey(StateRules.any),
    precheck: (ctx) => requireRotatable(ctx.keys.key!, true),
    handler(ctx) {
      const key = ctx.keys.key!;
      const all = ctx.input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
      // ROTATIONS_ONLY lists completed rotations; ALL_KEY_MATERIAL adds the first material and
      // imported material pending rotation.
      const listed = key.materials.filter((m) => all || m.rotationDate !== undefined);
      const { page, ...rest } = paginate(listed, ctx.input.Limit, ctx.input.Marker, 100);
      return {
        Rotations: page.map((m) => ({
          KeyId: key.keyId,
          KeyMaterialId: m.id,
          ...(m.imported?.description !== undefined
            ? { KeyMaterialDescription: m.imported.description }
            : {}),
          ...(m.imported ? { ImportState: m.imported.importState } : {}),
          KeyMaterialState:
            m.id === key.currentMaterialId
              ? 'CURRENT'
              : m.imported?.pendingRotation
                ? 'PENDING_ROTATION'
                : 'NON_CURRENT',
          ...(m.imported?.expirationModel ? { ExpirationModel: m.imported.expirationModel } : {}),
          ...(m.imported?.validTo !== undefined ? { ValidTo: new Date(m.imported.validTo) } : {}),
          ...(m.rotationDate !== undefined
            ? { RotationDate: new Date(m.rotationDate), RotationType: m.rotationType }
            : {}),
        })),
        ...rest,
      };
    },
  },
];

/** AWS managed keys always rotate yearly; their status is always enabled. */
export const awsManagedRotation = (now: number) => ({
  enabled: true,
  periodDays: AWS_MANAGED_ROTATION_DAYS,
  nextRotationDate: now + AWS_MANAGED_ROTATION_DAYS * DAY_MS,
  onDemandCount: 0,
});
