/**
 * Imported key material, BYOK (kms-api.md §2.4, §8): GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial. Expiry of material with a ValidTo is a TimedBehaviour
 * (world/importedMaterialExpiry.ts).
 */
import {
  decodeImportToken,
  encodeImportToken,
  importedMaterialId,
  newTokenId,
  newWrappingKeyPair,
  unwrapImportedMaterial,
  type RsaWrappingKeySpec,
} from '../crypto/importWrapping.ts';
import { Err, KmsError } from '../errors.ts';
import { isAsymmetricSpec, isHmacSpec } from '../model/algorithms.ts';
import { EXPIRATION_MODELS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from '../model/enums.ts';
import type { ImportedMaterialState, KeyMaterialRecord, KeyRecord } from '../model/key.ts';
import type { StateRule } from '../model/keyState.ts';
import { synchronizeReplicas } from '../world/keyRotation.ts';
import type { CallContext } from './context.ts';
import { callRotationEnv } from './rotation.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The wrapping public key and import token are valid for 24 hours. */
export const IMPORT_PARAMETERS_VALIDITY_MS = 24 * HOUR_MS;
/** ValidTo may be at most 365 days after the ImportKeyMaterial request. */
const MAX_VALID_TO_MS = 365 * DAY_MS;
const IMPORT_TYPES = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const;

// Import exceptions, named as the model names them; their wordings are (unverified).
const invalidToken = () =>
  new KmsError('InvalidImportTokenException', 'Import token is invalid or does not belong to this key.');
const expiredToken = () => new KmsError('ExpiredImportTokenException', 'Import token has expired.');
const incorrectMaterial = (message: string) => new KmsError('IncorrectKeyMaterialException', message);

const originRefused = (key: KeyRecord) =>
  Err.UnsupportedOperation(`${key.arn} origin is ${key.origin} which is not valid for this operation.`);

const creating = (arn: string) => Err.InvalidState(`${arn} is creating.`);
const updating = (arn: string) => Err.InvalidState(`${arn} is updating.`);
const pendingDeletion = (arn: string) =>
  Err.InvalidState(`${arn} is pending deletion (or pending replica deletion).`);
// Keys of custom key stores cannot have imported material (kms-api.md §4 [9]).
const unavailable = (arn: string) =>
  Err.UnsupportedOperation(`${arn} origin is AWS_CLOUDHSM which is not valid for this operation.`);

/** GetParametersForImport and ImportKeyMaterial (kms-api.md §4 table, [8] [9]). */
const importRule = (updatingOk: boolean): StateRule => ({
  Enabled: 'ok',
  Disabled: 'ok',
  PendingDeletion: pendingDeletion,
  PendingReplicaDeletion: pendingDeletion,
  PendingImport: 'ok',
  Unavailable: unavailable,
  Creating: creating,
  Updating: updatingOk ? 'ok' : updating,
});

const deleteRule: StateRule = { ...importRule(false), PendingDeletion: 'ok', PendingReplicaDeletion: 'ok' };

const requireExternal = (ctx: CallContext) => {
  if (ctx.keys.key!.origin !== 'EXTERNAL') throw originRefused(ctx.keys.key!);
};

/** Lengths of imported HMAC secrets (unverified; per the current import docs). */
const HMAC_MATERIAL_BYTES: Record<string, [number, number]> = {
  HMAC_224: [28, 64],
  HMAC_256: [32, 64],
  HMAC_384: [48, 128],
  HMAC_512: [64, 128],
};

const EC_CURVES: Record<string, string> = {
  ECC_NIST_P256: 'P-256',
  ECC_NIST_P384: 'P-384',
  ECC_NIST_P521: 'P-521',
};

/**
 * Checks that unwrapped material fits the key spec. Asymmetric material is a PKCS#8 private key;
 * KMS derives the public key. Returns the public key (SPKI) for asymmetric keys.
 */
async function checkMaterial(
  key: KeyRecord,
  raw: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  // (unverified) wording for material that does not fit the key.
  const wrong = () =>
    incorrectMaterial(`The key material is not valid for ${key.arn} (key spec ${key.keySpec}).`);
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    if (raw.length !== 32) throw wrong();
    return undefined;
  }
  if (isHmacSpec(key.keySpec)) {
    const [min, max] = HMAC_MATERIAL_BYTES[key.keySpec]!;
    if (raw.length < min || raw.length > max) throw wrong();
    return undefined;
  }
  if (!isAsymmetricSpec(key.keySpec)) throw wrong();
  const rsaBits = /^RSA_(\d+)$/.exec(key.keySpec)?.[1];
  const curve = EC_CURVES[key.keySpec];
  if (!rsaBits && !curve)
    throw Err.UnsupportedOperation(`Importing ${key.keySpec} key material is not simulated in KMS Lab.`);
  try {
    const algorithm = rsaBits ? { name: 'RSA-PSS', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: curve! };
    const priv = await crypto.subtle.importKey('pkcs8', raw, algorithm, true, ['sign']);
    if (rsaBits && (priv.algorithm as RsaHashedKeyAlgorithm).modulusLength !== Number(rsaBits)) throw wrong();
    const jwk = await crypto.subtle.exportKey('jwk', priv);
    for (const f of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) delete jwk[f];
    jwk.key_ops = ['verify'];
    const pub = await crypto.subtle.importKey('jwk', jwk, algorithm, true, ['verify']);
    return new Uint8Array(await crypto.subtle.exportKey('spki', pub));
  } catch {
    throw wrong();
  }
}

/** A key is usable when every material it depends on (not one pending rotation) is imported. */
const allImported = (k: KeyRecord) =>
  k.materials.every((m) => m.imported?.pendingRotation || m.imported?.importState !== 'PENDING_IMPORT');

export const importOperations: OperationFamily = [
  {
    name: 'GetParametersForImport',
    action: 'kms:GetParametersForImport',
    readOnly: true,
    mutates: true,
    input: S.struct(
      {
        KeyId: S.keyId,
        WrappingAlgorithm: S.enum(WRAPPING_ALGORITHMS),
        WrappingKeySpec: S.enum(WRAPPING_KEY_SPECS),
      },
      ['KeyId', 'WrappingAlgorithm', 'WrappingKeySpec'],
    ),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: importRule(false) }],
    precheck(ctx) {
      requireExternal(ctx);
      const { WrappingAlgorithm: alg, WrappingKeySpec: spec } = ctx.input as Record<string, string>;
      // RSAES_PKCS1_V1_5 is no longer supported (since 2023-10-10); wording (unverified).
      if (alg === 'RSAES_PKCS1_V1_5')
        throw Err.UnsupportedOperation('RSAES_PKCS1_V1_5 wrapping algorithm is not supported.');
      // SM2 wrapping exists only in China Regions, which this world does not have.
      if (alg === 'SM2PKE' || spec === 'SM2')
        throw Err.UnsupportedOperation(`${alg === 'SM2PKE' ? alg : spec} is not supported in this Region.`);
    },
    async handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      const spec = ctx.input.WrappingKeySpec as RsaWrappingKeySpec;
      const { privateKey, publicKey } = await newWrappingKeyPair(ctx.keyring, spec, ctx.now);
      if (key.importParameters) ctx.keyring.forget([key.importParameters.wrappingKeyId]);
      const tokenId = newTokenId();
      const validTo = ctx.now + IMPORT_PARAMETERS_VALIDITY_MS;
      key.importParameters = {
        tokenId,
        wrappingAlgorithm: ctx.input.WrappingAlgorithm,
        wrappingKeySpec: spec,
        validTo,
        wrappedPrivateKey: privateKey.wrapped,
        wrappingKeyId: privateKey.id,
        publicKey,
      };
      return {
        KeyId: key.arn,
        ImportToken: encodeImportToken(tokenId, key.keyId),
        PublicKey: publicKey,
        ParametersValidTo: new Date(validTo),
      };
    },
  },
  {
    name: 'ImportKeyMaterial',
    action: 'kms:ImportKeyMaterial',
    readOnly: false,
    mutates: true,
    input: S.struct(
      {
        KeyId: S.keyId,
        ImportToken: S.blob(1, 6144),
        EncryptedKeyMaterial: S.blob(1, 6144),
        ValidTo: S.timestamp,
        ExpirationModel: S.enum(EXPIRATION_MODELS),
        ImportType: S.enum(IMPORT_TYPES),
        KeyMaterialDescription: S.str(0, 256, '^[a-zA-Z0-9:/_\\s.-]+$'),
        KeyMaterialId: S.str(64, 64, '^[a-f0-9]+$'),
      },
      ['KeyId', 'ImportToken', 'EncryptedKeyMaterial'],
    ),
    validate(input, ctx) {
      const model = (input.ExpirationModel as string | undefined) ?? 'KEY_MATERIAL_EXPIRES';
      const validTo = input.ValidTo as Date | undefined;
      if (model === 'KEY_MATERIAL_EXPIRES' && validTo === undefined)
        throw Err.Validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
      // The remaining wordings are (unverified).
      if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && validTo !== undefined)
        throw Err.Validation(
          'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
        );
      if (validTo !== undefined && validTo.getTime() <= ctx.now)
        throw Err.Validation('The validTo date must be in the future.');
      if (validTo !== undefined && validTo.getTime() > ctx.now + MAX_VALID_TO_MS)
        throw Err.Validation('The validTo date must be no more than 365 days in the future.');
      if (input.ImportType === 'NEW_KEY_MATERIAL' && input.KeyMaterialId !== undefined)
        throw Err.Validation('KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.');
    },
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: importRule(true) }],
    precheck(ctx) {
      requireExternal(ctx);
      const key = ctx.keys.key!;
      const i = ctx.input;
      if (
        key.keySpec !== 'SYMMETRIC_DEFAULT' &&
        (i.ImportType !== undefined ||
          i.KeyMaterialId !== undefined ||
          i.KeyMaterialDescription !== undefined)
      )
        throw Err.UnsupportedOperation(
          'ImportType, KeyMaterialId and KeyMaterialDescription are supported only for symmetric encryption keys.',
        );
      const token = decodeImportToken(i.ImportToken as Uint8Array);
      const params = key.importParameters;
      // (unverified) wordings.
      if (!token || token.keyId !== key.keyId || !params || token.tokenId !== params.tokenId)
        throw invalidToken();
      if (ctx.now > params.validTo) throw expiredToken();
    },
    async handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      const i = ctx.input;
      const params = key.importParameters!;
      const wrappingKey: KeyMaterialRecord = {
        id: params.wrappingKeyId,
        createdAt: 0,
        wrapped: params.wrappedPrivateKey,
      };
      const raw = await unwrapImportedMaterial(
        ctx.keyring,
        wrappingKey,
        params.wrappingAlgorithm,
        i.EncryptedKeyMaterial,
      );
      try {
        const publicKey = await checkMaterial(key, raw);
        const id = await importedMaterialId(key.keyId, raw);
        const existing = key.materials.find((m) => m.id === id);
        const hasMaterial = key.materials.length > 0;
        const importType =
          (i.ImportType as string | undefined) ??
          (hasMaterial ? 'EXISTING_KEY_MATERIAL' : 'NEW_KEY_MATERIAL');
        const imported: ImportedMaterialState = {
          importState: 'IMPORTED',
          expirationModel: (i.ExpirationModel ??
            'KEY_MATERIAL_EXPIRES') as ImportedMaterialState['expirationModel'],
          ...(i.ValidTo ? { validTo: (i.ValidTo as Date).getTime() } : {}),
          ...(i.KeyMaterialDescription !== undefined
            ? { description: i.KeyMaterialDescription as string }
            : existing?.imported?.description !== undefined
              ? { description: existing.imported.description }
              : {}),
        };
        if (importType === 'EXISTING_KEY_MATERIAL') {
          const wanted =
            (i.KeyMaterialId as string | undefined) ?? key.currentMaterialId ?? key.materials[0]?.id;
          if (!existing || (wanted !== undefined && wanted !== id))
            throw incorrectMaterial(
              `The key material does not match the key material previously imported into ${key.arn}.`,
            );
          const material = await ctx.keyring.wrapNewMaterial(raw, existing.createdAt, id);
          ctx.keyring.forget([id]);
          key.materials = key.materials.map((m) =>
            m.id === id
              ? {
                  ...m,
                  wrapped: material.wrapped,
                  imported: {
                    ...imported,
                    ...(m.imported?.pendingRotation ? { pendingRotation: true } : {}),
                  },
                }
              : m,
          );
        } else if (!hasMaterial) {
          const material = await ctx.keyring.wrapNewMaterial(raw, ctx.now, id);
          key.materials = [{ ...material, imported }];
          if (key.keySpec === 'SYMMETRIC_DEFAULT') key.currentMaterialId = id;
          if (publicKey) key.publicKey = publicKey;
        } else {
          // NEW_KEY_MATERIAL into a symmetric key that has material: pending an on-demand rotation.
          if (existing) throw incorrectMaterial(`The key material was already imported into ${key.arn}.`);
          const pending = key.materials.find((m) => m.imported?.pendingRotation);
          if (pending)
            throw Err.InvalidState(
              `New key material (id: ${id}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.id}) is pending rotation.`,
            );
          const material = await ctx.keyring.wrapNewMaterial(raw, ctx.now, id);
          key.materials = [
            ...key.materials,
            { ...material, imported: { ...imported, pendingRotation: true } },
          ];
          // Related multi-Region keys learn of it, pending its import into each of them.
          synchronizeReplicas(key, callRotationEnv(ctx));
        }
        if (key.state === 'PendingImport' && allImported(key)) key.state = 'Enabled';
        return { KeyId: key.arn, ...(key.keySpec === 'SYMMETRIC_DEFAULT' ? { KeyMaterialId: id } : {}) };
      } finally {
        raw.fill(0);
      }
    },
    trailRequest: (ctx) => ({
      keyId: ctx.input.KeyId,
      ...(ctx.input.ValidTo ? { validTo: (ctx.input.ValidTo as Date).toISOString() } : {}),
      expirationModel: ctx.input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES',
      ...(ctx.input.ImportType ? { importType: ctx.input.ImportType } : {}),
    }),
  },
  {
    name: 'DeleteImportedKeyMaterial',
    action: 'kms:DeleteImportedKeyMaterial',
    readOnly: false,
    mutates: true,
    input: S.struct({ KeyId: S.keyId, KeyMaterialId: S.str(64, 64, '^[a-f0-9]+$') }, ['KeyId']),
    keys: [{ role: 'key', field: 'KeyId', forms: 'K', state: deleteRule }],
    precheck: requireExternal,
    handler(ctx) {
      const key = ctx.tx.editKey(ctx.keys.key!.arn);
      const id =
        (ctx.input.KeyMaterialId as string | undefined) ?? key.currentMaterialId ?? key.materials[0]?.id;
      const material = key.materials.find((m) => m.id === id);
      if (ctx.input.KeyMaterialId !== undefined && !material)
        // (unverified) wording.
        throw Err.NotFound(`Key material ${id} does not exist for ${key.arn}.`);
      if (material) deleteMaterial(key, material.id, ctx.keyring);
      return { KeyId: key.arn, KeyMaterialId: key.keySpec === 'SYMMETRIC_DEFAULT' ? (id ?? '') : '' };
    },
    trailResponse: (out) => ({ keyId: out.KeyId, keyMaterialId: out.KeyMaterialId }),
  },
];

/**
 * Deletes one imported material (DeleteImportedKeyMaterial, or expiry): the record stays, marked
 * PENDING_IMPORT, so the same material can be imported again; the key becomes PendingImport
 * (unless it is pending deletion).
 */
export function deleteMaterial(
  key: KeyRecord,
  materialId: string,
  keyring: { forget(ids: Iterable<string>): void },
): void {
  key.materials = key.materials.map((m) =>
    m.id === materialId
      ? {
          ...m,
          wrapped: new Uint8Array(0),
          imported: {
            importState: 'PENDING_IMPORT',
            ...(m.imported?.pendingRotation ? { pendingRotation: true } : {}),
            ...(m.imported?.description !== undefined ? { description: m.imported.description } : {}),
          },
        }
      : m,
  );
  keyring.forget([materialId]);
  if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion' && !allImported(key))
    key.state = 'PendingImport';
}
