import { generateMac, verifyMac } from '../crypto/hmac.ts';
import { Err, KmsError } from '../errors.ts';
import { isHmacSpec, macAlgorithm } from '../model/algorithms.ts';
import { MAC_ALGORITHMS } from '../model/enums.ts';
import { StateRules } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import type { KeyTarget, OperationFamily } from './registry.ts';
import { S } from './shape.ts';

/** GenerateMac and VerifyMac with HMAC keys (kms-api.md §2.2). */
const macKey: KeyTarget = {
  role: 'key',
  field: 'KeyId',
  forms: 'A',
  state: StateRules.asymmetricCrypto,
  usage: ['GENERATE_VERIFY_MAC'],
};

/** Each HMAC key spec takes exactly one MAC algorithm. */
function checkMacAlgorithm(ctx: CallContext) {
  const key = ctx.keys.key!;
  const algorithm = ctx.input.MacAlgorithm as string;
  if (!isHmacSpec(key.keySpec) || macAlgorithm(key.keySpec) !== algorithm)
    throw Err.InvalidKeyUsage(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
}

const macMembers = {
  Message: S.blob(1, 4096, true),
  KeyId: S.keyId,
  MacAlgorithm: S.enum(MAC_ALGORITHMS),
  GrantTokens: S.grantTokens,
  DryRun: S.bool,
};

export const macOperations: OperationFamily = [
  {
    name: 'GenerateMac',
    action: 'kms:GenerateMac',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct(macMembers, ['Message', 'KeyId', 'MacAlgorithm']),
    keys: [macKey],
    precheck: checkMacAlgorithm,
    async handler(ctx) {
      const key = ctx.keys.key!;
      const mac = await generateMac(ctx.keyring, key, ctx.input.Message);
      return { Mac: mac, MacAlgorithm: ctx.input.MacAlgorithm, KeyId: key.arn };
    },
  },
  {
    name: 'VerifyMac',
    action: 'kms:VerifyMac',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct({ ...macMembers, Mac: S.blob(1, 6144) }, ['Message', 'KeyId', 'MacAlgorithm', 'Mac']),
    keys: [macKey],
    precheck: checkMacAlgorithm,
    async handler(ctx) {
      const key = ctx.keys.key!;
      // AWS never answers MacValid=false: a MAC that does not match is an error.
      if (!(await verifyMac(ctx.keyring, key, ctx.input.Message, ctx.input.Mac)))
        throw new KmsError('KMSInvalidMacException', '');
      return { KeyId: key.arn, MacValid: true, MacAlgorithm: ctx.input.MacAlgorithm };
    },
  },
];
