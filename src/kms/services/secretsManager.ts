/**
 * AWS Secrets Manager (kms-api.md §15), shapes of `@aws-sdk/client-secrets-manager`: every secret
 * version gets its own data key — GenerateDataKey with encryption context
 * `{"SecretARN": <secret ARN>, "SecretVersionId": <version ID>}` as Secrets Manager on the caller's
 * behalf — the value is encrypted locally with it, and GetSecretValue calls Decrypt with the same
 * context. Default key `alias/aws/secretsmanager` (created on first use), or KmsKeyId.
 *
 * Errors follow Secrets Manager: `ResourceNotFoundException`, `ResourceExistsException`,
 * `AccessDeniedException` ("Access to KMS is not allowed") when KMS denies, `DecryptionFailure` /
 * `EncryptionFailure` for other KMS failures (unverified wording).
 */
import { KmsError } from '../errors.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { randomBytes } from '../crypto/random.ts';
import {
  callKms,
  fromUtf8,
  keyArnOf,
  newResource,
  openWithDataKey,
  sealWithDataKey,
  serviceError,
  serviceOperation,
  updateResource,
  utf8,
  type ServiceInfo,
} from './common.ts';

export const SECRETS_MANAGER: ServiceInfo = {
  actionPrefix: 'secretsmanager',
  endpointPrefix: 'secretsmanager',
  principal: 'secretsmanager.amazonaws.com',
  eventSource: 'secretsmanager.amazonaws.com',
  kmsError: (e, action) =>
    e.code === 'AccessDeniedException'
      ? new KmsError('AccessDeniedException', 'Access to KMS is not allowed')
      : action === 'kms:Decrypt'
        ? new KmsError(
            'DecryptionFailure',
            "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
          )
        : new KmsError(
            'EncryptionFailure',
            "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.",
          ),
};

export const SECRET_KIND = 'secretsmanager:secret';
export const DEFAULT_SECRETS_KEY = 'alias/aws/secretsmanager';

interface SecretVersion {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: number;
  readonly kmsKeyArn: string;
  readonly encryptedDataKey: Uint8Array<ArrayBuffer>;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly binary: boolean;
}

export interface SecretData {
  readonly name: string;
  readonly description?: string;
  /** As configured; absent: `alias/aws/secretsmanager`. */
  readonly kmsKeyId?: string;
  readonly versions: readonly SecretVersion[];
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** `arn:aws:secretsmanager:<region>:<acct>:secret:<name>-<6 random characters>`. */
const newSecretArn = (ctx: CallContext, name: string) =>
  `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${Array.from(randomBytes(6), (b) => ALNUM[b % 62]).join('')}`;

function secret(ctx: CallContext, id: string): ResourceRecord<SecretData> {
  const s = id.startsWith('arn:')
    ? ctx.tx.resource<SecretData>(id)
    : ctx.tx.resources<SecretData>(SECRET_KIND, ctx.accountId, ctx.region).find((r) => r.data.name === id);
  if (!s || s.kind !== SECRET_KIND || s.accountId !== ctx.accountId)
    throw serviceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  return s;
}

/** Resource ARN the IAM action is authorized on: the secret's ARN when it exists. */
const secretResource = (ctx: CallContext) => {
  const id = ctx.input.SecretId as string;
  if (id.startsWith('arn:')) return id;
  return (
    ctx.tx.resources<SecretData>(SECRET_KIND, ctx.accountId, ctx.region).find((r) => r.data.name === id)
      ?.arn ?? `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${id}`
  );
};

/** A new version: its own data key from KMS, the value encrypted locally. */
async function newVersion(
  ctx: CallContext,
  arn: string,
  keyRef: string,
  value: Uint8Array<ArrayBuffer>,
  binary: boolean,
  versionId: string,
): Promise<SecretVersion> {
  const out = await callKms(SECRETS_MANAGER, ctx, 'GenerateDataKey', {
    KeyId: keyRef,
    KeySpec: 'AES_256',
    EncryptionContext: { SecretARN: arn, SecretVersionId: versionId },
  });
  const dataKey = out.Plaintext as Uint8Array<ArrayBuffer>;
  const ciphertext = await sealWithDataKey(dataKey, value, `${arn}#${versionId}`);
  dataKey.fill(0);
  return {
    versionId,
    stages: ['AWSCURRENT'],
    createdAt: ctx.now,
    kmsKeyArn: keyArnOf(out),
    encryptedDataKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
    ciphertext,
    binary,
  };
}

function valueOf(input: { SecretString?: string; SecretBinary?: Uint8Array<ArrayBuffer> }) {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined)
    throw serviceError(
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    ); // (unverified)
  if (input.SecretBinary !== undefined) return { bytes: input.SecretBinary, binary: true };
  if (input.SecretString !== undefined) return { bytes: utf8(input.SecretString), binary: false };
  return undefined;
}

const versionId = S.str(32, 64, '^[a-zA-Z0-9-]+$');
const secretValueMembers = { SecretString: S.str(0, 65536), SecretBinary: S.blob(0, 65536, true) };
const stripSecrets = (ctx: CallContext) => {
  const { SecretString: _s, SecretBinary: _b, ...rest } = ctx.input as Record<string, unknown>;
  void _s;
  void _b;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), v]));
};

export const secretsManagerOperations: OperationFamily = [
  serviceOperation(SECRETS_MANAGER, {
    name: 'CreateSecret',
    mutates: true,
    resource: (ctx) => `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${ctx.input.Name}-*`,
    input: S.struct(
      {
        Name: S.str(1, 512, '^[a-zA-Z0-9/_+=.@-]+$'),
        Description: S.str(0, 2048),
        KmsKeyId: S.str(0, 2048),
        ClientRequestToken: versionId,
        ...secretValueMembers,
      },
      ['Name'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      if (
        ctx.tx
          .resources<SecretData>(SECRET_KIND, ctx.accountId, ctx.region)
          .some((r) => r.data.name === i.Name)
      )
        throw serviceError(
          'ResourceExistsException',
          `The operation failed because the secret ${i.Name} already exists.`,
        );
      const arn = newSecretArn(ctx, i.Name);
      const value = valueOf(i);
      const version = value
        ? await newVersion(
            ctx,
            arn,
            i.KmsKeyId || DEFAULT_SECRETS_KEY,
            value.bytes,
            value.binary,
            i.ClientRequestToken ?? crypto.randomUUID(),
          )
        : undefined;
      const data: SecretData = {
        name: i.Name,
        ...(i.Description ? { description: i.Description } : {}),
        ...(i.KmsKeyId ? { kmsKeyId: i.KmsKeyId } : {}),
        versions: version ? [version] : [],
      };
      ctx.tx.putResource(newResource(ctx, SECRET_KIND, arn, data));
      return { ARN: arn, Name: i.Name, ...(version ? { VersionId: version.versionId } : {}) };
    },
    trailRequest: stripSecrets,
  }),
  serviceOperation(SECRETS_MANAGER, {
    name: 'PutSecretValue',
    mutates: true,
    resource: secretResource,
    input: S.struct({ SecretId: S.str(1, 2048), ClientRequestToken: versionId, ...secretValueMembers }, [
      'SecretId',
    ]),
    async handler(ctx) {
      const s = secret(ctx, ctx.input.SecretId);
      const value = valueOf(ctx.input);
      if (!value)
        throw serviceError(
          'InvalidRequestException',
          'You must provide either SecretString or SecretBinary.',
        ); // (unverified)
      const version = await newVersion(
        ctx,
        s.arn,
        s.data.kmsKeyId || DEFAULT_SECRETS_KEY,
        value.bytes,
        value.binary,
        ctx.input.ClientRequestToken ?? crypto.randomUUID(),
      );
      // AWSCURRENT moves to the new version; the old current becomes AWSPREVIOUS.
      const versions = s.data.versions
        .filter((v) => v.stages.some((st) => st === 'AWSCURRENT'))
        .map((v) => ({ ...v, stages: ['AWSPREVIOUS'] }));
      const others = s.data.versions
        .filter((v) => !v.stages.includes('AWSCURRENT'))
        .map((v) => ({ ...v, stages: v.stages.filter((st) => st !== 'AWSPREVIOUS') }));
      updateResource(ctx, s, { versions: [...others, ...versions, version] });
      return { ARN: s.arn, Name: s.data.name, VersionId: version.versionId, VersionStages: ['AWSCURRENT'] };
    },
    trailRequest: stripSecrets,
  }),
  serviceOperation(SECRETS_MANAGER, {
    name: 'GetSecretValue',
    mutates: false,
    resource: secretResource,
    input: S.struct({ SecretId: S.str(1, 2048), VersionId: versionId, VersionStage: S.str(1, 256) }, [
      'SecretId',
    ]),
    async handler(ctx) {
      const s = secret(ctx, ctx.input.SecretId);
      const v = ctx.input.VersionId
        ? s.data.versions.find((x) => x.versionId === ctx.input.VersionId)
        : s.data.versions.find((x) => x.stages.includes(ctx.input.VersionStage ?? 'AWSCURRENT'));
      if (!v)
        throw serviceError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        ); // (unverified)
      const out = await callKms(SECRETS_MANAGER, ctx, 'Decrypt', {
        CiphertextBlob: v.encryptedDataKey,
        EncryptionContext: { SecretARN: s.arn, SecretVersionId: v.versionId },
      });
      const dataKey = out.Plaintext as Uint8Array<ArrayBuffer>;
      const bytes = await openWithDataKey(dataKey, v.ciphertext, `${s.arn}#${v.versionId}`);
      dataKey.fill(0);
      return {
        ARN: s.arn,
        Name: s.data.name,
        VersionId: v.versionId,
        ...(v.binary ? { SecretBinary: bytes } : { SecretString: fromUtf8(bytes) }),
        VersionStages: [...v.stages],
        CreatedDate: new Date(v.createdAt),
      };
    },
  }),
  serviceOperation(SECRETS_MANAGER, {
    name: 'DescribeSecret',
    mutates: false,
    resource: secretResource,
    input: S.struct({ SecretId: S.str(1, 2048) }, ['SecretId']),
    handler(ctx) {
      const s = secret(ctx, ctx.input.SecretId);
      return {
        ARN: s.arn,
        Name: s.data.name,
        ...(s.data.description ? { Description: s.data.description } : {}),
        ...(s.data.kmsKeyId ? { KmsKeyId: s.data.kmsKeyId } : {}),
        CreatedDate: new Date(s.createdAt),
        VersionIdsToStages: Object.fromEntries(s.data.versions.map((v) => [v.versionId, [...v.stages]])),
      };
    },
  }),
];
