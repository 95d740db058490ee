/**
 * Key deletion (kms-api.md §2.1, §7, §13): ScheduleKeyDeletion's 7–30 day window (default 30), the
 * DeletionDate, and what happens when the simulated clock passes it — the key, its material and
 * every alias pointing to it are gone, and CloudTrail records a DeleteKey service event.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

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
let keyId: string;
let arn: string;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  const { KeyMetadata } = await kms.call('CreateKey', {});
  keyId = KeyMetadata!.KeyId!;
  arn = KeyMetadata!.Arn!;
});

describe('ScheduleKeyDeletion', () => {
  it('defaults to a 30-day window and answers the key ARN, DeletionDate and state', async () => {
    const out = await kms.call('ScheduleKeyDeletion', { KeyId: keyId });
    expect(out).toEqual({
      KeyId: arn,
      DeletionDate: new Date(START.getTime() + 30 * DAY_MS),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 30,
    });
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      DeletionDate: new Date(START.getTime() + 30 * DAY_MS),
    });
  });

  it.each([7, 8, 29, 30])('accepts a %i-day window', async (days) => {
    const out = await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: days });
    expect(out.PendingWindowInDays).toBe(days);
    expect(out.DeletionDate).toEqual(new Date(START.getTime() + days * DAY_MS));
  });

  it('counts the window from the simulated time of the call', async () => {
    await kms.advanceClock(3 * DAY_S + 3600);
    const out = await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    expect(out.DeletionDate).toEqual(new Date(START.getTime() + 10 * DAY_MS + 3_600_000));
  });

  it('refuses a key already pending deletion without moving its date', async () => {
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    const e = await rejection(kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 30 }));
    expect([e.name, e.message]).toEqual([
      'KMSInvalidStateException',
      `${arn} is pending deletion (or pending replica deletion).`,
    ]);
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(KeyMetadata!.DeletionDate).toEqual(new Date(START.getTime() + 7 * DAY_MS));
  });

  it('lists the coming deletion in upcoming()', async () => {
    expect(kms.upcoming()).toEqual([]);
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    expect(kms.upcoming()).toEqual([
      expect.objectContaining({
        at: START.getTime() + 7 * DAY_MS,
        kind: 'DeleteKey',
        keyArn: arn,
        accountId: ACCOUNT,
        region: REGION,
      }),
    ]);
  });

  it('CancelKeyDeletion withdraws the deletion from upcoming() and the key survives the date', async () => {
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    await kms.call('CancelKeyDeletion', { KeyId: keyId });
    expect(kms.upcoming()).toEqual([]);
    expect(await kms.advanceClock(31 * DAY_S)).toEqual([]);
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(KeyMetadata!.KeyState).toBe('Disabled');
    expect(KeyMetadata!.DeletionDate).toBeUndefined();
  });
});

describe('the end of the waiting period', () => {
  let blob: Uint8Array;

  beforeEach(async () => {
    blob = (await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1, 2, 3]) }))
      .CiphertextBlob!;
    await kms.call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: keyId });
    await kms.call('CreateAlias', { AliasName: 'alias/doomed-too', TargetKeyId: keyId });
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
  });

  it('does nothing before the DeletionDate', async () => {
    expect(await kms.advanceClock(7 * DAY_S - 1)).toEqual([]);
    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(KeyMetadata!.KeyState).toBe('PendingDeletion');
    expect(kms.upcoming()).toHaveLength(1);
  });

  it('deletes the key when the clock reaches the DeletionDate', async () => {
    const fired = await kms.advanceClock(7 * DAY_S);
    expect(fired).toEqual([expect.objectContaining({ kind: 'DeleteKey', keyArn: arn })]);
    expect(kms.now()).toBe(START.getTime() + 7 * DAY_MS);
    expect(kms.upcoming()).toEqual([]);

    const e = await rejection(kms.call('DescribeKey', { KeyId: keyId }));
    expect([e.name, e.message]).toEqual(['NotFoundException', `Key '${arn}' does not exist`]);
    const f = await rejection(kms.call('CancelKeyDeletion', { KeyId: arn }));
    expect([f.name, f.message]).toEqual(['NotFoundException', `Key '${arn}' does not exist`]);

    expect(kms.keys().map((k) => k.arn)).not.toContain(arn);
    expect((await kms.snapshot()).keys.map((k) => k.arn)).not.toContain(arn);
    const { Keys } = await kms.call('ListKeys', {});
    expect(Keys).toEqual([]);
  });

  it('deletes every alias of the key, and only those', async () => {
    const { KeyMetadata: other } = await kms.call('CreateKey', {});
    await kms.call('CreateAlias', { AliasName: 'alias/survivor', TargetKeyId: other!.KeyId! });
    await kms.advanceClock(30 * DAY_S);
    const { Aliases } = await kms.call('ListAliases', {});
    expect(Aliases!.filter((a) => a.TargetKeyId).map((a) => a.AliasName)).toEqual(['alias/survivor']);
    const e = await rejection(kms.call('DescribeKey', { KeyId: 'alias/doomed' }));
    expect([e.name, e.message]).toEqual([
      'NotFoundException',
      `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/doomed is not found.`,
    ]);
    // The name is free again.
    await kms.call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: other!.KeyId! });
  });

  it('leaves its ciphertexts undecryptable, as AWS says it', async () => {
    await kms.advanceClock(7 * DAY_S);
    const e = await rejection(kms.call('Decrypt', { CiphertextBlob: blob }));
    expect([e.name, e.message]).toEqual([
      'AccessDeniedException',
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    ]);
  });

  it('records a DeleteKey service event invoked by AWS Internal', async () => {
    const before = kms.trail().length;
    await kms.advanceClock(8 * DAY_S);
    const added = kms.trail().slice(before);
    expect(added).toHaveLength(1);
    const record = added[0]!;
    expect(record).toMatchObject({
      eventVersion: '1.08',
      userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
      eventTime: '2026-01-08T00:00:00Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'DeleteKey',
      awsRegion: REGION,
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
      requestParameters: null,
      responseElements: null,
      readOnly: false,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arn }],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: ACCOUNT,
    });
    expect(record.userIdentity).toEqual({ accountId: ACCOUNT, invokedBy: 'AWS Internal' });
    expect(record.eventID).not.toBe(record.requestID);
  });

  it('fires several deletions in time order when the clock jumps past them', async () => {
    const { KeyMetadata: late } = await kms.call('CreateKey', {});
    const { KeyMetadata: early } = await kms.call('CreateKey', {});
    await kms.advanceClock(DAY_S);
    await kms.call('ScheduleKeyDeletion', { KeyId: late!.KeyId!, PendingWindowInDays: 30 });
    await kms.call('ScheduleKeyDeletion', { KeyId: early!.KeyId!, PendingWindowInDays: 7 });
    expect(kms.upcoming().map((e) => e.keyArn)).toEqual([arn, early!.Arn, late!.Arn]);

    const before = kms.trail().length;
    const fired = await kms.advanceClock(60 * DAY_S);
    expect(fired.map((e) => e.keyArn)).toEqual([arn, early!.Arn, late!.Arn]);
    const records = kms.trail().slice(before);
    expect(records.map((r) => [r.eventName, r.resources![0]!.ARN, r.eventTime])).toEqual([
      ['DeleteKey', arn, '2026-01-08T00:00:00Z'],
      ['DeleteKey', early!.Arn, '2026-01-09T00:00:00Z'],
      ['DeleteKey', late!.Arn, '2026-02-01T00:00:00Z'],
    ]);
    expect(kms.keys()).toEqual([]);
  });

  it('refuses to move the clock backwards', async () => {
    const e = await rejection(kms.advanceClock(-1));
    expect(e.name).toBe('ValidationException');
    expect(kms.now()).toBe(START.getTime());
  });
});
