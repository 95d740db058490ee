import { checkRsaPlaintext, rsaDecrypt, rsaEncrypt } from '../crypto/rsaEncryption.ts';
import { openSymmetric, parseCiphertext, sealSymmetric } from '../crypto/symmetric.ts';
import { randomBytes } from '../crypto/random.ts';
import { routeRandom } from '../cloudhsm/keyStoreRouting.ts';
import { Err } from '../errors.ts';
import {
  DATA_KEY_SPECS,
  DRY_RUN_MODIFIERS,
  ENCRYPTION_ALGORITHMS,
  KEY_ENCRYPTION_MECHANISMS,
} from '../model/enums.ts';
import { encryptionAlgorithms } from '../model/algorithms.ts';
import { keyArn } from '../model/identifiers.ts';
import { isSymmetric, type KeyRecord } from '../model/key.ts';
import { StateRules } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import { requireSymmetricKey } from './dataKeyPairs.ts';
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

/**
 * Each key spec takes its own algorithms (symmetric keys only SYMMETRIC_DEFAULT, the default; RSA
 * keys RSAES_OAEP_SHA_1/256, which must be named), and only symmetric keys take an encryption context.
 */
function checkAlgorithm(key: KeyRecord, algorithm: string | undefined, context?: Record<string, string>) {
  const named = algorithm ?? 'SYMMETRIC_DEFAULT';
  if (!encryptionAlgorithms(key.keySpec).includes(named))
    throw Err.InvalidKeyUsage(`Algorithm ${named} is incompatible with key spec ${key.keySpec}.`);
  // (unverified) wording; AWS documents that only symmetric keys take an encryption context.
  if (!isSymmetric(key) && context && Object.keys(context).length > 0)
    throw Err.Validation(`EncryptionContext is not supported with asymmetric KMS keys.`);
}

/** Encrypts under a symmetric key (KMS ciphertext blob) or an RSA key (raw RSAES-OAEP output). */
async function encryptWith(
  ctx: CallContext,
  key: KeyRecord,
  plaintext: Uint8Array<ArrayBuffer>,
  algorithm: string | undefined,
  ec: Record<string, string> | undefined,
): Promise<{ blob: Uint8Array<ArrayBuffer>; materialId?: string }> {
  if (isSymmetric(key)) return sealSymmetric(ctx.keyring, key, plaintext, ec);
  return { blob: await rsaEncrypt(ctx.keyring, key, algorithm!, plaintext) };
}

async function decryptWith(
  ctx: CallContext,
  key: KeyRecord,
  blob: Uint8Array<ArrayBuffer>,
  algorithm: string | undefined,
  ec: Record<string, string> | undefined,
): Promise<{ plaintext: Uint8Array<ArrayBuffer>; materialId?: string }> {
  if (isSymmetric(key)) return decryptBlob(ctx, key, blob, ec);
  return { plaintext: await rsaDecrypt(ctx.keyring, key, algorithm!, blob) };
}

function noRecipient(input: Record<string, unknown>) {
  if (input.Recipient !== undefined)
    throw Err.UnsupportedOperation('Recipient (Nitro Enclaves attestation) is not simulated in KMS Lab.');
}

/**
 * The key a symmetric ciphertext names. A ciphertext whose key is gone (or in another Region)
 * gets AWS's AccessDeniedException wording; a KeyId that names another key, IncorrectKeyException.
 */
function keyFromCiphertext(
  ctx: CallContext,
  blobField: string,
  keyIdField: string,
  algorithmField: string,
): KeyRecord {
  const given = ctx.input[keyIdField] as string | undefined;
  const named = given !== undefined ? resolveKey(ctx.tx, given, 'A', ctx) : undefined;
  // Asymmetric ciphertext is raw RSA output naming no key: the KeyId and algorithm say which.
  // With the algorithm left at SYMMETRIC_DEFAULT, AWS parses it as a KMS blob (and fails).
  const algorithm = (ctx.input[algorithmField] as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  if (named && !isSymmetric(named) && algorithm !== 'SYMMETRIC_DEFAULT') return named;
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
    precheck(ctx) {
      const key = ctx.keys.key!;
      checkAlgorithm(key, ctx.input.EncryptionAlgorithm, ctx.input.EncryptionContext);
      if (!isSymmetric(key)) checkRsaPlaintext(key, ctx.input.EncryptionAlgorithm, ctx.input.Plaintext);
    },
    async handler(ctx) {
      const key = ctx.keys.key!;
      const algorithm = ctx.input.EncryptionAlgorithm;
      const { blob } = await encryptWith(
        ctx,
        key,
        ctx.input.Plaintext,
        algorithm,
        ctx.input.EncryptionContext,
      );
      return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: algorithm ?? 'SYMMETRIC_DEFAULT' };
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
        resolve: (ctx) => keyFromCiphertext(ctx, 'CiphertextBlob', 'KeyId', 'EncryptionAlgorithm'),
      },
    ],
    precheck: (ctx) =>
      checkAlgorithm(ctx.keys.key!, ctx.input.EncryptionAlgorithm, ctx.input.EncryptionContext),
    async handler(ctx) {
      const key = ctx.keys.key!;
      const algorithm = ctx.input.EncryptionAlgorithm;
      const { plaintext, materialId } = await decryptWith(
        ctx,
        key,
        ctx.input.CiphertextBlob,
        algorithm,
        ctx.input.EncryptionContext,
      );
      return {
        KeyId: key.arn,
        Plaintext: plaintext,
        EncryptionAlgorithm: algorithm ?? 'SYMMETRIC_DEFAULT',
        ...(materialId ? { KeyMaterialId: materialId } : {}),
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
        resolve: (ctx) =>
          keyFromCiphertext(ctx, 'CiphertextBlob', 'SourceKeyId', 'SourceEncryptionAlgorithm'),
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
      const i = ctx.input;
      checkAlgorithm(ctx.keys.source!, i.SourceEncryptionAlgorithm, i.SourceEncryptionContext);
      checkAlgorithm(ctx.keys.destination!, i.DestinationEncryptionAlgorithm, i.DestinationEncryptionContext);
    },
    async handler(ctx) {
      const i = ctx.input;
      const source = ctx.keys.source!;
      const destination = ctx.keys.destination!;
      const { plaintext, materialId } = await decryptWith(
        ctx,
        source,
        i.CiphertextBlob,
        i.SourceEncryptionAlgorithm,
        i.SourceEncryptionContext,
      );
      try {
        const sealed = await encryptWith(
          ctx,
          destination,
          plaintext,
          i.DestinationEncryptionAlgorithm,
          i.DestinationEncryptionContext,
        );
        return {
          CiphertextBlob: sealed.blob,
          SourceKeyId: source.arn,
          KeyId: destination.arn,
          SourceEncryptionAlgorithm: i.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: i.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
          ...(materialId ? { SourceKeyMaterialId: materialId } : {}),
          ...(sealed.materialId ? { DestinationKeyMaterialId: sealed.materialId } : {}),
        };
      } finally {
        plaintext.fill(0);
      }
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
    precheck: requireSymmetricKey,
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
    precheck: requireSymmetricKey,
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
    },
    handler(ctx) {
      // From an HSM of a connected CloudHSM key store (cloudhsm/keyStoreRouting.ts).
      if (ctx.input.CustomKeyStoreId !== undefined) routeRandom(ctx, ctx.input.CustomKeyStoreId);
      return { Plaintext: randomBytes(ctx.input.NumberOfBytes) };
    },
  },
];
