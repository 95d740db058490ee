import { sign, verify, type MessageType, type SigningRequest } from '../crypto/signing.ts';
import { Err, KmsError } from '../errors.ts';
import { algorithmHash, HASH_BYTES, isMlDsaSpec, signingAlgorithms } from '../model/algorithms.ts';
import { MESSAGE_TYPES, SIGNING_ALGORITHMS } from '../model/enums.ts';
import { StateRules } from '../model/keyState.ts';
import type { CallContext } from './context.ts';
import type { KeyTarget, OperationFamily } from './registry.ts';
import { S } from './shape.ts';

/** Sign and Verify with asymmetric SIGN_VERIFY keys (kms-api.md §2.2, §3). */
const signingKey: KeyTarget = {
  role: 'key',
  field: 'KeyId',
  forms: 'A',
  state: StateRules.asymmetricCrypto,
  usage: ['SIGN_VERIFY'],
};

/** μ for ML-DSA EXTERNAL_MU is 64 bytes (FIPS 204). */
const MU_BYTES = 64;

/**
 * The request checks AWS makes before signing, in its order: algorithm against key spec
 * (InvalidKeyUsageException), then message type against algorithm or key spec, then digest length
 * (ValidationException).
 */
function signingRequest(ctx: CallContext): SigningRequest {
  const key = ctx.keys.key!;
  const algorithm = ctx.input.SigningAlgorithm as string;
  const messageType = (ctx.input.MessageType ?? 'RAW') as MessageType;
  const message = ctx.input.Message as Uint8Array<ArrayBuffer>;
  if (!signingAlgorithms(key.keySpec).includes(algorithm))
    throw Err.InvalidKeyUsage(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  if (isMlDsaSpec(key.keySpec)) {
    if (messageType === 'DIGEST')
      throw Err.Validation(`Message type DIGEST is incompatible with key spec ${key.keySpec}.`);
    // (unverified) wording for a μ of the wrong length, modelled on the DIGEST message.
    if (messageType === 'EXTERNAL_MU' && message.length !== MU_BYTES)
      throw Err.Validation(`Digest is invalid length for algorithm ${algorithm}.`);
  } else if (messageType === 'EXTERNAL_MU')
    // (unverified) modelled on AWS's ML-DSA DIGEST message.
    throw Err.Validation(`Message type EXTERNAL_MU is incompatible with key spec ${key.keySpec}.`);
  if (algorithm === 'ED25519_SHA_512' && messageType !== 'RAW')
    throw Err.Validation(`Message type ${messageType} is incompatible with algorithm ${algorithm}.`);
  if (algorithm === 'ED25519_PH_SHA_512' && messageType !== 'DIGEST')
    throw Err.Validation(`Message type ${messageType} is incompatible with algorithm ${algorithm}.`);
  if (messageType === 'DIGEST' && message.length !== HASH_BYTES[algorithmHash(algorithm)])
    throw Err.Validation(`Digest is invalid length for algorithm ${algorithm}.`);
  return { key, algorithm, messageType, message };
}

const signingMembers = {
  KeyId: S.keyId,
  Message: S.blob(1, 4096, true),
  MessageType: S.enum(MESSAGE_TYPES),
  GrantTokens: S.grantTokens,
  SigningAlgorithm: S.enum(SIGNING_ALGORITHMS),
  DryRun: S.bool,
};

export const signingOperations: OperationFamily = [
  {
    name: 'Sign',
    action: 'kms:Sign',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct(signingMembers, ['KeyId', 'Message', 'SigningAlgorithm']),
    keys: [signingKey],
    precheck: (ctx) => void signingRequest(ctx),
    async handler(ctx) {
      const request = signingRequest(ctx);
      const signature = await sign(ctx.keyring, request);
      return { KeyId: request.key.arn, Signature: signature, SigningAlgorithm: request.algorithm };
    },
  },
  {
    name: 'Verify',
    action: 'kms:Verify',
    readOnly: true,
    cryptographic: true,
    mutates: false,
    supportsDryRun: true,
    input: S.struct({ ...signingMembers, Signature: S.blob(1, 6144) }, [
      'KeyId',
      'Message',
      'Signature',
      'SigningAlgorithm',
    ]),
    keys: [signingKey],
    precheck: (ctx) => void signingRequest(ctx),
    async handler(ctx) {
      const request = signingRequest(ctx);
      // AWS never answers SignatureValid=false: a signature that does not verify is an error.
      if (!(await verify(ctx.keyring, request, ctx.input.Signature)))
        throw new KmsError('KMSInvalidSignatureException', '');
      return { KeyId: request.key.arn, SignatureValid: true, SigningAlgorithm: request.algorithm };
    },
  },
];
