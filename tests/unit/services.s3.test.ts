/**
 * S3 server-side encryption (kms-api.md §15): SSE-S3 with an AWS owned key, SSE-KMS with aws/s3 or a
 * customer managed key, bucket keys, and two-key access.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Kms } from '../../src/kms/index.ts';
import { ACCOUNT, bytes, kmsRecords, newKms, rejection, text, userWith } from './servicesHelpers.ts';

let kms: Kms;
beforeEach(async () => {
  kms = await newKms();
});

const kmsBucket = async (name: string, key?: string, bucketKey = false) => {
  await kms.service('s3', 'CreateBucket', { Bucket: name });
  await kms.service('s3', 'PutBucketEncryption', {
    Bucket: name,
    ServerSideEncryptionConfiguration: {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            ...(key ? { KMSMasterKeyID: key } : {}),
          },
          BucketKeyEnabled: bucketKey,
        },
      ],
    },
  });
};

describe('SSE-S3', () => {
  it('encrypts with an AWS owned key: no KMS call, nothing in the key list or trail', async () => {
    await kms.service('s3', 'CreateBucket', { Bucket: 'plain' });
    const from = kms.trail().length;
    const put = await kms.service('s3', 'PutObject', { Bucket: 'plain', Key: 'a.txt', Body: bytes('hello') });
    expect(put).toMatchObject({ ServerSideEncryption: 'AES256' });
    expect(put.SSEKMSKeyId).toBeUndefined();
    const got = await kms.service('s3', 'GetObject', { Bucket: 'plain', Key: 'a.txt' });
    expect(text(got.Body)).toBe('hello');
    expect(kmsRecords(kms, from)).toEqual([]);
    expect(kms.keys()).toEqual([]);
    expect((await kms.call('ListKeys', {})).Keys).toEqual([]);
  });

  it('stores the body encrypted, never in the clear', async () => {
    await kms.service('s3', 'CreateBucket', { Bucket: 'plain' });
    await kms.service('s3', 'PutObject', { Bucket: 'plain', Key: 'a', Body: bytes('top secret text') });
    const world = await kms.snapshot();
    const obj = world.resources!.find((r) => r.kind === 's3:object')!;
    const body = (obj.data as { body: Uint8Array }).body;
    expect(text(body)).not.toContain('top secret');
    expect(body.length).toBe('top secret text'.length + 12 + 16);
  });
});

describe('SSE-KMS', () => {
  it('GenerateDataKey per upload and Decrypt per download with aws:s3:arn = object ARN, via S3', async () => {
    await kmsBucket('docs');
    const from = kms.trail().length;
    const put = await kms.service('s3', 'PutObject', { Bucket: 'docs', Key: 'r/1.txt', Body: bytes('one') });
    const managed = kms.keys().find((k) => k.keyManager === 'AWS')!;
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: managed.arn });
    expect(kms.aliases().find((a) => a.aliasName === 'alias/aws/s3')!.targetKeyId).toBe(managed.keyId);
    const got = await kms.service('s3', 'GetObject', { Bucket: 'docs', Key: 'r/1.txt' });
    expect(text(got.Body)).toBe('one');
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => r.eventName)).toEqual(['GenerateDataKey', 'Decrypt']);
    for (const r of calls) {
      expect(r.requestParameters!.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::docs/r/1.txt' });
      expect(r.userAgent).toBe('s3.amazonaws.com');
      expect(r.sourceIPAddress).toBe('s3.amazonaws.com');
      expect(r.userIdentity).toMatchObject({ type: 'Root', invokedBy: 's3.amazonaws.com' });
      expect(r.resources).toEqual([{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: managed.arn }]);
    }
    expect(calls[0]!.requestParameters).toMatchObject({ keyId: 'alias/aws/s3', keySpec: 'AES_256' });
    // S3 object operations are data events: not in the trail; the bucket's management calls are.
    expect(kms.trail().some((r) => r.eventName === 'PutObject')).toBe(false);
    expect(kms.trail().find((r) => r.eventName === 'CreateBucket')!.eventSource).toBe('s3.amazonaws.com');
  });

  it('the AWS managed key cannot be used directly, only through S3', async () => {
    await kmsBucket('docs');
    await kms.service('s3', 'PutObject', { Bucket: 'docs', Key: 'k', Body: bytes('x') });
    const e = await rejection(kms.call('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: bytes('x') }));
    expect(e.code).toBe('AccessDeniedException');
  });

  it('uses a customer managed key, with its ViaService seen by the key policy', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kmsBucket('cmk', KeyMetadata!.Arn);
    let seen: unknown;
    const off = kms.onEvent((e) => {
      if (e.type === 'call' && e.trace.operation === 'GenerateDataKey') seen = e.trace;
    });
    const put = await kms.service('s3', 'PutObject', { Bucket: 'cmk', Key: 'k', Body: bytes('x') });
    off();
    expect(put.SSEKMSKeyId).toBe(KeyMetadata!.Arn);
    expect(seen).toMatchObject({
      viaService: 's3.us-east-1.amazonaws.com',
      source: 'service',
      authorization: { decision: 'allow' },
    });
    const head = await kms.service('s3', 'HeadObject', { Bucket: 'cmk', Key: 'k' });
    expect(head).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KeyMetadata!.Arn,
      ContentLength: 1,
    });
  });

  it('a key policy with kms:ViaService allows use through S3 only', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringNotEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        },
      ],
    };
    const { KeyMetadata } = await kms.call('CreateKey', { Policy: JSON.stringify(policy) });
    await kmsBucket('only-s3', KeyMetadata!.KeyId);
    await kms.service('s3', 'PutObject', { Bucket: 'only-s3', Key: 'k', Body: bytes('via s3') });
    expect(text((await kms.service('s3', 'GetObject', { Bucket: 'only-s3', Key: 'k' })).Body)).toBe('via s3');
    const direct = await rejection(
      kms.call('GenerateDataKey', { KeyId: KeyMetadata!.KeyId!, KeySpec: 'AES_256' }),
    );
    expect(direct.code).toBe('AccessDeniedException');
  });

  it('CopyObject decrypts the source and re-encrypts under the destination bucket key', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kmsBucket('src');
    await kmsBucket('dst', KeyMetadata!.Arn);
    await kms.service('s3', 'PutObject', { Bucket: 'src', Key: 'a', Body: bytes('copied') });
    const from = kms.trail().length;
    const out = await kms.service('s3', 'CopyObject', { Bucket: 'dst', Key: 'b', CopySource: 'src/a' });
    expect(out).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata!.Arn });
    const calls = kmsRecords(kms, from);
    expect(calls.map((r) => [r.eventName, r.requestParameters!.encryptionContext])).toEqual([
      ['Decrypt', { 'aws:s3:arn': 'arn:aws:s3:::src/a' }],
      ['GenerateDataKey', { 'aws:s3:arn': 'arn:aws:s3:::dst/b' }],
    ]);
    expect(text((await kms.service('s3', 'GetObject', { Bucket: 'dst', Key: 'b' })).Body)).toBe('copied');
  });
});

describe('two-key access', () => {
  it('s3:GetObject without kms:Decrypt is denied, naming kms:Decrypt', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kmsBucket('team', KeyMetadata!.Arn);
    const writer = await userWith(kms, 'writer', ['s3:PutObject', 'kms:GenerateDataKey']);
    const reader = await userWith(kms, 'reader', ['s3:GetObject']);
    await kms.service('s3', 'PutObject', { Bucket: 'team', Key: 'k', Body: bytes('x') }, writer);
    const e = await rejection(kms.service('s3', 'GetObject', { Bucket: 'team', Key: 'k' }, reader));
    expect(e.code).toBe('AccessDenied');
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: kms:Decrypt on resource: ${KeyMetadata!.Arn} because no identity-based policy allows the kms:Decrypt action`,
    );
    expect(e.explanation).toMatchObject({
      rule: 'kms-permission-missing',
      servicePermission: 's3:GetObject',
      missingPermission: 'kms:Decrypt',
      keyArn: KeyMetadata!.Arn,
      kms: { rule: 'no-identity-policy-allow', action: 'kms:Decrypt' },
    });
    // The denied KMS call is in the trail, made by S3 for the reader.
    const denied = kms.trail().at(-1)!;
    expect(denied).toMatchObject({ eventName: 'Decrypt', errorCode: 'AccessDeniedException' });
    expect(denied.userIdentity).toMatchObject({ userName: 'reader', invokedBy: 's3.amazonaws.com' });
  });

  it('kms:Decrypt without s3:GetObject is denied by S3 itself, naming s3:GetObject', async () => {
    await kmsBucket('team');
    await kms.service('s3', 'PutObject', { Bucket: 'team', Key: 'k', Body: bytes('x') });
    const kmsOnly = await userWith(kms, 'kmsonly', ['kms:Decrypt']);
    const from = kms.trail().length;
    const e = await rejection(kms.service('s3', 'GetObject', { Bucket: 'team', Key: 'k' }, kmsOnly));
    expect(e.code).toBe('AccessDenied');
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/kmsonly is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::team/k because no identity-based policy allows the s3:GetObject action`,
    );
    expect(kmsRecords(kms, from)).toEqual([]);
  });
});

describe('bucket keys', () => {
  it('cut GenerateDataKey calls for 100 uploads (bucket ARN as context)', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kmsBucket('per-object', KeyMetadata!.Arn, false);
    await kmsBucket('bucket-key', KeyMetadata!.Arn, true);
    const count = async (bucket: string) => {
      const from = kms.trail().length;
      for (let i = 0; i < 100; i++)
        await kms.service('s3', 'PutObject', { Bucket: bucket, Key: `o${i}`, Body: bytes(`object ${i}`) });
      return kmsRecords(kms, from).filter((r) => r.eventName === 'GenerateDataKey');
    };
    const without = await count('per-object');
    const withKey = await count('bucket-key');
    console.log(
      `S3 100 uploads: GenerateDataKey without bucket key ${without.length}, with bucket key ${withKey.length}`,
    );
    expect(without).toHaveLength(100);
    expect(withKey).toHaveLength(1);
    expect(withKey[0]!.requestParameters!.encryptionContext).toEqual({
      'aws:s3:arn': 'arn:aws:s3:::bucket-key',
    });
    // The bucket's counter shows the same.
    const world = await kms.snapshot();
    const counter = (name: string) =>
      (world.resources!.find((r) => r.arn === `arn:aws:s3:::${name}`)!.data as { kmsRequests: object })
        .kmsRequests;
    expect(counter('per-object')).toEqual({ GenerateDataKey: 100 });
    expect(counter('bucket-key')).toEqual({ GenerateDataKey: 1 });
    // Objects still decrypt, each with its own data key under the bucket key.
    expect(text((await kms.service('s3', 'GetObject', { Bucket: 'bucket-key', Key: 'o42' })).Body)).toBe(
      'object 42',
    );
    const head = await kms.service('s3', 'HeadObject', { Bucket: 'bucket-key', Key: 'o42' });
    expect(head.BucketKeyEnabled).toBe(true);
  });

  it('a new bucket key is requested after it expires, and per requester', async () => {
    await kmsBucket('bkt', undefined, true);
    const alice = await userWith(kms, 'alice', [
      's3:PutObject',
      's3:GetObject',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ]);
    const from = kms.trail().length;
    await kms.service('s3', 'PutObject', { Bucket: 'bkt', Key: 'a', Body: bytes('a') });
    await kms.service('s3', 'PutObject', { Bucket: 'bkt', Key: 'b', Body: bytes('b') });
    await kms.advanceClock(2 * 3600);
    await kms.service('s3', 'PutObject', { Bucket: 'bkt', Key: 'c', Body: bytes('c') });
    expect(kmsRecords(kms, from).length).toBe(2);
    // Another principal reading an object does its own Decrypt of the bucket key (its own permission).
    const before = kms.trail().length;
    expect(text((await kms.service('s3', 'GetObject', { Bucket: 'bkt', Key: 'a' }, alice)).Body)).toBe('a');
    expect(kmsRecords(kms, before).map((r) => [r.eventName, r.requestParameters!.encryptionContext])).toEqual(
      [['Decrypt', { 'aws:s3:arn': 'arn:aws:s3:::bkt' }]],
    );
  });
});

describe('key state', () => {
  it('disabling the key stops reads and writes (KMS.DisabledException); enabling restores them', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    await kmsBucket('ddd', KeyMetadata!.Arn);
    await kms.service('s3', 'PutObject', { Bucket: 'ddd', Key: 'k', Body: bytes('x') });
    await kms.call('DisableKey', { KeyId: KeyMetadata!.KeyId! });
    const read = await rejection(kms.service('s3', 'GetObject', { Bucket: 'ddd', Key: 'k' }));
    expect(read.code).toBe('KMS.DisabledException');
    expect(read.message).toBe(`${KeyMetadata!.Arn} is disabled.`);
    const write = await rejection(
      kms.service('s3', 'PutObject', { Bucket: 'ddd', Key: 'k2', Body: bytes('y') }),
    );
    expect(write.code).toBe('KMS.DisabledException');
    await kms.call('EnableKey', { KeyId: KeyMetadata!.KeyId! });
    expect(text((await kms.service('s3', 'GetObject', { Bucket: 'ddd', Key: 'k' })).Body)).toBe('x');
  });

  it('errors: NoSuchBucket, NoSuchKey, BucketAlreadyOwnedByYou', async () => {
    expect((await rejection(kms.service('s3', 'GetObject', { Bucket: 'nope', Key: 'k' }))).code).toBe(
      'NoSuchBucket',
    );
    await kms.service('s3', 'CreateBucket', { Bucket: 'yes' });
    expect((await rejection(kms.service('s3', 'GetObject', { Bucket: 'yes', Key: 'k' }))).code).toBe(
      'NoSuchKey',
    );
    expect((await rejection(kms.service('s3', 'CreateBucket', { Bucket: 'yes' }))).code).toBe(
      'BucketAlreadyOwnedByYou',
    );
    expect(kms.serviceOperations()).toContain('s3:PutObject');
    expect(kms.operations()).not.toContain('s3:PutObject');
  });
});
