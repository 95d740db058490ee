import { defaultKeyPolicy } from '../access/defaultKeyPolicy.ts';
import { checkPolicyLockout } from '../access/lockout.ts';
import { checkPolicyDocument } from '../access/policyDocument.ts';
import { newAsymmetricMaterial, newHmacMaterial } from '../crypto/asymmetricMaterial.ts';
import { newKeyId, newMultiRegionKeyId } from '../crypto/random.ts';
import { Err } from '../errors.ts';
import {
  CUSTOMER_MASTER_KEY_SPECS,
  KEY_SPECS,
  KEY_USAGES,
  ORIGINS,
  type KeySpec,
  type KeyUsage,
} from '../model/enums.ts';
import { isAsymmetricSpec, isHmacSpec } from '../model/algorithms.ts';
import { keyArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import { keyMetadata } from '../model/keyMetadata.ts';
import { StateRules } from '../model/keyState.ts';
import { checkCustomKeyStoreKey, createKeyInCustomKeyStore } from './customKeyStores.ts';
import { cancelDeletionInStore } from '../cloudhsm/keyStores.ts';
import { paginate } from './paginate.ts';
import { seededKeyId } from './seedOptions.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';
import { checkNewTags, MAX_TAGS_PER_KEY } from './tagRules.ts';
import { ensureAwsManagedKeyFor } from '../world/awsManagedKeys.ts';
import { resumeRotation } from '../world/keyRotation.ts';

const DAY = 86_400_000;

/** Key usages each key spec allows (kms-api.md §3). */
export const USAGES_BY_SPEC: Record<KeySpec, readonly KeyUsage[]> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  ECC_NIST_EDWARDS25519: ['SIGN_VERIFY'],
  ML_DSA_44: ['SIGN_VERIFY'],
  ML_DSA_65: ['SIGN_VERIFY'],
  ML_DSA_87: ['SIGN_VERIFY'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
  SM2: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'],
};

/** Key specs this engine can create real key material for. */
export const SUPPORTED_KEY_SPECS: ReadonlySet<KeySpec> = new Set<KeySpec>(
  KEY_SPECS.filter((s) => s !== 'SM2'),
);

const keyOnly = (state = StateRules.any) => [{ role: 'key', field: 'KeyId', forms: 'K' as const, state }];

export const keyOperations: OperationFamily = [
  {
    name: 'CreateKey',
    action: 'kms:CreateKey',
    readOnly: false,
    mutates: true,
    input: S.struct({
      Policy: S.policy,
      Description: S.str(0, 8192),
      KeyUsage: S.enum(KEY_USAGES),
      CustomerMasterKeySpec: S.enum(CUSTOMER_MASTER_KEY_SPECS),
      KeySpec: S.enum(KEY_SPECS),
      Origin: S.enum(ORIGINS),
      CustomKeyStoreId: S.str(1, 64),
      BypassPolicyLockoutSafetyCheck: S.bool,
      Tags: S.tags,
      MultiRegion: S.bool,
      XksKeyId: S.str(1, 128, '^[a-zA-Z0-9-_.]+$'),
    }),
    validate(input) {
      const spec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
      if (input.KeySpec && input.CustomerMasterKeySpec)
        throw Err.Validation(
          'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.',
        );
      if (spec !== 'SYMMETRIC_DEFAULT' && input.KeyUsage === undefined)
        throw Err.Validation(
          'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
        );
      const usage = (input.KeyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage;
      if (!USAGES_BY_SPEC[spec].includes(usage))
        throw Err.Validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
      if (input.Tags) {
        checkNewTags(input.Tags as never);
        if ((input.Tags as unknown[]).length > MAX_TAGS_PER_KEY) throw Err.Tag('Too many tags');
      }
      if (input.Policy !== undefined) checkPolicyDocument(input.Policy as string);
      if (input.XksKeyId !== undefined && input.Origin !== 'EXTERNAL_KEY_STORE')
        // (unverified) wording: XksKeyId "is not valid for KMS keys with any other Origin value".
        throw Err.Validation('XksKeyId is valid only for a KMS key with Origin EXTERNAL_KEY_STORE.');
    },
    precheck(ctx) {
      const i = ctx.input;
      const spec = (i.KeySpec ?? i.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
      if (i.CustomKeyStoreId !== undefined) checkCustomKeyStoreKey(ctx, spec);
      else if (i.Origin === 'AWS_CLOUDHSM' || i.Origin === 'EXTERNAL_KEY_STORE')
        throw Err.Validation(`A CustomKeyStoreId is required for keys with origin ${i.Origin}.`);
      // SM2 exists only in China Regions, which this world does not have.
      if (!SUPPORTED_KEY_SPECS.has(spec))
        throw Err.UnsupportedOperation(`KeySpec ${spec} is not supported in this Region`);
      if (i.Policy !== undefined) checkPolicyLockout(ctx, i.Policy);
    },
    async handler(ctx) {
      const i = ctx.input;
      const multiRegion = i.MultiRegion === true;
      const keyId =
        seededKeyId(ctx.caller, multiRegion, (id) => !!ctx.tx.key(keyArn(ctx.region, ctx.accountId, id))) ??
        (multiRegion ? newMultiRegionKeyId() : newKeyId());
      const origin = i.Origin ?? 'AWS_KMS';
      const spec = (i.KeySpec ?? i.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
      const key: KeyRecord = {
        arn: keyArn(ctx.region, ctx.accountId, keyId),
        keyId,
        accountId: ctx.accountId,
        region: ctx.region,
        createdAt: ctx.now,
        description: i.Description ?? '',
        keySpec: spec,
        keyUsage: i.KeyUsage ?? 'ENCRYPT_DECRYPT',
        origin,
        keyManager: 'CUSTOMER',
        multiRegion,
        state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
        policy: i.Policy ?? defaultKeyPolicy(ctx.accountId),
        tags: [...(i.Tags ?? [])],
        materials: [],
      };
      if (origin === 'AWS_KMS' && isHmacSpec(spec))
        key.materials.push(await newHmacMaterial(ctx.keyring, spec, ctx.now));
      else if (origin === 'AWS_KMS' && isAsymmetricSpec(spec)) {
        // The private key is wrapped like any material; asymmetric keys have no CurrentKeyMaterialId.
        const { material, publicKey } = await newAsymmetricMaterial(ctx.keyring, spec, ctx.now);
        key.materials.push(material);
        key.publicKey = publicKey;
      } else if (origin === 'AWS_KMS') {
        const material = await ctx.keyring.newSymmetricMaterial(ctx.now);
        key.materials.push(material);
        key.currentMaterialId = material.id;
      }
      if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE')
        await createKeyInCustomKeyStore(ctx, key);
      ctx.tx.putKey(key);
      ctx.keys.key = key;
      return { KeyMetadata: keyMetadata(key) };
    },
    trailResponse: (out) => out,
  },
  {
    name: 'DescribeKey',
    action: 'kms:DescribeKey',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId, GrantTokens: S.grantTokens }, ['KeyId']),
    // DescribeKey on a predefined alias/aws/<service> creates the AWS managed key on first use.
    prepare: (ctx) => ensureAwsManagedKeyFor(ctx.input.KeyId, ctx.tx, ctx.keyring, ctx, ctx.now),
    keys: [{ role: 'key', field: 'KeyId', forms: 'A', state: StateRules.any }],
    handler: (ctx) => ({ KeyMetadata: keyMetadata(ctx.keys.key!) }),
  },
  {
    name: 'ListKeys',
    action: 'kms:ListKeys',
    readOnly: true,
    mutates: false,
    input: S.struct({ Limit: S.limit, Marker: S.marker }),
    handler(ctx) {
      const all = ctx.tx
        .keysIn(ctx.accountId, ctx.region)
        .sort((a, b) => a.createdAt - b.createdAt || (a.arn < b.arn ? -1 : 1));
      const { page, ...rest } = paginate(all, ctx.input.Limit, ctx.input.Marker, 100);
      return { Keys: page.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...rest };
    },
  },
  {
    name: 'EnableKey',
    action: 'kms:EnableKey',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: [{ ...keyOnly(StateRules.enableDisable)[0]!, customerManagedOnly: true }],
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      if (key.state === 'Disabled') key.state = 'Enabled';
      // Unavailable (store disconnected): takes effect when the store reconnects (kms-api.md §4 [12]).
      if (key.state === 'Unavailable') key.stateWhenAvailable = 'Enabled';
      resumeRotation(key, ctx.now);
      return {};
    },
  },
  {
    name: 'DisableKey',
    action: 'kms:DisableKey',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: [{ ...keyOnly(StateRules.enableDisable)[0]!, customerManagedOnly: true }],
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      if (key.state === 'Enabled') key.state = 'Disabled';
      if (key.state === 'Unavailable') key.stateWhenAvailable = 'Disabled';
      return {};
    },
  },
  {
    name: 'ScheduleKeyDeletion',
    action: 'kms:ScheduleKeyDeletion',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, PendingWindowInDays: S.int(1, 365) }, ['KeyId']),
    validate(input) {
      const days = input.PendingWindowInDays as number | undefined;
      // The model allows 1–365; the service accepts the documented 7–30 only.
      if (days !== undefined && (days < 7 || days > 30))
        throw Err.Validation(
          `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${days < 7 ? 'greater than or equal to 7' : 'less than or equal to 30'}`,
        );
    },
    keys: [{ ...keyOnly(StateRules.scheduleDeletion)[0]!, customerManagedOnly: true }],
    handler(ctx) {
      const days = (ctx.input.PendingWindowInDays as number | undefined) ?? 30;
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      key.pendingWindowInDays = days;
      // A multi-Region primary with replicas waits for them: PendingReplicaDeletion, no DeletionDate.
      if (key.multiRegionInfo?.type === 'PRIMARY' && key.multiRegionInfo.replicaRegions.length > 0) {
        key.state = 'PendingReplicaDeletion';
        return { KeyId: key.arn, KeyState: key.state, PendingWindowInDays: days };
      }
      key.state = 'PendingDeletion';
      key.deletionDate = ctx.now + days * DAY;
      return {
        KeyId: key.arn,
        DeletionDate: new Date(key.deletionDate),
        KeyState: key.state,
        PendingWindowInDays: days,
      };
    },
    trailResponse: (out) => ({
      keyId: out.KeyId,
      deletionDate: out.DeletionDate,
      keyState: out.KeyState,
      pendingWindowInDays: out.PendingWindowInDays,
    }),
  },
  {
    name: 'CancelKeyDeletion',
    action: 'kms:CancelKeyDeletion',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: keyOnly(StateRules.cancelDeletion),
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      key.state = 'Disabled';
      delete key.deletionDate;
      delete key.pendingWindowInDays;
      // A custom key store key whose store is not connected: Unavailable until it reconnects.
      cancelDeletionInStore(ctx.tx, key);
      return { KeyId: key.arn };
    },
    trailResponse: (out) => ({ keyId: out.KeyId }),
  },
  {
    name: 'UpdateKeyDescription',
    action: 'kms:UpdateKeyDescription',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, Description: S.str(0, 8192) }, ['KeyId', 'Description']),
    keys: [{ ...keyOnly(StateRules.notPendingDeletion)[0]!, customerManagedOnly: true }],
    handler(ctx) {
      ctx.tx.editKey(ctx.keys.key!.arn).description = ctx.input.Description;
      return {};
    },
  },
  {
    name: 'GetKeyLastUsage',
    action: 'kms:GetKeyLastUsage',
    readOnly: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId }, ['KeyId']),
    keys: keyOnly(),
    handler(ctx) {
      const key = ctx.keys.key!;
      const u = key.lastUsage;
      return {
        KeyId: key.arn,
        ...(u
          ? {
              KeyLastUsage: {
                Operation: u.operation,
                Timestamp: new Date(u.timestamp),
                CloudTrailEventId: u.cloudTrailEventId,
                KmsRequestId: u.kmsRequestId,
              },
            }
          : {}),
        TrackingStartDate: new Date(key.createdAt),
        KeyCreationDate: new Date(key.createdAt),
      };
    },
  },
];
