/**
 * CloudTrail log file integrity (kms-api.md §13): hourly log files per account and Region, hourly
 * digest files chained by previousDigestSignature and signed SHA256withRSA, and validation that
 * reports what `aws cloudtrail validate-logs` reports, in its words.
 */
import { sha256 } from 'hash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CloudTrailDelivery,
  corruptStoredByte,
  deleteObject,
  deliverLogs,
  digestStringToSign,
  gunzip,
  listKeys,
  publicKeyFingerprint,
  readJson,
  rewriteJson,
  tamperByte,
  TrailSigningKeys,
  ValidateLogsError,
  type DigestFile,
} from '../../src/kms/audit/index.ts';
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
const BUCKET = 'aws-cloudtrail-logs-kms-lab';

const alice: Principal = {
  type: 'IAMUser',
  arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
  accountId: ACCOUNT,
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  userName: 'Alice',
};
const asAlice: CallerContext = { principal: alice, region: 'us-east-1' };
const inOregon: CallerContext = { principal: rootPrincipal(ACCOUNT), region: 'us-west-2' };
const partner: CallerContext = { principal: rootPrincipal(PARTNER), region: 'us-east-1' };

/** RSA key generation is the slow part: one key store for the whole file. */
const signingKeys = new TrailSigningKeys();
let records: readonly CloudTrailRecord[];
let endOfWorld: number;

beforeAll(async () => {
  const kms = await createKms({
    store: new MemoryStore(),
    startTime: START,
    // Same-account calls allowed, cross-account refused: independent of policy evaluation.
    authorizer: {
      authorize: ({ caller, key }) =>
        !key || key.accountId === caller.principal.accountId
          ? { allowed: true, explanation: { rule: 'test: same account' } }
          : { allowed: false, message: 'denied', explanation: { rule: 'test: cross-account' } },
    },
  });
  const tick = (to: number) => kms.advanceClock((to - kms.now()) / 1000);
  const [{ KeyMetadata }] = await Promise.all([
    kms.call('CreateKey', {}),
    signingKeys.prepare(['us-east-1', 'us-west-2'], START.getTime()),
  ]);
  const keyArn = KeyMetadata!.Arn!;
  await tick(T('00:10'));
  const { CiphertextBlob } = await kms.call(
    'Encrypt',
    { KeyId: keyArn, Plaintext: new Uint8Array([1]) },
    asAlice,
  );
  await tick(T('00:20'));
  await kms
    .call('Encrypt', { KeyId: keyArn, Plaintext: new Uint8Array([1]) }, partner)
    .catch(() => undefined);
  await tick(T('01:30'));
  await kms.call('Decrypt', { CiphertextBlob }, asAlice);
  await tick(T('02:15'));
  await kms.call('CreateKey', {}, inOregon);
  // 03:00–04:00: nothing happens. 04:05: a call; 04:30 is the end of the world.
  await tick(T('04:05'));
  await kms.call('GenerateRandom', { NumberOfBytes: 16 });
  await tick(T('04:30'));
  await kms.call('ListKeys', {});
  records = kms.trail();
  endOfWorld = kms.now();
  base = await deliverLogs(records, T('05:00'), trailConfig);
});

const REGIONS = ['us-east-1', 'us-west-2'];
const trailConfig = {
  signingKeys,
  startTime: START.getTime(),
  digestChains: { accounts: [ACCOUNT, PARTNER], regions: REGIONS },
};
let base: CloudTrailDelivery;

/** A trail with every complete hour up to 05:00 delivered, in a bucket of its own to tamper with. */
async function delivered(): Promise<CloudTrailDelivery> {
  const bucket = { name: base.bucket.name, objects: new Map(base.bucket.objects) };
  return new CloudTrailDelivery({ ...trailConfig, bucket });
}

const validate = (
  trail: CloudTrailDelivery,
  options: { start?: string; end?: string; region?: string } = {},
) =>
  trail.validateLogs({
    account: ACCOUNT,
    region: options.region ?? 'us-east-1',
    startTime: T(options.start ?? '00:00'),
    endTime: T(options.end ?? '05:00'),
    verbose: true,
  });

const logKeys = (trail: CloudTrailDelivery, account = ACCOUNT, region = 'us-east-1') =>
  listKeys(trail.bucket, `AWSLogs/${account}/CloudTrail/${region}/`);
const digestKeys = (trail: CloudTrailDelivery, account = ACCOUNT, region = 'us-east-1') =>
  listKeys(trail.bucket, `AWSLogs/${account}/CloudTrail-Digest/${region}/`);
const logKeyOfHour = (trail: CloudTrailDelivery, hour: string) =>
  logKeys(trail).find((k) => k.includes(`_CloudTrail_us-east-1_20260101T${hour}`))!;
const uri = (key: string) => `s3://${BUCKET}/${key}`;

describe('log delivery', () => {
  it('writes one gzip log file per account, Region and hour with CloudTrail names and {"Records":[…]}', async () => {
    const trail = await delivered();
    const logs = listKeys(trail.bucket).filter((k) => k.includes('/CloudTrail/'));
    expect(logs).toHaveLength(5);
    for (const key of logs)
      expect(key).toMatch(
        /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/2026\/01\/01\/\1_CloudTrail_\2_20260101T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/,
      );
    expect(logKeys(trail).map((k) => k.split('_')[3])).toEqual([
      '20260101T0010Z',
      '20260101T0130Z',
      '20260101T0430Z',
    ]);
    expect(logKeys(trail, PARTNER)).toHaveLength(1);
    expect(logKeys(trail, ACCOUNT, 'us-west-2')).toHaveLength(1);

    const first = await readJson<{ Records: CloudTrailRecord[] }>(trail.bucket, logKeys(trail)[0]);
    expect(first!.Records.map((r) => r.eventName)).toEqual(['CreateKey', 'Encrypt']);
    expect(first!.Records.every((r) => r.recipientAccountId === ACCOUNT && r.awsRegion === 'us-east-1')).toBe(
      true,
    );
    const partnerLog = await readJson<{ Records: CloudTrailRecord[] }>(
      trail.bucket,
      logKeys(trail, PARTNER)[0],
    );
    expect(partnerLog!.Records).toMatchObject([{ eventName: 'Encrypt', errorCode: 'AccessDeniedException' }]);
  });

  it('delivers only complete hours, and continues the chain on later calls without redelivering', async () => {
    const trail = new CloudTrailDelivery(trailConfig);
    const early = await trail.deliverLogs(records, T('02:30'));
    expect(early.deliveredUpTo).toBe(T('02:00'));
    expect(early.logFiles).toHaveLength(3); // 00 (yours, partner's), 01 (yours)
    expect(early.digestFiles).toHaveLength(2 * 2 * 2); // 2 hours × 2 accounts × 2 Regions
    const late = await trail.deliverLogs(records, endOfWorld); // 04:30: hour 4 is not complete
    expect(late.deliveredUpTo).toBe(T('04:00'));
    expect(late.logFiles).toHaveLength(1); // 02 (Oregon)
    expect(await trail.deliverLogs(records, endOfWorld)).toMatchObject({ logFiles: [], digestFiles: [] });
    expect(
      (
        await trail.validateLogs({
          account: ACCOUNT,
          region: 'us-east-1',
          startTime: START,
          endTime: T('04:00'),
        })
      ).text,
    ).toContain('4/4 digest files valid');
  });

  it('by default keeps digest chains only for the account and Region pairs with activity, from their first hour', async () => {
    const trail = await deliverLogs(records, T('05:00'), { signingKeys, startTime: START.getTime() });
    const chains = listKeys(trail.bucket)
      .filter((k) => k.includes('CloudTrail-Digest'))
      .map((k) => k.split('/').slice(1, 4).join(' ') + ' ' + k.slice(-24, -8));
    expect(chains).toEqual([
      ...['01', '02', '03', '04', '05'].map(
        (h) => `${ACCOUNT} CloudTrail-Digest us-east-1 20260101T${h}0000Z`,
      ),
      ...['03', '04', '05'].map((h) => `${ACCOUNT} CloudTrail-Digest us-west-2 20260101T${h}0000Z`),
      ...['01', '02', '03', '04', '05'].map(
        (h) => `${PARTNER} CloudTrail-Digest us-east-1 20260101T${h}0000Z`,
      ),
    ]);
  });

  it('writes hourly digests with every field of §13, chained by previousDigestSignature and signed', async () => {
    const trail = await delivered();
    const keys = digestKeys(trail);
    expect(keys).toEqual(
      ['0100', '0200', '0300', '0400', '0500'].map(
        (t) =>
          `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/01/01/${ACCOUNT}_CloudTrail-Digest_us-east-1_kms-lab-trail_us-east-1_20260101T${t}00Z.json.gz`,
      ),
    );
    const [publicKey] = trail.publicKeys({ region: 'us-east-1' });
    expect(publicKey.Fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(publicKey.Fingerprint).toBe(await publicKeyFingerprint(publicKey.Value));
    expect(publicKey.Value[0]).toBe(0x30); // DER SEQUENCE: PKCS #1 RSAPublicKey

    let previous: { key: string; signature: string; hash: string } | undefined;
    for (const key of keys) {
      const object = trail.bucket.objects.get(key)!;
      const inflated = await gunzip(object.body);
      const digest = JSON.parse(new TextDecoder().decode(inflated)) as DigestFile;
      expect(Object.keys(digest)).toEqual([
        'awsAccountId',
        'digestStartTime',
        'digestEndTime',
        'digestS3Bucket',
        'digestS3Object',
        'digestPublicKeyFingerprint',
        'digestSignatureAlgorithm',
        'newestEventTime',
        'oldestEventTime',
        'previousDigestS3Bucket',
        'previousDigestS3Object',
        'previousDigestHashValue',
        'previousDigestHashAlgorithm',
        'previousDigestSignature',
        'logFiles',
      ]);
      expect(digest).toMatchObject({
        awsAccountId: ACCOUNT,
        digestS3Bucket: BUCKET,
        digestS3Object: key,
        digestPublicKeyFingerprint: publicKey.Fingerprint,
        digestSignatureAlgorithm: 'SHA256withRSA',
        previousDigestS3Bucket: previous ? BUCKET : null,
        previousDigestS3Object: previous?.key ?? null,
        previousDigestHashValue: previous?.hash ?? null,
        previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
        previousDigestSignature: previous?.signature ?? null,
      });
      expect(object.metadata).toEqual({
        signature: expect.stringMatching(/^[0-9a-f]{512}$/),
        'signature-algorithm': 'SHA256withRSA',
      });
      for (const log of digest.logFiles) {
        expect(log).toMatchObject({ s3Bucket: BUCKET, hashAlgorithm: 'SHA-256' });
        expect(log.hashValue).toBe(await sha256(await gunzip(trail.bucket.objects.get(log.s3Object)!.body)));
      }
      const toSign = digestStringToSign(digest, await sha256(inflated));
      expect(toSign.split('\n')).toEqual([
        digest.digestEndTime,
        `${BUCKET}/${key}`,
        await sha256(inflated),
        previous?.signature ?? 'null',
      ]);
      previous = { key, signature: object.metadata['signature'], hash: await sha256(inflated) };
    }
    const first = await readJson<DigestFile>(trail.bucket, keys[0]);
    expect(first).toMatchObject({
      digestStartTime: '2026-01-01T00:00:00Z',
      digestEndTime: '2026-01-01T01:00:00Z',
      oldestEventTime: '2026-01-01T00:00:00Z',
      newestEventTime: '2026-01-01T00:10:00Z',
    });
    expect(await readJson<DigestFile>(trail.bucket, keys[2])).toMatchObject({
      logFiles: [],
      newestEventTime: null,
      oldestEventTime: null,
    });
  });
});

describe('validate-logs', () => {
  it('finds every file valid in an untouched bucket', async () => {
    const result = await validate(await delivered());
    expect(result.exitCode).toBe(0);
    expect(result.digests).toEqual({ valid: 5, invalid: 0 });
    expect(result.logs).toEqual({ valid: 3, invalid: 0 });
    expect(result.lines[0]).toBe(
      `Validating log files for trail arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/kms-lab-trail between 2026-01-01T00:00:00Z and 2026-01-01T05:00:00Z`,
    );
    expect(result.lines).toContain(`Digest file\t${uri(digestKeyFor('0500'))}\tvalid`);
    expect(result.text).toContain(
      [
        'Results requested for 2026-01-01T00:00:00Z to 2026-01-01T05:00:00Z',
        'Results found for 2026-01-01T00:00:00Z to 2026-01-01T05:00:00Z:',
        '',
        '5/5 digest files valid',
        '3/3 log files valid',
        '',
      ].join('\n'),
    );
    // Newest digest first, then its log files, then back along the chain.
    expect(result.entries.map((e) => (e.kind === 'gap' ? 'gap' : `${e.kind} ${e.status}`))).toEqual([
      'digest valid',
      'log valid',
      'digest valid',
      'digest valid',
      'digest valid',
      'log valid',
      'digest valid',
      'log valid',
    ]);
    const oregon = await validate(await delivered(), { region: 'us-west-2' });
    expect(oregon.text).toContain('5/5 digest files valid\n1/1 log files valid');
  });

  it("reports a modified log file: hash value doesn't match", async () => {
    const trail = await delivered();
    const key = logKeyOfHour(trail, '01');
    await tamperByte(trail.bucket, key, 20);
    const result = await validate(trail);
    expect(result.exitCode).toBe(1);
    expect(result.lines).toContain(`Log file\t${uri(key)}\tINVALID: hash value doesn't match`);
    expect(result.entries).toContainEqual(
      expect.objectContaining({ kind: 'log', key, status: 'INVALID', reason: "hash value doesn't match" }),
    );
    expect(result.text).toContain('5/5 digest files valid\n2/3 log files valid, 1/3 log files INVALID');
  });

  it('reports a deleted log file: not found', async () => {
    const trail = await delivered();
    const key = logKeyOfHour(trail, '00');
    deleteObject(trail.bucket, key);
    const result = await validate(trail);
    expect(result.lines).toContain(`Log file\t${uri(key)}\tINVALID: not found`);
    expect(result.text).toContain('2/3 log files valid, 1/3 log files INVALID');
  });

  it('reports a log file that no longer decompresses: invalid format', async () => {
    const trail = await delivered();
    const key = logKeyOfHour(trail, '04');
    corruptStoredByte(trail.bucket, key, -6); // the gzip CRC
    const result = await validate(trail);
    expect(result.lines).toContain(`Log file\t${uri(key)}\tINVALID: invalid format`);
  });

  it('reports a modified digest: signature verification failed, and skips its log files', async () => {
    const trail = await delivered();
    // The attacker's move: edit a log file, then put its new hash in the digest.
    const log = logKeyOfHour(trail, '01');
    await tamperByte(trail.bucket, log, 20);
    const newHash = await sha256(await gunzip(trail.bucket.objects.get(log)!.body));
    const key = digestKeyFor('0200');
    await rewriteJson<DigestFile>(trail.bucket, key, (d) => {
      d.logFiles[0].hashValue = newHash;
    });
    const result = await validate(trail);
    expect(result.lines).toContain(`Digest file\t${uri(key)}\tINVALID: signature verification failed`);
    expect(result.entries.some((e) => e.kind === 'log' && e.key === log)).toBe(false);
    expect(result.text).toContain('4/5 digest files valid, 1/5 digest files INVALID\n2/2 log files valid');
  });

  it('reports a digest whose signature metadata was removed', async () => {
    const trail = await delivered();
    const key = digestKeyFor('0300');
    const object = trail.bucket.objects.get(key)!;
    trail.bucket.objects.set(key, { ...object, metadata: {} });
    expect((await validate(trail)).lines).toContain(
      `Digest file\t${uri(key)}\tINVALID: signature verification failed`,
    );
  });

  it('reports a deleted digest where the chain breaks: not found', async () => {
    const trail = await delivered();
    const key = digestKeyFor('0300');
    deleteObject(trail.bucket, key);
    const result = await validate(trail);
    expect(result.lines).toContain(`Digest file\t${uri(key)}\tINVALID: not found`);
    expect(result.entries).toContainEqual(
      expect.objectContaining({ kind: 'digest', key, reason: 'not found' }),
    );
    // The older digests are still reached through the listing, and their log files checked.
    expect(result.text).toContain('4/5 digest files valid, 1/5 digest files INVALID\n3/3 log files valid');
  });

  it("cannot see the newest digest's deletion (nothing points at it), as aws-cli", async () => {
    const trail = await delivered();
    deleteObject(trail.bucket, digestKeyFor('0500'));
    const result = await validate(trail);
    expect(result.text).toContain('4/4 digest files valid');
    expect(result.foundEnd).toBe('2026-01-01T04:00:00Z');
  });

  it('reports a digest moved to another key', async () => {
    const trail = await delivered();
    const from = digestKeyFor('0500');
    const to = from.replace('T050000Z', 'T050100Z');
    trail.bucket.objects.set(to, trail.bucket.objects.get(from)!);
    deleteObject(trail.bucket, from);
    const result = await validate(trail);
    expect(result.lines).toContain(
      `Digest file\t${uri(to)}\tINVALID: has been moved from its original location`,
    );
    expect(result.text).toContain('4/5 digest files valid, 1/5 digest files INVALID');
  });

  it('reports a digest signed with a key it cannot find', async () => {
    const trail = await delivered();
    const [oregonKey] = trail.publicKeys({ region: 'us-west-2' });
    const [virginiaKey] = trail.publicKeys({ region: 'us-east-1' });
    const result = await trail.validateLogs({
      account: ACCOUNT,
      region: 'us-east-1',
      startTime: T('04:00'),
      endTime: T('05:00'),
      publicKeys: [{ ...oregonKey, region: 'us-east-1' }],
    });
    expect(result.lines).toContain(
      `Digest file\t${uri(digestKeyFor('0500'))}\tINVALID: public key not found in region us-east-1 for fingerprint ${virginiaKey.Fingerprint}`,
    );
  });

  it('reports a gap when the trail stopped and started again', async () => {
    const first = await deliverLogs(records, T('02:00'), trailConfig);
    await deliverLogs(records, T('05:00'), { ...trailConfig, startTime: T('03:00'), bucket: first.bucket });
    const result = await validate(first);
    const gap =
      'No log files were delivered by CloudTrail between 2026-01-01T02:00:00Z and 2026-01-01T03:00:00Z';
    expect(result.lines).toContain(gap);
    expect(result.entries).toContainEqual({
      kind: 'gap',
      message: gap,
      from: '2026-01-01T02:00:00Z',
      to: '2026-01-01T03:00:00Z',
    });
    expect(result.exitCode).toBe(0);
    expect(result.text).toContain('4/4 digest files valid\n3/3 log files valid');
  });

  it('keeps to the requested range and says when nothing was found', async () => {
    const trail = await delivered();
    const late = await validate(trail, { start: '03:00' });
    expect(late.digests.valid).toBe(3);
    expect(late.text).toContain('Results found for 2026-01-01T03:00:00Z to 2026-01-01T05:00:00Z:');
    const none = await trail.validateLogs({
      account: ACCOUNT,
      region: 'us-east-1',
      startTime: Date.parse('2026-01-02T00:00:00Z'),
      endTime: Date.parse('2026-01-02T05:00:00Z'),
    });
    expect(none.lines.slice(-2)).toEqual([
      'Results requested for 2026-01-02T00:00:00Z to 2026-01-02T05:00:00Z',
      'No digests found',
    ]);
    await expect(validate(trail, { start: '05:00', end: '04:00' })).rejects.toThrow(
      new ValidateLogsError('Invalid time range specified: start-time must occur before end-time'),
    );
    await expect(
      trail.validateLogs({
        account: ACCOUNT,
        region: 'us-east-1',
        startTime: Date.parse('2020-01-01T00:00:00Z'),
        endTime: Date.parse('2020-01-02T00:00:00Z'),
      }),
    ).rejects.toThrow('No public keys found between 2020-01-01T00:00:00Z and 2020-01-02T00:00:00Z');
  });

  it('prints only problems without verbose, as the CLI does', async () => {
    const trail = await delivered();
    const key = logKeyOfHour(trail, '01');
    deleteObject(trail.bucket, key);
    const result = await trail.validateLogs({
      account: ACCOUNT,
      region: 'us-east-1',
      startTime: START,
      endTime: T('05:00'),
    });
    expect(result.lines.filter((l) => l.includes('\tvalid'))).toEqual([]);
    expect(result.lines).toContain(`Log file\t${uri(key)}\tINVALID: not found`);
  });
});

function digestKeyFor(end: string): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/01/01/${ACCOUNT}_CloudTrail-Digest_us-east-1_kms-lab-trail_us-east-1_20260101T${end}00Z.json.gz`;
}
