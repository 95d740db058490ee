import { generateKeyPair } from '../crypto/asymmetricMaterial.ts';
import { sealSymmetric } from '../crypto/symmetric.ts';
import { Err } from '../errors.ts';
import { DATA_KEY_PAIR_SPECS, KEY_ENCRYPTION_MECHANISMS, type KeySpec } from '../model/enums.ts';
import { StateRules } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import type { KeyTarget, OperationFamily, OperationSpec } from './registry.ts';
import { S } from './shape.ts';

/**
 * GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh key pair for use outside
 * KMS. The public key is DER SubjectPublicKeyInfo; the private key is DER PKCS#8, returned in
 * plaintext (GenerateDataKeyPair only) and encrypted under a symmetric encryption KMS key with the
 * usual ciphertext blob and encryption context, so Decrypt can recover it later.
 */
const wrappingKey: KeyTarget = {
  role: 'key',
  field: 'KeyId',
  forms: 'A',
  state: StateRules.crypto,
  usage: ['ENCRYPT_DECRYPT'],
};

/** Symmetric encryption keys only; an RSA ENCRYPT_DECRYPT key passes the usage check but not this. */
export function requireSymmetricKey(ctx: CallContext): void {
  const key = ctx.keys.key!;
  if (key.keySpec !== 'SYMMETRIC_DEFAULT')
    // (unverified) wording as local-kms answers it for asymmetric ENCRYPT_DECRYPT keys.
    throw Err.InvalidKeyUsage(
      `${key.arn} key KeySpec is ${key.keySpec} which is not valid for ${ctx.op.name}.`,
    );
}

function validate(input: Record<string, unknown>) {
  if (input.Recipient !== undefined)
    throw Err.UnsupportedOperation('Recipient (Nitro Enclaves attestation) is not simulated in KMS Lab.');
  // SM2 exists only in China Regions, which this world does not have.
  if (input.KeyPairSpec === 'SM2')
    throw Err.UnsupportedOperation('KeyPairSpec SM2 is not supported in this Region');
}

function dataKeyPairOperation(name: string, withPlaintext: boolean): OperationSpec {
  return {
    name,
    action: `kms:${name}`,
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct(
      {
        EncryptionContext: S.encryptionContext,
        KeyId: S.keyId,
        KeyPairSpec: S.enum(DATA_KEY_PAIR_SPECS),
        GrantTokens: S.grantTokens,
        ...(withPlaintext
          ? {
              Recipient: S.struct({
                KeyEncryptionAlgorithm: S.enum(KEY_ENCRYPTION_MECHANISMS),
                AttestationDocument: S.blob(1, 262144),
              }),
            }
          : {}),
        DryRun: S.bool,
      },
      ['KeyId', 'KeyPairSpec'],
    ),
    validate,
    keys: [wrappingKey],
    precheck: requireSymmetricKey,
    async handler(ctx) {
      const key = ctx.keys.key!;
      const spec = ctx.input.KeyPairSpec as KeySpec;
      const pair = await generateKeyPair(spec);
      const sealed = await sealSymmetric(ctx.keyring, key, pair.privateKey, ctx.input.EncryptionContext);
      if (!withPlaintext) pair.privateKey.fill(0);
      return {
        PrivateKeyCiphertextBlob: sealed.blob,
        ...(withPlaintext ? { PrivateKeyPlaintext: pair.privateKey } : {}),
        PublicKey: pair.publicKey,
        KeyId: key.arn,
        KeyPairSpec: spec,
        KeyMaterialId: sealed.materialId,
      };
    },
  };
}

export const dataKeyPairOperations: OperationFamily = [
  dataKeyPairOperation('GenerateDataKeyPair', true),
  dataKeyPairOperation('GenerateDataKeyPairWithoutPlaintext', false),
];
