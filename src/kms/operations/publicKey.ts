import { CUSTOMER_MASTER_KEY_SPECS } from '../model/enums.ts';
import { Err } from '../errors.ts';
import { algorithmLists } from '../model/algorithms.ts';
import { StateRules } from '../model/keyState.ts';
import type { OperationFamily } from './registry.ts';
import { S } from './shape.ts';

/**
 * GetPublicKey: the public key of an asymmetric key as DER SubjectPublicKeyInfo, which works
 * outside KMS (node:crypto, OpenSSL, Java) for users who cannot call KMS.
 */
export const publicKeyOperations: OperationFamily = [
  {
    name: 'GetPublicKey',
    action: 'kms:GetPublicKey',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    input: S.struct({ KeyId: S.keyId, GrantTokens: S.grantTokens }, ['KeyId']),
    keys: [{ role: 'key', field: 'KeyId', forms: 'A', state: StateRules.asymmetricCrypto }],
    precheck(ctx) {
      // (unverified) wording, as other KMS emulators answer symmetric and HMAC keys.
      if (!ctx.keys.key!.publicKey)
        throw Err.UnsupportedOperation('GetPublicKey is not supported for symmetric keys.');
    },
    handler(ctx) {
      const key = ctx.keys.key!;
      return {
        KeyId: key.arn,
        PublicKey: key.publicKey!.slice(),
        ...((CUSTOMER_MASTER_KEY_SPECS as readonly string[]).includes(key.keySpec)
          ? { CustomerMasterKeySpec: key.keySpec }
          : {}),
        KeySpec: key.keySpec,
        KeyUsage: key.keyUsage,
        ...algorithmLists(key.keySpec, key.keyUsage),
      };
    },
  },
];
