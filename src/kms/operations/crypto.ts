import { openSymmetric, parseCiphertext, sealSymmetric } from '../crypto/symmetric.ts';
import { randomBytes } from '../crypto/random.ts';
import { Err } from '../errors.ts';
import {
  DATA_KEY_SPECS,
  DRY_RUN_MODIFIERS,
  ENCRYPTION_ALGORITHMS,
  KEY_ENCRYPTION_MECHANISMS,
} from '../model/enums.ts';
import { keyArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import { StateRules } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import type { KeyTarget, OperationFamily } from './registry.ts';
import { resolveKey } from './resolveKey.ts';
import { S } from './shape.ts';

const recipient = S.struct({
  KeyEncryptionAlgorithm: S.enum(KEY_ENCRYPTION_MECHANISMS),
  AttestationDocument: S.blob(1, 262144),
});

const encryptKey: KeyTarget = {
  role: 'key',
  field: 'KeyId',
  forms: 'A',
  state: StateRules.crypto,
  usage: ['ENCRYPT_DECRYPT'],
};

/** Symmetric keys take only SYMMETRIC_DEFAULT. */
function checkAlgorithm(key: KeyRecord, algorithm: string | undefined) {
  if (algorithm !== undefined && key.keySpec === 'SYMMETRIC_DEFAULT' && algorithm !== 'SYMMETRIC_DEFAULT')
    throw Err.InvalidKeyUsage(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
}

function noRecipient(input: Record<string, unknown>) {
  if (input.Recipient !== undefined)
    throw Err.UnsupportedOperation('Recipient (Nitro Enclaves attestation) is not simulated in KMS Lab.');
}

/**
 * The key a symmetric ciphertext names. A ciphertext whose key is gone (or in another Region)
 * gets AWS's AccessDeniedException wording; a KeyId that names another key, IncorrectKeyException.
 */
function keyFromCiphertext(ctx: CallContext, blobField: string, keyIdField: string): KeyRecord {
  const given = ctx.input[keyIdField] as string | undefined;
  const named = given !== undefined ? resolveKey(ctx.tx, given, 'A', ctx) : undefined;
  const blob = ctx.input[blobField] as Uint8Array | undefined;
  if (!blob) {
    if (named) return named; // DryRun with IGNORE_CIPHERTEXT
    throw Err.Validation(
      `1 validation error detected: Value null at '${blobField.charAt(0).toLowerCase() + blobField.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  const parsed = parseCiphertext(blob);
  const key = ctx.tx.key(keyArn(ctx.region, parsed.accountId, parsed.keyId));
  if (!key)
    throw Err.AccessDenied(
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    );
  if (named && named.arn !== key.arn) throw Err.IncorrectKey();
  return key;
}

async function decryptBlob(
  ctx: CallContext,
  key: KeyRecord,
  blob: Uint8Array,
  ec: Record<string, string> | undefined,
) {
  const parsed = parseCiphertext(blob);
  ctx.hops.push({
    stage: 'keyStore',
    latencyMs: 3,
    label: `decrypt with material ${parsed.materialId.slice(0, 8)}…`,
    ok: true,
  });
  return { plaintext: await openSymmetric(ctx.keyring, key, parsed, ec), materialId: parsed.materialId };
}

function dataKeyLength(input: { KeySpec?: string; NumberOfBytes?: number }): number {
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined))
    throw Err.Validation('Please specify either number of bytes or key spec.');
  if (input.KeySpec) return input.KeySpec === 'AES_128' ? 16 : 32;
  return input.NumberOfBytes!;
}

const dataKeyInput = (withRecipient: boolean) =>
  S.struct(
    {
      KeyId: S.keyId,
      EncryptionContext: S.encryptionContext,
      NumberOfBytes: S.int(1, 1024),
      KeySpec: S.enum(DATA_KEY_SPECS),
      GrantTokens: S.grantTokens,
      ...(withRecipient ? { Recipient: recipient } : {}),
      DryRun: S.bool,
    },
    ['KeyId'],
  );

export const cryptoOperations: OperationFamily = [
  {
    name: 'Encrypt',
    action: 'kms:Encrypt',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct(
      {
        KeyId: S.keyId,
        Plaintext: S.blob(1, 4096, true),
        EncryptionContext: S.encryptionContext,
        GrantTokens: S.grantTokens,
        EncryptionAlgorithm: S.enum(ENCRYPTION_ALGORITHMS),
        DryRun: S.bool,
      },
      ['KeyId', 'Plaintext'],
    ),
    keys: [encryptKey],
    precheck: (ctx) => checkAlgorithm(ctx.keys.key!, ctx.input.EncryptionAlgorithm),
    async handler(ctx) {
      const key = ctx.keys.key!;
      const { blob } = await sealSymmetric(
        ctx.keyring,
        key,
        ctx.input.Plaintext,
        ctx.input.EncryptionContext,
      );
      return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  },
  {
    name: 'Decrypt',
    action: 'kms:Decrypt',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct({
      CiphertextBlob: S.blob(1, 6144),
      EncryptionContext: S.encryptionContext,
      GrantTokens: S.grantTokens,
      KeyId: S.keyId,
      EncryptionAlgorithm: S.enum(ENCRYPTION_ALGORITHMS),
      Recipient: recipient,
      DryRun: S.bool,
      DryRunModifiers: S.list(S.enum(DRY_RUN_MODIFIERS)),
    }),
    validate(input) {
      noRecipient(input);
      const ignore =
        input.DryRun === true &&
        (input.DryRunModifiers as string[] | undefined)?.includes('IGNORE_CIPHERTEXT');
      if (!ignore && input.CiphertextBlob === undefined)
        throw Err.Validation(
          `1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null`,
        );
      if (ignore && input.KeyId === undefined)
        throw Err.Validation('KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    },
    keys: [
      {
        ...encryptKey,
        field: undefined,
        resolve: (ctx) => keyFromCiphertext(ctx, 'CiphertextBlob', 'KeyId'),
      },
    ],
    precheck: (ctx) => checkAlgorithm(ctx.keys.key!, ctx.input.EncryptionAlgorithm),
    async handler(ctx) {
      const key = ctx.keys.key!;
      const { plaintext, materialId } = await decryptBlob(
        ctx,
        key,
        ctx.input.CiphertextBlob,
        ctx.input.EncryptionContext,
      );
      return {
        KeyId: key.arn,
        Plaintext: plaintext,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        KeyMaterialId: materialId,
      };
    },
    trailRequest(ctx) {
      const i = ctx.input;
      return {
        ...(ctx.keys.key ? { keyId: ctx.keys.key.arn } : i.KeyId ? { keyId: i.KeyId } : {}),
        encryptionAlgorithm: i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
        ...(i.EncryptionContext ? { encryptionContext: { ...i.EncryptionContext } } : {}),
        ...(i.DryRun !== undefined ? { dryRun: i.DryRun } : {}),
      };
    },
  },
  {
    name: 'ReEncrypt',
    action: 'kms:ReEncrypt',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct(
      {
        CiphertextBlob: S.blob(1, 6144),
        SourceEncryptionContext: S.encryptionContext,
        SourceKeyId: S.keyId,
        DestinationKeyId: S.keyId,
        DestinationEncryptionContext: S.encryptionContext,
        SourceEncryptionAlgorithm: S.enum(ENCRYPTION_ALGORITHMS),
        DestinationEncryptionAlgorithm: S.enum(ENCRYPTION_ALGORITHMS),
        GrantTokens: S.grantTokens,
        DryRun: S.bool,
        DryRunModifiers: S.list(S.enum(DRY_RUN_MODIFIERS)),
      },
      ['DestinationKeyId'],
    ),
    validate(input) {
      const ignore =
        input.DryRun === true &&
        (input.DryRunModifiers as string[] | undefined)?.includes('IGNORE_CIPHERTEXT');
      if (!ignore && input.CiphertextBlob === undefined)
        throw Err.Validation(
          `1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null`,
        );
    },
    keys: [
      {
        role: 'source',
        forms: 'A',
        state: StateRules.crypto,
        usage: ['ENCRYPT_DECRYPT'],
        action: 'kms:ReEncryptFrom',
        resolve: (ctx) => keyFromCiphertext(ctx, 'CiphertextBlob', 'SourceKeyId'),
      },
      {
        role: 'destination',
        field: 'DestinationKeyId',
        forms: 'A',
        state: StateRules.crypto,
        usage: ['ENCRYPT_DECRYPT'],
        action: 'kms:ReEncryptTo',
      },
    ],
    precheck(ctx) {
      checkAlgorithm(ctx.keys.source!, ctx.input.SourceEncryptionAlgorithm);
      checkAlgorithm(ctx.keys.destination!, ctx.input.DestinationEncryptionAlgorithm);
    },
    async handler(ctx) {
      const i = ctx.input;
      const source = ctx.keys.source!;
      const destination = ctx.keys.destination!;
      const { plaintext, materialId } = await decryptBlob(
        ctx,
        source,
        i.CiphertextBlob,
        i.SourceEncryptionContext,
      );
      const sealed = await sealSymmetric(ctx.keyring, destination, plaintext, i.DestinationEncryptionContext);
      plaintext.fill(0);
      return {
        CiphertextBlob: sealed.blob,
        SourceKeyId: source.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        SourceKeyMaterialId: materialId,
        DestinationKeyMaterialId: sealed.materialId,
      };
    },
  },
  {
    name: 'GenerateDataKey',
    action: 'kms:GenerateDataKey',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: dataKeyInput(true),
    validate(input) {
      noRecipient(input);
      dataKeyLength(input);
    },
    keys: [encryptKey],
    async handler(ctx) {
      const key = ctx.keys.key!;
      const plaintext = randomBytes(dataKeyLength(ctx.input));
      const sealed = await sealSymmetric(ctx.keyring, key, plaintext, ctx.input.EncryptionContext);
      return {
        CiphertextBlob: sealed.blob,
        Plaintext: plaintext,
        KeyId: key.arn,
        KeyMaterialId: sealed.materialId,
      };
    },
  },
  {
    name: 'GenerateDataKeyWithoutPlaintext',
    action: 'kms:GenerateDataKeyWithoutPlaintext',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: dataKeyInput(false),
    validate: (input) => void dataKeyLength(input),
    keys: [encryptKey],
    async handler(ctx) {
      const key = ctx.keys.key!;
      const plaintext = randomBytes(dataKeyLength(ctx.input));
      const sealed = await sealSymmetric(ctx.keyring, key, plaintext, ctx.input.EncryptionContext);
      plaintext.fill(0);
      return { CiphertextBlob: sealed.blob, KeyId: key.arn, KeyMaterialId: sealed.materialId };
    },
  },
  {
    name: 'GenerateRandom',
    action: 'kms:GenerateRandom',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    input: S.struct({ NumberOfBytes: S.int(1, 1024), CustomKeyStoreId: S.str(1, 64), Recipient: recipient }),
    validate(input) {
      if (input.NumberOfBytes === undefined) throw Err.Validation('NumberOfBytes is required.');
      noRecipient(input);
      if (input.CustomKeyStoreId !== undefined)
        throw Err.CustomKeyStoreNotFound(
          `Custom key store ${input.CustomKeyStoreId} does not exist in this account and Region.`,
        );
    },
    handler: (ctx) => ({ Plaintext: randomBytes(ctx.input.NumberOfBytes) }),
  },
];
