import { deriveSharedSecret, importPeerPublicKey } from '../crypto/ecdh.ts';
import { Err } from '../errors.ts';
import { KEY_AGREEMENT_ALGORITHMS, KEY_ENCRYPTION_MECHANISMS } from '../model/enums.ts';
import { StateRules } from '../model/keyState.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';

/** DeriveSharedSecret with KEY_AGREEMENT keys (NIST ECC): the raw ECDH shared secret. */
export const keyAgreementOperations: OperationFamily = [
  {
    name: 'DeriveSharedSecret',
    action: 'kms:DeriveSharedSecret',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct(
      {
        KeyId: S.keyId,
        KeyAgreementAlgorithm: S.enum(KEY_AGREEMENT_ALGORITHMS),
        PublicKey: S.blob(1, 8192),
        GrantTokens: S.grantTokens,
        DryRun: S.bool,
        Recipient: S.struct({
          KeyEncryptionAlgorithm: S.enum(KEY_ENCRYPTION_MECHANISMS),
          AttestationDocument: S.blob(1, 262144),
        }),
      },
      ['KeyId', 'KeyAgreementAlgorithm', 'PublicKey'],
    ),
    validate(input) {
      if (input.Recipient !== undefined)
        throw Err.UnsupportedOperation('Recipient (Nitro Enclaves attestation) is not simulated in KMS Lab.');
    },
    keys: [
      {
        role: 'key',
        field: 'KeyId',
        forms: 'A',
        state: StateRules.asymmetricCrypto,
        usage: ['KEY_AGREEMENT'],
      },
    ],
    // The peer's public key is checked before DryRun is answered.
    precheck: async (ctx) => void (await importPeerPublicKey(ctx.keys.key!, ctx.input.PublicKey)),
    async handler(ctx) {
      const key = ctx.keys.key!;
      const peer = await importPeerPublicKey(key, ctx.input.PublicKey);
      return {
        KeyId: key.arn,
        SharedSecret: await deriveSharedSecret(ctx.keyring, key, peer),
        KeyAgreementAlgorithm: 'ECDH',
        KeyOrigin: key.origin,
      };
    },
  },
];
