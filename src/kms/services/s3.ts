/**
 * Amazon S3 server-side encryption (kms-api.md §15): buckets with default encryption and
 * PutObject / GetObject / HeadObject / CopyObject, shapes of `@aws-sdk/client-s3`.
 *
 * - SSE-S3 (`AES256`, the default since 2023): a data key per object under S3's AWS owned key — no
 *   KMS call, nothing in the customer's key list or trail.
 * - SSE-KMS (`aws:kms`): GenerateDataKey per upload and Decrypt per download, as S3 on the caller's
 *   behalf (`kms:ViaService = s3.<region>.amazonaws.com`), encryption context
 *   `{"aws:s3:arn": <object ARN>}`; default key `alias/aws/s3` (created on first use) or a customer
 *   managed key.
 * - S3 Bucket Keys: one GenerateDataKey with context `{"aws:s3:arn": <bucket ARN>}` makes a
 *   short-lived bucket-level key that S3 reuses for many objects (a unique data key per object is
 *   derived under it locally), cutting KMS calls. (unverified) AWS does not publish the bucket key
 *   lifetime nor how it is cached; here it lasts {@link BUCKET_KEY_LIFETIME_MS} and is cached per
 *   requesting principal, so every principal still needs its own KMS permission.
 *
 * Object bodies are really encrypted (AES-256-GCM) with the data key; the record keeps only the
 * sealed body and the encrypted data key. Each bucket counts the KMS requests it caused.
 *
 * Errors follow S3: `NoSuchBucket`, `NoSuchKey`, `AccessDenied` (also for KMS denials, with KMS's
 * message), and other KMS failures as `KMS.<exception>` (unverified wording).
 */
import { evaluateAccess } from '../access/evaluate.ts';
import { KmsError } from '../errors.ts';
import type { KeyMaterialRecord } from '../model/key.ts';
import type { ResourceRecord } from '../model/resource.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { randomBytes, toHex } from '../crypto/random.ts';
import { openWithOwnedKey, sealWithOwnedKey } from './awsOwnedKeys.ts';
import {
  callKms,
  keyArnOf,
  newResource,
  openWithDataKey,
  sealWithDataKey,
  serviceError,
  serviceOperation,
  updateResource,
  type ServiceInfo,
} from './common.ts';

export const S3: ServiceInfo = {
  actionPrefix: 's3',
  endpointPrefix: 's3',
  principal: 's3.amazonaws.com',
  eventSource: 's3.amazonaws.com',
  accessDeniedCode: 'AccessDenied',
  // (unverified) S3 passes KMS's denial message on as AccessDenied, other KMS errors as KMS.<code>.
  kmsError: (e) =>
    e.code === 'AccessDeniedException'
      ? new KmsError('AccessDenied', e.message)
      : new KmsError(`KMS.${e.code}`, e.message),
};

/** (unverified) How long S3 reuses a bucket key before asking KMS for a new one. */
export const BUCKET_KEY_LIFETIME_MS = 60 * 60_000;

export type SseAlgorithm = 'AES256' | 'aws:kms';

export interface BucketEncryption {
  readonly SSEAlgorithm: SseAlgorithm;
  /** As configured (ID, ARN or alias); absent: `alias/aws/s3`. */
  readonly KMSMasterKeyID?: string;
  readonly BucketKeyEnabled: boolean;
}

/** A bucket key S3 holds for a requester: the KMS-encrypted key and its plaintext wrapped at rest. */
interface CachedBucketKey {
  /** The key as the bucket configuration names it (ID, ARN or alias). */
  readonly keyRef: string;
  readonly kmsKeyArn: string;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly material: KeyMaterialRecord;
  readonly expiresAt: number;
}

export interface BucketData {
  readonly name: string;
  readonly encryption: BucketEncryption;
  /** Bucket keys in use, by requesting principal ARN. */
  readonly bucketKeys: Readonly<Record<string, CachedBucketKey>>;
  /** KMS requests S3 made for this bucket, by operation (the bucket-key saving made visible). */
  readonly kmsRequests: Readonly<Record<string, number>>;
}

export interface ObjectData {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType?: string;
  readonly sse: SseAlgorithm;
  readonly kmsKeyArn?: string;
  readonly bucketKeyEnabled: boolean;
  /** The object's data key: KMS ciphertext (SSE-KMS), sealed under the bucket key or S3's owned key. */
  readonly encryptedDataKey: Uint8Array<ArrayBuffer>;
  /** With a bucket key: the KMS ciphertext of the bucket key that protects the data key. */
  readonly bucketKeyCiphertext?: Uint8Array<ArrayBuffer>;
  /** The body, AES-256-GCM under the data key, bound to the object ARN. */
  readonly body: Uint8Array<ArrayBuffer>;
}

export const bucketArn = (name: string): string => `arn:aws:s3:::${name}`;
export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

const bucketName = S.str(3, 63, '^[a-z0-9][a-z0-9.-]*[a-z0-9]$');
const objectKey = S.str(1, 1024);
const sse = S.enum(['AES256', 'aws:kms']);
const MAX_BODY = 16 * 1024 * 1024; // the simulator's limit, far below S3's 5 GB per PUT

function bucket(ctx: CallContext, name: string): ResourceRecord<BucketData> {
  const b = ctx.tx.resource<BucketData>(bucketArn(name));
  if (!b || b.kind !== 's3:bucket') throw serviceError('NoSuchBucket', 'The specified bucket does not exist');
  return b;
}

function object(ctx: CallContext, b: string, key: string): ResourceRecord<ObjectData> {
  const o = ctx.tx.resource<ObjectData>(objectArn(b, key));
  if (!o || o.kind !== 's3:object') throw serviceError('NoSuchKey', 'The specified key does not exist.');
  return o;
}

function countKms(ctx: CallContext, name: string, operation: string) {
  const b = bucket(ctx, name);
  updateResource(ctx, b, {
    kmsRequests: { ...b.data.kmsRequests, [operation]: (b.data.kmsRequests[operation] ?? 0) + 1 },
  });
}

const etagOf = async (body: Uint8Array<ArrayBuffer>) =>
  `"${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', body))).slice(0, 32)}"`;

/** The encryption a new object gets: the request's headers, else the bucket's default. */
function encryptionFor(
  b: BucketData,
  input: { ServerSideEncryption?: SseAlgorithm; SSEKMSKeyId?: string; BucketKeyEnabled?: boolean },
): BucketEncryption {
  if (input.SSEKMSKeyId !== undefined && input.ServerSideEncryption !== 'aws:kms')
    throw serviceError(
      'InvalidArgument',
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
    ); // (unverified)
  if (!input.ServerSideEncryption) return b.encryption;
  return {
    SSEAlgorithm: input.ServerSideEncryption,
    ...(input.SSEKMSKeyId !== undefined
      ? { KMSMasterKeyID: input.SSEKMSKeyId }
      : input.ServerSideEncryption === 'aws:kms' && b.encryption.SSEAlgorithm === 'aws:kms'
        ? b.encryption.KMSMasterKeyID !== undefined
          ? { KMSMasterKeyID: b.encryption.KMSMasterKeyID }
          : {}
        : {}),
    BucketKeyEnabled:
      input.BucketKeyEnabled ?? (input.ServerSideEncryption === 'aws:kms' && b.encryption.BucketKeyEnabled),
  };
}

/** A bucket key for this requester: the cached one while it lasts, else a new one from KMS. */
async function bucketKeyFor(ctx: CallContext, name: string, keyRef: string): Promise<CachedBucketKey> {
  const principal = ctx.caller.principal.arn;
  const cached = bucket(ctx, name).data.bucketKeys[principal];
  if (cached && cached.expiresAt > ctx.now && (cached.keyRef === keyRef || cached.kmsKeyArn === keyRef))
    return cached;
  const out = await callKms(S3, ctx, 'GenerateDataKey', {
    KeyId: keyRef,
    KeySpec: 'AES_256',
    EncryptionContext: { 'aws:s3:arn': bucketArn(name) },
  });
  countKms(ctx, name, 'GenerateDataKey');
  return cacheBucketKey(
    ctx,
    name,
    keyRef,
    keyArnOf(out),
    out.CiphertextBlob as Uint8Array<ArrayBuffer>,
    out.Plaintext as Uint8Array<ArrayBuffer>,
  );
}

async function cacheBucketKey(
  ctx: CallContext,
  name: string,
  keyRef: string,
  kmsKeyArn: string,
  ciphertext: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<CachedBucketKey> {
  const material = await ctx.keyring.wrapNewMaterial(plaintext, ctx.now);
  plaintext.fill(0);
  const entry: CachedBucketKey = {
    keyRef,
    kmsKeyArn,
    ciphertext,
    material,
    expiresAt: ctx.now + BUCKET_KEY_LIFETIME_MS,
  };
  const b = bucket(ctx, name);
  updateResource(ctx, b, { bucketKeys: { ...b.data.bucketKeys, [ctx.caller.principal.arn]: entry } });
  return entry;
}

async function sealUnderBucketKey(
  ctx: CallContext,
  bk: CachedBucketKey,
  dataKey: Uint8Array<ArrayBuffer>,
  aad: string,
) {
  const key = await ctx.keyring.aesKey(bk.material);
  const iv = randomBytes(12);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(aad) },
      key,
      dataKey,
    ),
  );
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv);
  out.set(sealed, 12);
  return out;
}

async function openUnderBucketKey(
  ctx: CallContext,
  bk: CachedBucketKey,
  sealed: Uint8Array<ArrayBuffer>,
  aad: string,
) {
  const key = await ctx.keyring.aesKey(bk.material);
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: new TextEncoder().encode(aad) },
      key,
      sealed.subarray(12),
    ),
  );
}

/** Encrypts and stores an object: the KMS calls S3 makes for one upload. */
async function storeObject(
  ctx: CallContext,
  name: string,
  key: string,
  body: Uint8Array<ArrayBuffer>,
  enc: BucketEncryption,
  contentType: string | undefined,
): Promise<ObjectData> {
  const arn = objectArn(name, key);
  let dataKey: Uint8Array<ArrayBuffer>;
  let encryptedDataKey: Uint8Array<ArrayBuffer>;
  let kmsKeyArn: string | undefined;
  let bucketKeyCiphertext: Uint8Array<ArrayBuffer> | undefined;
  if (enc.SSEAlgorithm === 'AES256') {
    dataKey = randomBytes(32);
    encryptedDataKey = await sealWithOwnedKey(ctx.tx, ctx.keyring, 's3', ctx.region, ctx.now, dataKey, arn);
  } else if (enc.BucketKeyEnabled) {
    const bk = await bucketKeyFor(ctx, name, enc.KMSMasterKeyID ?? 'alias/aws/s3');
    dataKey = randomBytes(32);
    encryptedDataKey = await sealUnderBucketKey(ctx, bk, dataKey, arn);
    kmsKeyArn = bk.kmsKeyArn;
    bucketKeyCiphertext = bk.ciphertext;
  } else {
    const out = await callKms(S3, ctx, 'GenerateDataKey', {
      KeyId: enc.KMSMasterKeyID ?? 'alias/aws/s3',
      KeySpec: 'AES_256',
      EncryptionContext: { 'aws:s3:arn': arn },
    });
    countKms(ctx, name, 'GenerateDataKey');
    dataKey = out.Plaintext as Uint8Array<ArrayBuffer>;
    encryptedDataKey = out.CiphertextBlob as Uint8Array<ArrayBuffer>;
    kmsKeyArn = keyArnOf(out);
  }
  const sealed = await sealWithDataKey(dataKey, body, arn);
  dataKey.fill(0);
  const data: ObjectData = {
    bucket: name,
    key,
    size: body.length,
    etag: await etagOf(body),
    lastModified: ctx.now,
    ...(contentType ? { contentType } : {}),
    sse: enc.SSEAlgorithm,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    bucketKeyEnabled: enc.SSEAlgorithm === 'aws:kms' && enc.BucketKeyEnabled,
    encryptedDataKey,
    ...(bucketKeyCiphertext ? { bucketKeyCiphertext } : {}),
    body: sealed,
  };
  const existing = ctx.tx.resource(arn);
  ctx.tx.putResource(existing ? { ...existing, data } : newResource(ctx, 's3:object', arn, data));
  return data;
}

/** Decrypts an object's body: the KMS calls S3 makes for one download. */
async function readObject(ctx: CallContext, o: ResourceRecord<ObjectData>): Promise<Uint8Array<ArrayBuffer>> {
  const d = o.data;
  let dataKey: Uint8Array<ArrayBuffer>;
  if (d.sse === 'AES256')
    dataKey = await openWithOwnedKey(ctx.tx, ctx.keyring, 's3', o.region, ctx.now, d.encryptedDataKey, o.arn);
  else if (d.bucketKeyCiphertext) {
    const cached = bucket(ctx, d.bucket).data.bucketKeys[ctx.caller.principal.arn];
    let bk = cached;
    if (!bk || bk.expiresAt <= ctx.now || !sameBytes(bk.ciphertext, d.bucketKeyCiphertext)) {
      const out = await callKms(S3, ctx, 'Decrypt', {
        CiphertextBlob: d.bucketKeyCiphertext,
        EncryptionContext: { 'aws:s3:arn': bucketArn(d.bucket) },
      });
      countKms(ctx, d.bucket, 'Decrypt');
      bk = await cacheBucketKey(
        ctx,
        d.bucket,
        keyArnOf(out),
        keyArnOf(out),
        d.bucketKeyCiphertext,
        out.Plaintext as Uint8Array<ArrayBuffer>,
      );
    }
    dataKey = await openUnderBucketKey(ctx, bk, d.encryptedDataKey, o.arn);
  } else {
    const out = await callKms(S3, ctx, 'Decrypt', {
      CiphertextBlob: d.encryptedDataKey,
      EncryptionContext: { 'aws:s3:arn': o.arn },
    });
    countKms(ctx, d.bucket, 'Decrypt');
    dataKey = out.Plaintext as Uint8Array<ArrayBuffer>;
  }
  const body = await openWithDataKey(dataKey, d.body, o.arn);
  dataKey.fill(0);
  return body;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The SSE response members S3 returns for an object. */
const sseOut = (d: ObjectData) => ({
  ServerSideEncryption: d.sse,
  ...(d.kmsKeyArn ? { SSEKMSKeyId: d.kmsKeyArn } : {}),
  ...(d.bucketKeyEnabled ? { BucketKeyEnabled: true } : {}),
});

const encryptionRules = {
  type: 'list',
  member: S.struct({
    ApplyServerSideEncryptionByDefault: S.struct({ SSEAlgorithm: sse, KMSMasterKeyID: S.str(1, 2048) }, [
      'SSEAlgorithm',
    ]),
    BucketKeyEnabled: S.bool,
  }),
  min: 1,
  max: 1,
} as const;

export const s3Operations: OperationFamily = [
  serviceOperation(S3, {
    name: 'CreateBucket',
    mutates: true,
    resource: (ctx) => bucketArn(ctx.input.Bucket),
    input: S.struct(
      {
        Bucket: bucketName,
        CreateBucketConfiguration: S.struct({ LocationConstraint: S.str(1, 32) }),
      },
      ['Bucket'],
    ),
    handler(ctx) {
      const arn = bucketArn(ctx.input.Bucket);
      const existing = ctx.tx.resource(arn);
      if (existing)
        throw existing.accountId === ctx.accountId
          ? serviceError(
              'BucketAlreadyOwnedByYou',
              'Your previous request to create the named bucket succeeded and you already own it.',
            )
          : serviceError(
              'BucketAlreadyExists',
              'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
            );
      const data: BucketData = {
        name: ctx.input.Bucket,
        // Since January 2023 every new bucket encrypts with SSE-S3 by default.
        encryption: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
        bucketKeys: {},
        kmsRequests: {},
      };
      ctx.tx.putResource(newResource(ctx, 's3:bucket', arn, data));
      return { Location: `/${ctx.input.Bucket}` };
    },
  }),
  serviceOperation(S3, {
    name: 'PutBucketEncryption',
    mutates: true,
    resource: (ctx) => bucketArn(ctx.input.Bucket),
    action: 's3:PutEncryptionConfiguration',
    input: S.struct(
      {
        Bucket: bucketName,
        ServerSideEncryptionConfiguration: S.struct({ Rules: encryptionRules }, ['Rules']),
      },
      ['Bucket', 'ServerSideEncryptionConfiguration'],
    ),
    handler(ctx) {
      const b = bucket(ctx, ctx.input.Bucket);
      const rule = ctx.input.ServerSideEncryptionConfiguration.Rules[0];
      const d = rule.ApplyServerSideEncryptionByDefault ?? { SSEAlgorithm: 'AES256' };
      if (d.KMSMasterKeyID !== undefined && d.SSEAlgorithm !== 'aws:kms')
        throw serviceError(
          'InvalidArgument',
          'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
        ); // (unverified)
      updateResource(ctx, b, {
        encryption: {
          SSEAlgorithm: d.SSEAlgorithm,
          ...(d.KMSMasterKeyID !== undefined ? { KMSMasterKeyID: d.KMSMasterKeyID } : {}),
          BucketKeyEnabled: rule.BucketKeyEnabled === true,
        },
        bucketKeys: {},
      });
      return {};
    },
  }),
  serviceOperation(S3, {
    name: 'GetBucketEncryption',
    mutates: false,
    resource: (ctx) => bucketArn(ctx.input.Bucket),
    action: 's3:GetEncryptionConfiguration',
    input: S.struct({ Bucket: bucketName }, ['Bucket']),
    handler(ctx) {
      const e = bucket(ctx, ctx.input.Bucket).data.encryption;
      return {
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: e.SSEAlgorithm,
                ...(e.KMSMasterKeyID !== undefined ? { KMSMasterKeyID: e.KMSMasterKeyID } : {}),
              },
              BucketKeyEnabled: e.BucketKeyEnabled,
            },
          ],
        },
      };
    },
  }),
  serviceOperation(S3, {
    name: 'PutObject',
    mutates: true,
    dataEvent: true,
    resource: (ctx) => objectArn(ctx.input.Bucket, ctx.input.Key),
    input: S.struct(
      {
        Bucket: bucketName,
        Key: objectKey,
        Body: S.blob(0, MAX_BODY),
        ContentType: S.str(1, 256),
        ServerSideEncryption: sse,
        SSEKMSKeyId: S.str(1, 2048),
        BucketKeyEnabled: S.bool,
      },
      ['Bucket', 'Key'],
    ),
    async handler(ctx) {
      const b = bucket(ctx, ctx.input.Bucket);
      const enc = encryptionFor(b.data, ctx.input);
      const body = (ctx.input.Body as Uint8Array<ArrayBuffer> | undefined) ?? new Uint8Array(0);
      const d = await storeObject(ctx, ctx.input.Bucket, ctx.input.Key, body, enc, ctx.input.ContentType);
      return { ETag: d.etag, ...sseOut(d) };
    },
  }),
  serviceOperation(S3, {
    name: 'GetObject',
    mutates: false, // (S3 may cache a bucket key; the object does not change)
    dataEvent: true,
    resource: (ctx) => objectArn(ctx.input.Bucket, ctx.input.Key),
    input: S.struct({ Bucket: bucketName, Key: objectKey }, ['Bucket', 'Key']),
    async handler(ctx) {
      bucket(ctx, ctx.input.Bucket);
      const o = object(ctx, ctx.input.Bucket, ctx.input.Key);
      const body = await readObject(ctx, o);
      return {
        Body: body,
        ContentLength: o.data.size,
        ETag: o.data.etag,
        LastModified: new Date(o.data.lastModified),
        ...(o.data.contentType ? { ContentType: o.data.contentType } : {}),
        ...sseOut(o.data),
      };
    },
  }),
  serviceOperation(S3, {
    name: 'HeadObject',
    mutates: false,
    dataEvent: true,
    action: 's3:GetObject',
    resource: (ctx) => objectArn(ctx.input.Bucket, ctx.input.Key),
    input: S.struct({ Bucket: bucketName, Key: objectKey }, ['Bucket', 'Key']),
    // (unverified) HEAD reads metadata only: no KMS call.
    handler(ctx) {
      bucket(ctx, ctx.input.Bucket);
      const o = object(ctx, ctx.input.Bucket, ctx.input.Key);
      return {
        ContentLength: o.data.size,
        ETag: o.data.etag,
        LastModified: new Date(o.data.lastModified),
        ...(o.data.contentType ? { ContentType: o.data.contentType } : {}),
        ...sseOut(o.data),
      };
    },
  }),
  serviceOperation(S3, {
    name: 'CopyObject',
    mutates: true,
    dataEvent: true,
    action: 's3:PutObject',
    resource: (ctx) => objectArn(ctx.input.Bucket, ctx.input.Key),
    input: S.struct(
      {
        Bucket: bucketName,
        Key: objectKey,
        CopySource: S.str(3, 2048),
        ServerSideEncryption: sse,
        SSEKMSKeyId: S.str(1, 2048),
        BucketKeyEnabled: S.bool,
      },
      ['Bucket', 'Key', 'CopySource'],
    ),
    async handler(ctx) {
      const source = decodeURIComponent(String(ctx.input.CopySource).replace(/^\//, ''));
      const slash = source.indexOf('/');
      if (slash < 1) throw serviceError('InvalidArgument', 'Invalid copy source object key'); // (unverified)
      const [srcBucket, srcKey] = [source.slice(0, slash), source.slice(slash + 1)];
      // CopyObject needs s3:GetObject on the source as well as s3:PutObject on the destination.
      const read = evaluateAccess({
        action: 's3:GetObject',
        caller: ctx.caller,
        input: {},
        tx: ctx.tx,
        now: ctx.now,
        resource: objectArn(srcBucket, srcKey),
      });
      if (!read.allowed) {
        const e = new KmsError('AccessDenied', read.message ?? 'Access Denied');
        e.explanation = read.explanation;
        throw e;
      }
      bucket(ctx, srcBucket);
      const src = object(ctx, srcBucket, srcKey);
      const dest = bucket(ctx, ctx.input.Bucket);
      const body = await readObject(ctx, src);
      const d = await storeObject(
        ctx,
        ctx.input.Bucket,
        ctx.input.Key,
        body,
        encryptionFor(dest.data, ctx.input),
        src.data.contentType,
      );
      return { CopyObjectResult: { ETag: d.etag, LastModified: new Date(d.lastModified) }, ...sseOut(d) };
    },
  }),
];
