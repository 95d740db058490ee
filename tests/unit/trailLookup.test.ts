/**
 * CloudTrail LookupEvents over the trail: newest first, time range inclusive at both ends, filters by
 * event name, key, principal, error code, account and Region, LookupEvents' event shape and paging.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findEvents, lookupEvents, LookupEventsError } from '../../src/kms/audit/index.ts';
import {
  createKms,
  MemoryStore,
  rootPrincipal,
  type CallerContext,
  type CloudTrailRecord,
  type Principal,
} from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const T = (hhmm: string) => Date.parse(`2026-01-01T${hhmm}:00Z`);
const ACCOUNT = '111122223333';
const PARTNER = '444455556666';

const alice: Principal = {
  type: 'IAMUser',
  arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
  accountId: ACCOUNT,
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  userName: 'Alice',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
};
const admin: Principal = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/bob-session`,
  accountId: ACCOUNT,
  principalId: 'AROAEXAMPLEID:bob-session',
  accessKeyId: 'ASIAEXAMPLEKEY',
};
const as = (principal: Principal, region = 'us-east-1'): CallerContext => ({ principal, region });

let records: readonly CloudTrailRecord[];
let keyArn: string;
let keyId: string;

beforeAll(async () => {
  const kms = await createKms({
    store: new MemoryStore(),
    startTime: START,
    authorizer: {
      authorize: ({ caller, key }) =>
        !key || key.accountId === caller.principal.accountId
          ? { allowed: true, explanation: { rule: 'test: same account' } }
          : { allowed: false, message: 'denied', explanation: { rule: 'test: cross-account' } },
    },
  });
  const at = (hhmm: string) => kms.advanceClock((T(hhmm) - kms.now()) / 1000);
  const { KeyMetadata } = await kms.call('CreateKey', {}); // 00:00 root
  keyArn = KeyMetadata!.Arn!;
  keyId = KeyMetadata!.KeyId!;
  await at('00:10');
  const { CiphertextBlob } = await kms.call(
    'Encrypt',
    { KeyId: keyId, Plaintext: new Uint8Array([1]) },
    as(alice),
  );
  await at('01:00');
  await kms.call('Decrypt', { CiphertextBlob }, as(admin));
  await at('02:00');
  await kms.call('Decrypt', { CiphertextBlob: new Uint8Array(200) }, as(alice)).catch(() => undefined);
  await at('02:30');
  await kms.call('DescribeKey', { KeyId: 'alias/nothing-here' }, as(alice)).catch(() => undefined);
  await at('03:00');
  await kms
    .call('Encrypt', { KeyId: keyArn, Plaintext: new Uint8Array([1]) }, as(rootPrincipal(PARTNER)))
    .catch(() => undefined);
  await at('04:00');
  await kms.call('CreateKey', {}, as(rootPrincipal(ACCOUNT), 'us-west-2'));
  records = kms.trail();
});

const names = (rs: readonly CloudTrailRecord[]) =>
  rs.map((r) => `${r.eventTime.slice(11, 16)} ${r.eventName}`);

describe('LookupEvents', () => {
  it('returns every event newest first', () => {
    expect(names(findEvents(records))).toEqual([
      '04:00 CreateKey',
      '03:00 Encrypt',
      '02:30 DescribeKey',
      '02:00 Decrypt',
      '01:00 Decrypt',
      '00:10 Encrypt',
      '00:00 CreateKey',
    ]);
  });

  it('filters by event name', () => {
    expect(names(findEvents(records, { eventName: 'Decrypt' }))).toEqual(['02:00 Decrypt', '01:00 Decrypt']);
  });

  it('filters by key, given as an ARN or a key ID', () => {
    const byArn = names(findEvents(records, { keyArn }));
    expect(byArn).toEqual(['03:00 Encrypt', '01:00 Decrypt', '00:10 Encrypt', '00:00 CreateKey']);
    expect(names(findEvents(records, { keyArn: keyId }))).toEqual(byArn);
  });

  it('filters by principal: a user, a role (its sessions), a session, the root user', () => {
    expect(names(findEvents(records, { principalArn: alice.arn }))).toEqual([
      '02:30 DescribeKey',
      '02:00 Decrypt',
      '00:10 Encrypt',
    ]);
    expect(names(findEvents(records, { principalArn: `arn:aws:iam::${ACCOUNT}:role/Admin` }))).toEqual([
      '01:00 Decrypt',
    ]);
    expect(names(findEvents(records, { principalArn: admin.arn }))).toEqual(['01:00 Decrypt']);
    expect(names(findEvents(records, { principalArn: `arn:aws:iam::${PARTNER}:root` }))).toEqual([
      '03:00 Encrypt',
    ]);
    expect(names(findEvents(records, { username: 'bob-session' }))).toEqual(['01:00 Decrypt']);
    expect(names(findEvents(records, { accessKeyId: alice.accessKeyId }))).toHaveLength(3);
  });

  it('filters by time range, both ends inclusive', () => {
    expect(names(findEvents(records, { startTime: T('01:00'), endTime: new Date(T('02:30')) }))).toEqual([
      '02:30 DescribeKey',
      '02:00 Decrypt',
      '01:00 Decrypt',
    ]);
    expect(() => findEvents(records, { startTime: T('02:00'), endTime: T('01:00') })).toThrow(
      LookupEventsError,
    );
  });

  it('filters by error code, or any error with *', () => {
    expect(findEvents(records, { errorCode: 'AccessDeniedException' })).toMatchObject([
      { eventName: 'Encrypt', recipientAccountId: PARTNER },
    ]);
    expect(names(findEvents(records, { errorCode: 'NotFoundException' }))).toEqual(['02:30 DescribeKey']);
    expect(names(findEvents(records, { errorCode: '*' }))).toEqual([
      '03:00 Encrypt',
      '02:30 DescribeKey',
      '02:00 Decrypt',
    ]);
  });

  it("keeps to the calling account's and Region's event history", () => {
    expect(names(findEvents(records, { account: PARTNER }))).toEqual(['03:00 Encrypt']);
    expect(names(findEvents(records, { account: ACCOUNT, region: 'us-west-2' }))).toEqual([
      '04:00 CreateKey',
    ]);
    expect(findEvents(records, { account: ACCOUNT, region: 'us-east-1' })).toHaveLength(5);
  });

  it('combines filters', () => {
    expect(
      names(findEvents(records, { eventName: 'Encrypt', principalArn: alice.arn, readOnly: true })),
    ).toEqual(['00:10 Encrypt']);
    expect(findEvents(records, { eventName: 'Encrypt', errorCode: 'NotFoundException' })).toEqual([]);
  });

  it("returns LookupEvents' event shape, paged by MaxResults and NextToken", () => {
    const page1 = lookupEvents(records, { account: ACCOUNT, maxResults: 4 });
    expect(page1.Events).toHaveLength(4);
    expect(page1.NextToken).toBeTypeOf('string');
    const page2 = lookupEvents(records, { account: ACCOUNT, maxResults: 4, nextToken: page1.NextToken });
    expect(page2.Events.map((e) => e.EventName)).toEqual(['Encrypt', 'CreateKey']);
    expect(page2.NextToken).toBeUndefined();

    const encrypt = lookupEvents(records, { eventName: 'Encrypt', principalArn: alice.arn }).Events[0];
    const record = records.find((r) => r.eventID === encrypt.EventId)!;
    expect(encrypt).toEqual({
      EventId: record.eventID,
      EventName: 'Encrypt',
      ReadOnly: 'true',
      AccessKeyId: alice.accessKeyId,
      EventTime: new Date(T('00:10')),
      EventSource: 'kms.amazonaws.com',
      Username: 'Alice',
      Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: keyArn }],
      CloudTrailEvent: JSON.stringify(record),
    });
    expect(lookupEvents(records, { eventName: 'CreateKey', region: 'us-east-1' }).Events[0].Username).toBe(
      'root',
    );
    expect(() => lookupEvents(records, { maxResults: 51 })).toThrow(
      expect.objectContaining({ name: 'InvalidMaxResultsException' }),
    );
    expect(() => lookupEvents(records, { nextToken: 'bogus' })).toThrow(
      expect.objectContaining({ name: 'InvalidNextTokenException' }),
    );
  });
});
