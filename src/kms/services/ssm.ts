/**
 * AWS Systems Manager Parameter Store SecureString parameters (kms-api.md §15), shapes of
 * `@aws-sdk/client-ssm`:
 *
 * - Standard tier: Parameter Store calls KMS Encrypt (PutParameter) and Decrypt (GetParameter
 *   WithDecryption) directly on the value (≤ 4 KB), encryption context `{"PARAMETER_ARN": <ARN>}`.
 * - Advanced tier (≤ 8 KB): envelope encryption — GenerateDataKey with the same context, the value
 *   encrypted locally with the data key (AWS uses the AWS Encryption SDK), Decrypt of the data key on read.
 * - Default key `alias/aws/ssm` (created on first use), or KeyId.
 *
 * GetParameter without WithDecryption returns the encrypted value (base64) and makes no KMS call.
 * Errors: `ParameterNotFound`, `ParameterAlreadyExists`, `ParameterMaxVersionLimitExceeded` is not
 * simulated; KMS failures pass through with KMS's exception name (unverified wording).
 */
import { KmsError } from '../errors.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { encodeBase64 } from '../protocol/base64.ts';
import {
  callKms,
  fromUtf8,
  keyArnOf,
  newResource,
  openWithDataKey,
  sealWithDataKey,
  serviceError,
  serviceOperation,
  utf8,
  type ServiceInfo,
} from './common.ts';

export const SSM: ServiceInfo = {
  actionPrefix: 'ssm',
  endpointPrefix: 'ssm',
  principal: 'ssm.amazonaws.com',
  eventSource: 'ssm.amazonaws.com',
  // (unverified) Parameter Store passes KMS's exception name and message on.
  kmsError: (e) => new KmsError(e.code, e.message),
};

export const PARAMETER_KIND = 'ssm:parameter';
export const DEFAULT_SSM_KEY = 'alias/aws/ssm';
const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;

export interface ParameterData {
  readonly name: string;
  readonly type: 'String' | 'StringList' | 'SecureString';
  readonly tier: 'Standard' | 'Advanced';
  readonly version: number;
  readonly lastModified: number;
  readonly description?: string;
  /** Plain value (String, StringList). */
  readonly value?: string;
  /** SecureString: the key that protects it. */
  readonly kmsKeyArn?: string;
  /** Standard tier: the KMS ciphertext of the value. Advanced: the value sealed under the data key. */
  readonly ciphertext?: Uint8Array<ArrayBuffer>;
  /** Advanced tier: the data key, encrypted under the KMS key. */
  readonly encryptedDataKey?: Uint8Array<ArrayBuffer>;
}

/** `arn:aws:ssm:<region>:<acct>:parameter/<name without its leading slash>`. */
export const parameterArn = (region: string, account: string, name: string): string =>
  `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;

function parameter(ctx: CallContext, name: string): ResourceRecord<ParameterData> {
  const p = ctx.tx.resource<ParameterData>(parameterArn(ctx.region, ctx.accountId, name));
  if (!p || p.kind !== PARAMETER_KIND) throw serviceError('ParameterNotFound', ''); // (unverified) empty message
  return p;
}

const parameterName = S.str(1, 2048, '^[a-zA-Z0-9_.\\-/]+$');

export const ssmOperations: OperationFamily = [
  serviceOperation(SSM, {
    name: 'PutParameter',
    mutates: true,
    resource: (ctx) => parameterArn(ctx.region, ctx.accountId, ctx.input.Name),
    input: S.struct(
      {
        Name: parameterName,
        Value: S.str(0, ADVANCED_MAX),
        Type: S.enum(['String', 'StringList', 'SecureString']),
        KeyId: S.str(1, 256),
        Overwrite: S.bool,
        Description: S.str(0, 1024),
        Tier: S.enum(['Standard', 'Advanced', 'Intelligent-Tiering']),
      },
      ['Name', 'Value'],
    ),
    async handler(ctx) {
      const i = ctx.input;
      const arn = parameterArn(ctx.region, ctx.accountId, i.Name);
      const existing = ctx.tx.resource<ParameterData>(arn);
      if (existing && i.Overwrite !== true)
        throw serviceError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        );
      const type: ParameterData['type'] = i.Type ?? existing?.data.type ?? 'String';
      if (i.KeyId !== undefined && type !== 'SecureString')
        throw serviceError('ValidationException', 'KeyId is required for SecureString type parameter only.'); // (unverified)
      const bytes = utf8(i.Value);
      const tier: ParameterData['tier'] =
        i.Tier === 'Advanced' ||
        existing?.data.tier === 'Advanced' ||
        (i.Tier === 'Intelligent-Tiering' && bytes.length > STANDARD_MAX)
          ? 'Advanced'
          : 'Standard';
      if (tier === 'Standard' && bytes.length > STANDARD_MAX)
        throw serviceError(
          'ValidationException',
          `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
        ); // (unverified)
      let secure: Pick<ParameterData, 'kmsKeyArn' | 'ciphertext' | 'encryptedDataKey'> = {};
      if (type === 'SecureString') {
        const keyRef = i.KeyId ?? existing?.data.kmsKeyArn ?? DEFAULT_SSM_KEY;
        const EncryptionContext = { PARAMETER_ARN: arn };
        if (tier === 'Standard') {
          const out = await callKms(SSM, ctx, 'Encrypt', {
            KeyId: keyRef,
            Plaintext: bytes,
            EncryptionContext,
          });
          secure = { kmsKeyArn: keyArnOf(out), ciphertext: out.CiphertextBlob as Uint8Array<ArrayBuffer> };
        } else {
          const out = await callKms(SSM, ctx, 'GenerateDataKey', {
            KeyId: keyRef,
            KeySpec: 'AES_256',
            EncryptionContext,
          });
          const dataKey = out.Plaintext as Uint8Array<ArrayBuffer>;
          secure = {
            kmsKeyArn: keyArnOf(out),
            encryptedDataKey: out.CiphertextBlob as Uint8Array<ArrayBuffer>,
            ciphertext: await sealWithDataKey(dataKey, bytes, arn),
          };
          dataKey.fill(0);
        }
      }
      const version = (existing?.data.version ?? 0) + 1;
      const data: ParameterData = {
        name: i.Name,
        type,
        tier,
        version,
        lastModified: ctx.now,
        ...((i.Description ?? existing?.data.description)
          ? { description: i.Description ?? existing?.data.description }
          : {}),
        ...(type === 'SecureString' ? secure : { value: i.Value }),
      };
      ctx.tx.putResource(existing ? { ...existing, data } : newResource(ctx, PARAMETER_KIND, arn, data));
      return { Version: version, Tier: tier };
    },
    // CloudTrail never logs a SecureString's value (unverified: Parameter Store logs no value at all).
    trailRequest: (ctx) => {
      const { Value: _v, ...rest } = ctx.input as Record<string, unknown>;
      void _v;
      return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), v]));
    },
  }),
  serviceOperation(SSM, {
    name: 'GetParameter',
    mutates: false,
    resource: (ctx) => parameterArn(ctx.region, ctx.accountId, ctx.input.Name),
    input: S.struct({ Name: parameterName, WithDecryption: S.bool }, ['Name']),
    async handler(ctx) {
      const p = parameter(ctx, ctx.input.Name);
      const d = p.data;
      let value = d.value ?? '';
      if (d.type === 'SecureString') {
        const EncryptionContext = { PARAMETER_ARN: p.arn };
        if (ctx.input.WithDecryption !== true) value = encodeBase64(d.encryptedDataKey ?? d.ciphertext!);
        else if (d.tier === 'Standard') {
          const out = await callKms(SSM, ctx, 'Decrypt', { CiphertextBlob: d.ciphertext, EncryptionContext });
          value = fromUtf8(out.Plaintext as Uint8Array);
        } else {
          const out = await callKms(SSM, ctx, 'Decrypt', {
            CiphertextBlob: d.encryptedDataKey,
            EncryptionContext,
          });
          const dataKey = out.Plaintext as Uint8Array<ArrayBuffer>;
          value = fromUtf8(await openWithDataKey(dataKey, d.ciphertext!, p.arn));
          dataKey.fill(0);
        }
      }
      return {
        Parameter: {
          Name: d.name,
          Type: d.type,
          Value: value,
          Version: d.version,
          LastModifiedDate: new Date(d.lastModified),
          ARN: p.arn,
          DataType: 'text',
        },
      };
    },
  }),
  serviceOperation(SSM, {
    name: 'DeleteParameter',
    mutates: true,
    resource: (ctx) => parameterArn(ctx.region, ctx.accountId, ctx.input.Name),
    input: S.struct({ Name: parameterName }, ['Name']),
    handler(ctx) {
      ctx.tx.deleteResource(parameter(ctx, ctx.input.Name).arn);
      return {};
    },
  }),
];
