/**
 * CloudTrail records (kms-api.md §13): CloudTrail's record shape, lowerCamelCase requestParameters,
 * `responseElements: null` for cryptographic operations, errorCode/errorMessage on failures,
 * readOnly — and never a plaintext, a data key or a ciphertext anywhere in a record or an event.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createKms,
  KmsError,
  MemoryStore,
  rootPrincipal,
  type CallerContext,
  type CloudTrailRecord,
  type Kms,
  type KmsEvent,
  type Principal,
} from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const ACCOUNT = '111122223333';
const PARTNER = '444455556666';
const REGION = 'us-east-1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const alice: Principal = {
  type: 'IAMUser',
  arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
  accountId: ACCOUNT,
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  userName: 'Alice',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
};
const asAlice: CallerContext = {
  principal: alice,
  region: REGION,
  sourceIp: '192.0.2.44',
  userAgent: 'aws-cli/2.15.0',
};

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

let kms: Kms;
let events: KmsEvent[];
let key: { id: string; arn: string };

const last = (): CloudTrailRecord => kms.trail().at(-1)!;
const resources = (arn: string, accountId = ACCOUNT) => [{ accountId, type: 'AWS::KMS::Key', ARN: arn }];

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  events = [];
  kms.onEvent((e) => events.push(e));
  const { KeyMetadata } = await kms.call('CreateKey', {});
  key = { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
  await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.id });
});

describe('record shape', () => {
  it('records an Encrypt call in CloudTrail’s shape', async () => {
    // Alice exists in IAM with a policy allowing her to use KMS keys (the default key policy enables IAM).
    await kms.iam('CreateUser', { UserName: 'Alice' });
    await kms.iam('PutUserPolicy', {
      UserName: 'Alice',
      PolicyName: 'use-keys',
      PolicyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}',
    });
    events.length = 0;
    await kms.advanceClock(90);
    await kms.call(
      'Encrypt',
      {
        KeyId: 'alias/app',
        Plaintext: new TextEncoder().encode('hello'),
        EncryptionContext: { Department: 'Engineering', 'aws:s3:arn': 'arn:aws:s3:::b/k' },
      },
      asAlice,
    );
    expect(last()).toEqual({
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: alice.principalId,
        arn: alice.arn,
        accountId: ACCOUNT,
        accessKeyId: alice.accessKeyId,
        userName: 'Alice',
      },
      eventTime: '2026-01-01T00:01:30Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      awsRegion: REGION,
      sourceIPAddress: '192.0.2.44',
      userAgent: 'aws-cli/2.15.0',
      // keyId as the caller supplied it; context keys as the caller wrote them.
      requestParameters: {
        keyId: 'alias/app',
        encryptionContext: { Department: 'Engineering', 'aws:s3:arn': 'arn:aws:s3:::b/k' },
      },
      responseElements: null,
      requestID: expect.stringMatching(UUID),
      eventID: expect.stringMatching(UUID),
      readOnly: true,
      resources: resources(key.arn),
      eventType: 'AwsApiCall',
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: ACCOUNT,
    });
  });

  it('logs Decrypt with the resolved key ARN and encryptionAlgorithm even when neither was sent', async () => {
    const { CiphertextBlob } = await kms.call('Encrypt', {
      KeyId: key.id,
      Plaintext: new Uint8Array([1]),
      EncryptionContext: { Project: 'Alpha' },
    });
    await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob!, EncryptionContext: { Project: 'Alpha' } });
    expect(last()).toMatchObject({
      eventName: 'Decrypt',
      requestParameters: {
        keyId: key.arn,
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        encryptionContext: { Project: 'Alpha' },
      },
      responseElements: null,
      readOnly: true,
      resources: resources(key.arn),
    });
  });

  it('uses lowerCamelCase request parameter names, nested ones included', async () => {
    await kms.call('GenerateDataKey', { KeyId: key.id, KeySpec: 'AES_128' });
    expect(last().requestParameters).toEqual({ keyId: key.id, keySpec: 'AES_128' });
    await kms.call('GenerateDataKeyWithoutPlaintext', { KeyId: key.arn, NumberOfBytes: 48 });
    expect(last().requestParameters).toEqual({ keyId: key.arn, numberOfBytes: 48 });
    await kms.call('CreateKey', {
      Description: 'logged',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Tags: [{ TagKey: 'Team', TagValue: 'Blue' }],
    });
    expect(last().requestParameters).toEqual({
      description: 'logged',
      keyUsage: 'ENCRYPT_DECRYPT',
      tags: [{ tagKey: 'Team', tagValue: 'Blue' }],
    });
    await kms.call('ScheduleKeyDeletion', { KeyId: key.id, PendingWindowInDays: 7 });
    expect(last().requestParameters).toEqual({ keyId: key.id, pendingWindowInDays: 7 });
  });

  it('logs the response of management calls in lowerCamelCase', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', { Description: 'd' });
    const response = last().responseElements as { keyMetadata: Record<string, unknown> };
    expect(response.keyMetadata).toMatchObject({
      aWSAccountId: ACCOUNT,
      keyId: KeyMetadata!.KeyId,
      arn: KeyMetadata!.Arn,
      description: 'd',
      keyState: 'Enabled',
      keySpec: 'SYMMETRIC_DEFAULT',
    });
    const out = await kms.call('ScheduleKeyDeletion', { KeyId: key.id, PendingWindowInDays: 7 });
    expect(last().responseElements).toMatchObject({
      keyId: out.KeyId,
      keyState: 'PendingDeletion',
      pendingWindowInDays: 7,
    });
  });

  it('never logs a GetKeyPolicy response', async () => {
    await kms.call('GetKeyPolicy', { KeyId: key.id });
    expect(last()).toMatchObject({ eventName: 'GetKeyPolicy', responseElements: null, readOnly: true });
  });

  it.each([
    ['Encrypt', true],
    ['Decrypt', true],
    ['GenerateDataKey', true],
    ['GenerateRandom', true],
    ['DescribeKey', true],
    ['ListKeys', true],
    ['ListAliases', true],
    ['GetKeyPolicy', true],
    ['CreateKey', false],
    ['DisableKey', false],
    ['CreateAlias', false],
    ['PutKeyPolicy', false],
    ['TagResource', false],
    ['ScheduleKeyDeletion', false],
  ])('marks %s readOnly: %s', async (op, readOnly) => {
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: new Uint8Array([1]) });
    const inputs: Record<string, unknown> = {
      Encrypt: { KeyId: key.id, Plaintext: new Uint8Array([1]) },
      Decrypt: { CiphertextBlob },
      GenerateDataKey: { KeyId: key.id, NumberOfBytes: 16 },
      GenerateRandom: { NumberOfBytes: 16 },
      DescribeKey: { KeyId: key.id },
      ListKeys: {},
      ListAliases: {},
      GetKeyPolicy: { KeyId: key.id },
      CreateKey: {},
      DisableKey: { KeyId: key.id },
      CreateAlias: { AliasName: 'alias/second', TargetKeyId: key.id },
      PutKeyPolicy: {
        KeyId: key.id,
        Policy: '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}',
      },
      TagResource: { KeyId: key.id, Tags: [{ TagKey: 'a', TagValue: 'b' }] },
      ScheduleKeyDeletion: { KeyId: key.id },
    };
    await kms.send(op, inputs[op]);
    expect(last()).toMatchObject({ eventName: op, readOnly });
    expect(last()).not.toHaveProperty('errorCode');
  });

  it('gives every call its own requestID and eventID and follows the simulated clock', async () => {
    await kms.call('DescribeKey', { KeyId: key.id });
    await kms.advanceClock(86_400);
    await kms.call('DescribeKey', { KeyId: key.id });
    const [a, b] = kms.trail().slice(-2);
    expect(new Set([a!.requestID, a!.eventID, b!.requestID, b!.eventID]).size).toBe(4);
    expect([a!.eventTime, b!.eventTime]).toEqual(['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z']);
  });

  it('records the root user as Root', async () => {
    await kms.call('DescribeKey', { KeyId: key.id }, { principal: rootPrincipal(ACCOUNT), region: REGION });
    expect(last().userIdentity).toEqual({
      type: 'Root',
      principalId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      accountId: ACCOUNT,
    });
  });
});

describe('failed calls', () => {
  it('add errorCode and errorMessage and keep the request parameters', async () => {
    await kms.call('DisableKey', { KeyId: key.id });
    await rejection(kms.call('Encrypt', { KeyId: 'alias/app', Plaintext: new Uint8Array([1]) }));
    expect(last()).toMatchObject({
      eventName: 'Encrypt',
      requestParameters: { keyId: 'alias/app' },
      responseElements: null,
      errorCode: 'DisabledException',
      errorMessage: `${key.arn} is disabled.`,
      resources: resources(key.arn),
      eventType: 'AwsApiCall',
    });
  });

  it('log IncorrectKeyException with its message', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.id, Plaintext: new Uint8Array([1]) });
    await rejection(kms.call('Decrypt', { CiphertextBlob: CiphertextBlob!, KeyId: KeyMetadata!.KeyId! }));
    expect(last()).toMatchObject({
      eventName: 'Decrypt',
      errorCode: 'IncorrectKeyException',
      errorMessage: 'The key ID in the request does not identify a CMK that can perform this operation.',
    });
  });

  it('log validation failures and unknown keys', async () => {
    await rejection(kms.send('GenerateRandom', { NumberOfBytes: 5000 }));
    expect(last()).toMatchObject({
      eventName: 'GenerateRandom',
      errorCode: 'ValidationException',
      errorMessage:
        "1 validation error detected: Value '5000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    });
    await rejection(kms.call('DescribeKey', { KeyId: 'alias/none' }));
    expect(last()).toMatchObject({
      eventName: 'DescribeKey',
      errorCode: 'NotFoundException',
      errorMessage: `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/none is not found.`,
    });
  });

  it('omit errorCode and errorMessage on success', async () => {
    await kms.call('DescribeKey', { KeyId: key.id });
    expect(last()).not.toHaveProperty('errorCode');
    expect(last()).not.toHaveProperty('errorMessage');
  });
});

describe('cross-account calls', () => {
  const partner: CallerContext = { principal: rootPrincipal(PARTNER), region: REGION };

  it('are delivered to the caller and the key owner when allowed', async () => {
    const permissive = await createKms({
      store: new MemoryStore(),
      startTime: START,
      authorizer: { authorize: () => ({ allowed: true, explanation: { rule: 'test: allow all' } }) },
    });
    const { KeyMetadata } = await permissive.call('CreateKey', {});
    await permissive.call('Encrypt', { KeyId: KeyMetadata!.Arn!, Plaintext: new Uint8Array([1]) }, partner);
    const [forCaller, forOwner] = permissive.trail().slice(-2);
    expect(forCaller).toMatchObject({ eventName: 'Encrypt', recipientAccountId: PARTNER });
    expect(forCaller!.userIdentity).toMatchObject({ accountId: PARTNER });
    expect(forOwner).toEqual({ ...forCaller, recipientAccountId: ACCOUNT });
  });

  it('are delivered only to the caller when denied', async () => {
    const before = kms.trail().length;
    await rejection(kms.call('Encrypt', { KeyId: key.arn, Plaintext: new Uint8Array([1]) }, partner));
    const added = kms.trail().slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      recipientAccountId: PARTNER,
      errorCode: 'AccessDeniedException',
      errorMessage: `User: arn:aws:iam::${PARTNER}:root is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no resource-based policy allows the kms:Encrypt action`,
    });
  });
});

describe('secrets stay out of the trail and the events', () => {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

  /** Ways a byte string could show up in JSON: as text, hex, base64 at any alignment, or as a byte array. */
  function needles(bytes: Uint8Array): string[] {
    const out = [hex(bytes).slice(0, 32)];
    for (let offset = 0; offset < 3; offset++) out.push(b64(bytes.subarray(offset)).slice(0, 16));
    out.push(JSON.stringify(Array.from(bytes.subarray(0, 8))).slice(1, -1));
    return out;
  }

  function containsBytes(value: unknown): boolean {
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) return true;
    if (Array.isArray(value)) return value.some(containsBytes);
    if (typeof value === 'object' && value !== null) return Object.values(value).some(containsBytes);
    return false;
  }

  it('never records a plaintext, data key, random bytes or ciphertext', async () => {
    const SECRET = 'TOP-SECRET plaintext: the launch code is 0000-1111-2222';
    const plaintext = new TextEncoder().encode(SECRET);
    const secrets: Uint8Array[] = [plaintext];

    const enc = await kms.call('Encrypt', { KeyId: 'alias/app', Plaintext: plaintext });
    secrets.push(enc.CiphertextBlob!);
    await kms.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob! });
    const re = await kms.call('ReEncrypt', { CiphertextBlob: enc.CiphertextBlob!, DestinationKeyId: key.id });
    secrets.push(re.CiphertextBlob!);
    const dk = await kms.call('GenerateDataKey', { KeyId: key.id, NumberOfBytes: 64 });
    secrets.push(dk.Plaintext!, dk.CiphertextBlob!);
    const dkwp = await kms.call('GenerateDataKeyWithoutPlaintext', { KeyId: key.id, NumberOfBytes: 64 });
    secrets.push(dkwp.CiphertextBlob!);
    const random = await kms.call('GenerateRandom', { NumberOfBytes: 64 });
    secrets.push(random.Plaintext!);
    // Failures and dry runs carry the plaintext in their requests too.
    await rejection(kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext, DryRun: true }));
    await rejection(kms.call('Encrypt', { KeyId: 'alias/none', Plaintext: plaintext }));
    await rejection(
      kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext, EncryptionAlgorithm: 'SM2PKE' }),
    );
    const big = new Uint8Array(5000).fill(0x41);
    big.set(plaintext);
    await rejection(kms.call('Encrypt', { KeyId: key.id, Plaintext: big }));
    await kms.call('DisableKey', { KeyId: key.id });
    await rejection(kms.call('Encrypt', { KeyId: key.id, Plaintext: plaintext }));
    await rejection(kms.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob! }));

    const trail = kms.trail();
    expect(trail.length).toBeGreaterThan(10);
    const trailJson = JSON.stringify(trail);
    const eventsJson = JSON.stringify(events);
    expect(trailJson).not.toContain(SECRET);
    expect(trailJson).not.toContain('launch code');
    expect(eventsJson).not.toContain('launch code');
    for (const secret of secrets)
      for (const needle of needles(secret)) {
        expect(trailJson).not.toContain(needle);
        expect(eventsJson).not.toContain(needle);
      }
    expect(containsBytes(trail)).toBe(false);
    expect(containsBytes(events)).toBe(false);
    for (const r of trail)
      if (['Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateRandom'].includes(r.eventName))
        expect(r.responseElements).toBeNull();
  });

  it('keeps key material out of keys() and the events', async () => {
    const views = kms.keys();
    expect(views.length).toBeGreaterThan(0);
    for (const v of views)
      for (const m of v.materials) expect(Object.keys(m).sort()).toEqual(['createdAt', 'id']);
    expect(containsBytes(views)).toBe(false);
  });
});
