/**
 * What every simulated AWS service shares (kms-api.md §15): its operations are engine operations
 * named `<service>:<Action>` (like the simulated IAM API), authorized as the service's own IAM
 * action on the resource's ARN (identity policies; the root user of the account may do anything),
 * and they call KMS as the service on the caller's behalf through `ctx.kms` — the whole KMS
 * pipeline, with `kms:ViaService`, `kms:CallerAccount`, the service's encryption context and grants.
 * So a caller needs both keys: the service permission and the KMS permission.
 */
import { isKmsError, KmsError } from '../errors.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationSpec, ServiceOperationInfo } from '../operations/registry.ts';
import { randomBytes } from '../crypto/random.ts';
import type { Principal } from '../world/principal.ts';

/** A service's identity for the pipeline, and the names it gives KMS failures. */
export interface ServiceInfo extends ServiceOperationInfo {
  /** The IAM action prefix (`s3`, `ec2`, `ssm`, `secretsmanager`, `rds`, `redshift`). */
  readonly actionPrefix: string;
  /** CloudTrail eventSource of its management calls (`ec2.amazonaws.com`). */
  readonly eventSource: string;
  /** How the service reports a KMS error to its caller. */
  readonly kmsError: (e: KmsError, kmsAction: string) => KmsError;
}

/** Builds one service operation: key-less, authorized on identity policies against `resource`. */
export function serviceOperation(
  service: ServiceInfo,
  spec: Omit<
    OperationSpec,
    'name' | 'action' | 'readOnly' | 'eventSource' | 'resource' | 'service' | 'mutates'
  > & {
    name: string;
    /** The IAM action when it is not `<prefix>:<name>` (HeadObject is authorized as s3:GetObject). */
    action?: string;
    mutates: boolean;
    resource: (ctx: CallContext) => string;
    /** A CloudTrail data event (S3 object operations), not recorded by default trails. */
    dataEvent?: boolean;
  },
): OperationSpec {
  const { dataEvent, action, ...rest } = spec;
  return {
    ...rest,
    name: `${service.actionPrefix}:${spec.name}`,
    action: action ?? `${service.actionPrefix}:${spec.name}`,
    readOnly: !spec.mutates,
    eventSource: service.eventSource,
    service: {
      endpointPrefix: service.endpointPrefix,
      principal: service.principal,
      ...(service.accessDeniedCode ? { accessDeniedCode: service.accessDeniedCode } : {}),
      ...(dataEvent ? { dataEvent } : {}),
    },
  };
}

/** The explanation a service attaches when KMS refused it: which permission was missing. */
export interface KmsPermissionMissing {
  readonly rule: 'kms-permission-missing';
  readonly summary: string;
  /** The service permission the caller had (the service call itself was authorized). */
  readonly servicePermission: string;
  /** The KMS permission KMS refused, e.g. `kms:Decrypt`. */
  readonly missingPermission: string;
  readonly keyArn?: string;
  /** KMS's own explanation of its denial (policies, grants, conditions considered). */
  readonly kms: unknown;
}

/**
 * Calls KMS as the service on the caller's behalf; a KMS failure becomes the service's error,
 * and a denial says which of the two permissions was missing.
 */
export async function callKms(
  service: ServiceInfo,
  ctx: CallContext,
  operation: string,
  input: Record<string, unknown>,
  options: { readonly as?: Principal; readonly region?: string } = {},
): Promise<Record<string, unknown>> {
  if (!ctx.kms) throw new Error(`${ctx.op.name} is not a service operation`);
  try {
    return await ctx.kms(operation, input, options);
  } catch (e) {
    if (!isKmsError(e)) throw e;
    const kmsAction = `kms:${operation}`;
    const err = service.kmsError(e, kmsAction);
    if (e.code === 'AccessDeniedException') {
      const resource = /on resource: (\S+)/.exec(e.message)?.[1];
      const explanation: KmsPermissionMissing = {
        rule: 'kms-permission-missing',
        summary: `${ctx.op.action} was allowed, but AWS KMS denied ${kmsAction}${resource ? ` on ${resource}` : ''}: ${service.actionPrefix.toUpperCase()} needs both permissions (the service's and the KMS key's).`,
        servicePermission: ctx.op.action,
        missingPermission: kmsAction,
        ...(resource ? { keyArn: resource } : {}),
        kms: e.explanation,
      };
      err.explanation = explanation;
    }
    throw err;
  }
}

/** A record of the resources collection, created now in the caller's account and Region. */
export function newResource<T>(ctx: CallContext, kind: string, arn: string, data: T): ResourceRecord<T> {
  return { arn, kind, accountId: ctx.accountId, region: ctx.region, createdAt: ctx.now, data };
}

/** A resource of the caller's account, or undefined. */
export function ownResource<T>(ctx: CallContext, arn: string, kind: string): ResourceRecord<T> | undefined {
  const r = ctx.tx.resource<T>(arn);
  return r && r.kind === kind && r.accountId === ctx.accountId ? r : undefined;
}

/** Stages a changed copy of a resource. */
export function updateResource<T>(
  ctx: CallContext,
  r: ResourceRecord<T>,
  data: Partial<T>,
): ResourceRecord<T> {
  const next = { ...r, data: { ...r.data, ...data } };
  ctx.tx.putResource(next as ResourceRecord);
  return next;
}

/** Hex resource IDs as EC2 prints them (`vol-` + 17 hex). */
export const ec2Id = (prefix: string): string =>
  `${prefix}-${Array.from(randomBytes(9), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 17)}`;

const te = new TextEncoder();
const td = new TextDecoder();
export const utf8 = (s: string): Uint8Array<ArrayBuffer> => te.encode(s) as Uint8Array<ArrayBuffer>;
export const fromUtf8 = (b: Uint8Array): string => td.decode(b);

/** Encrypts data locally with a plaintext data key (AES-256-GCM; 12-byte IV ‖ ciphertext ‖ tag). */
export async function sealWithDataKey(
  dataKey: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
  aad: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', dataKey, 'AES-GCM', false, ['encrypt']);
  const iv = randomBytes(12);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(aad) }, key, data),
  );
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv);
  out.set(sealed, 12);
  return out;
}

/** Decrypts what {@link sealWithDataKey} produced. */
export async function openWithDataKey(
  dataKey: Uint8Array<ArrayBuffer>,
  sealed: Uint8Array<ArrayBuffer>,
  aad: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', dataKey, 'AES-GCM', false, ['decrypt']);
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: utf8(aad) },
      key,
      sealed.subarray(12),
    ),
  );
}

/** A service's own error (AWS's exception name and message). */
export const serviceError = (code: string, message: string): KmsError => new KmsError(code, message);

/** The KMS key ARN a KMS output names (`KeyId` is the key ARN in every crypto response). */
export const keyArnOf = (out: Record<string, unknown>): string => out.KeyId as string;
