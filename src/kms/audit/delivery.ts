/**
 * Log delivery as CloudTrail does it, hour by simulated hour: for every account and Region of the
 * trail, the hour's records go into one log file, and a digest file for the hour lists the log files
 * delivered in it (none is fine: CloudTrail still delivers an empty digest every hour), chained to
 * the previous digest by `previousDigestSignature` and signed with the Region's key.
 *
 * Only complete hours are delivered: `deliverLogs(records, upTo)` delivers every hour that ended at
 * or before `upTo` and was not delivered yet. The result lives in a {@link TrailBucket}.
 */
import { ACCOUNTS } from '../world/accounts.ts';
import { DEFAULT_REGION, REGIONS } from '../world/regions.ts';
import type { CloudTrailRecord } from './cloudTrail.ts';
import {
  digestStringToSign,
  HASH_ALGORITHM,
  SIGNATURE_ALGORITHM,
  signDigest,
  TrailSigningKeys,
  type DigestFile,
  type DigestLogFile,
  type TrailPublicKey,
} from './digest.ts';
import {
  createTrailBucket,
  digestFileKey,
  encodeJson,
  eventTimeMs,
  groupLogFiles,
  gzip,
  HOUR,
  hourStart,
  isoSeconds,
  logFileKey,
  type TrailBucket,
} from './logFiles.ts';
import { sha256 } from 'hash-wasm';
import { validateLogs, type ValidateLogsOptions, type ValidateLogsResult } from './validateLogs.ts';

export interface TrailConfig {
  /** S3 bucket name; default `aws-cloudtrail-logs-kms-lab`. */
  readonly bucketName?: string;
  /** Deliver into an existing bucket (e.g. a trail that was stopped and started again); default: a new one. */
  readonly bucket?: TrailBucket;
  /** Optional S3 key prefix. */
  readonly prefix?: string;
  /** Trail name; default `kms-lab-trail`. */
  readonly trailName?: string;
  /** The trail's home Region (it appears in digest names); default us-east-1. */
  readonly homeRegion?: string;
  /**
   * Which account and Region pairs get a digest every hour. CloudTrail delivers one per hour in every
   * Region of a multi-Region trail, with or without activity (`'all'`: every simulated account and
   * Region from the trail's start, 8 signatures per simulated hour). The default, `'active'`, starts
   * a pair's chain at the hour of its first record, which keeps long clock jumps affordable. An
   * explicit list is always on from the start; active pairs are added to it.
   */
  readonly digestChains?:
    'active' | 'all' | { readonly accounts: readonly string[]; readonly regions: readonly string[] };
  /** When logging (and log file validation) started, epoch ms; default: the hour of the first record delivered. */
  readonly startTime?: number;
  /** Reuse one key store across deliveries (and tests): RSA key generation is slow. */
  readonly signingKeys?: TrailSigningKeys;
}

export interface DeliveryReport {
  logFiles: string[];
  digestFiles: string[];
  /** Every hour before this (epoch ms) has been delivered. */
  deliveredUpTo: number | undefined;
}

interface ChainTail {
  key: string;
  signature: string;
  hash: string;
}

/** A trail delivering to one bucket. Stateful: it remembers what it delivered and each digest chain's tail. */
export class CloudTrailDelivery {
  readonly bucket: TrailBucket;
  readonly signingKeys: TrailSigningKeys;
  readonly trailName: string;
  readonly homeRegion: string;
  readonly prefix: string | undefined;
  /** Account|Region → the hour its digest chain starts (undefined: at the trail's start). */
  readonly #chainStarts = new Map<string, number | undefined>();
  readonly #chains = new Map<string, ChainTail>();
  #start: number | undefined;
  #deliveredUpTo: number | undefined;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(config: TrailConfig = {}) {
    this.bucket = config.bucket ?? createTrailBucket(config.bucketName ?? 'aws-cloudtrail-logs-kms-lab');
    this.signingKeys = config.signingKeys ?? new TrailSigningKeys();
    this.trailName = config.trailName ?? 'kms-lab-trail';
    this.homeRegion = config.homeRegion ?? DEFAULT_REGION;
    this.prefix = config.prefix;
    const always =
      config.digestChains === 'all'
        ? { accounts: ACCOUNTS.map((a) => a.id), regions: REGIONS.map((r) => r.name) }
        : config.digestChains === 'active' || config.digestChains === undefined
          ? { accounts: [], regions: [] }
          : config.digestChains;
    for (const account of always.accounts)
      for (const region of always.regions) this.#chainStarts.set(`${account}|${region}`, undefined);
    this.#start = config.startTime === undefined ? undefined : hourStart(config.startTime);
  }

  /** `arn:aws:cloudtrail:<homeRegion>:<account>:trail/<name>`. */
  trailArn(account: string): string {
    return `arn:aws:cloudtrail:${this.homeRegion}:${account}:trail/${this.trailName}`;
  }

  get deliveredUpTo(): number | undefined {
    return this.#deliveredUpTo;
  }

  /** ListPublicKeys for the trail's digests. */
  publicKeys(options: { region?: string; startTime?: number; endTime?: number } = {}): TrailPublicKey[] {
    return this.signingKeys.listPublicKeys(options);
  }

  /**
   * `aws cloudtrail validate-logs --trail-arn <this trail in account> --region <region> …` against
   * this trail's bucket, with its public keys.
   */
  validateLogs(
    options: Omit<ValidateLogsOptions, 'trailName' | 'homeRegion' | 'publicKeys' | 'prefix'> & {
      publicKeys?: readonly TrailPublicKey[];
    },
  ): Promise<ValidateLogsResult> {
    return validateLogs(this.bucket, {
      ...options,
      trailName: this.trailName,
      homeRegion: this.homeRegion,
      prefix: this.prefix,
      publicKeys: options.publicKeys ?? this.publicKeys({ region: options.region }),
    });
  }

  /** Delivers every complete, undelivered hour up to `upTo` (epoch ms). Calls are serialised. */
  deliverLogs(records: readonly CloudTrailRecord[], upTo: number): Promise<DeliveryReport> {
    const run = this.#busy.then(() => this.#deliver(records, upTo));
    this.#busy = run.catch(() => undefined);
    return run;
  }

  async #deliver(records: readonly CloudTrailRecord[], upTo: number): Promise<DeliveryReport> {
    const report: DeliveryReport = { logFiles: [], digestFiles: [], deliveredUpTo: this.#deliveredUpTo };
    const first =
      this.#deliveredUpTo ?? this.#start ?? (records.length ? hourStart(eventTimeMs(records[0])) : undefined);
    if (first === undefined) return report;
    this.#start ??= first;
    const last = hourStart(upTo); // exclusive: the hour containing upTo is not complete
    if (first >= last) return report;

    const pending = records.filter((r) => {
      const t = eventTimeMs(r);
      return t >= first && t < last;
    });
    for (const r of pending) {
      const id = `${r.recipientAccountId}|${r.awsRegion}`;
      if (!this.#chainStarts.has(id)) this.#chainStarts.set(id, hourStart(eventTimeMs(r)));
    }
    const batches = new Map(groupLogFiles(pending).map((b) => [`${b.account}|${b.region}|${b.hour}`, b]));
    const chains = [...this.#chainStarts.entries()]
      .map(([id, from]) => {
        const [account, region] = id.split('|');
        return { account, region, from: from ?? -Infinity };
      })
      .sort((a, b) => (a.account + a.region < b.account + b.region ? -1 : 1));
    await this.signingKeys.prepare([...new Set(chains.map((c) => c.region))], first);

    for (let hour = first; hour < last; hour += HOUR) {
      // Chains are independent: sign them in parallel (WebCrypto works off the main thread).
      const delivered = await Promise.all(
        chains
          .filter((c) => c.from <= hour)
          .map(async ({ account, region }) => {
            const batch = batches.get(`${account}|${region}|${hour}`);
            const logFiles = batch ? [await this.#putLogFile(account, region, batch.records)] : [];
            return { logFiles, digest: await this.#putDigest(account, region, hour, logFiles) };
          }),
      );
      for (const d of delivered) {
        report.logFiles.push(...d.logFiles.map((f) => f.s3Object));
        report.digestFiles.push(d.digest);
      }
      this.#deliveredUpTo = hour + HOUR;
    }
    report.deliveredUpTo = this.#deliveredUpTo;
    return report;
  }

  async #putLogFile(account: string, region: string, records: CloudTrailRecord[]): Promise<DigestLogFile> {
    const times = records.map(eventTimeMs);
    const oldest = Math.min(...times);
    const newest = Math.max(...times);
    // Delivered in the minute of the hour's newest event, so it falls in that hour's digest.
    const key = logFileKey({ prefix: this.prefix }, account, region, newest);
    const content = encodeJson({ Records: records });
    this.bucket.objects.set(key, { body: await gzip(content), metadata: {}, lastModified: newest });
    return {
      s3Bucket: this.bucket.name,
      s3Object: key,
      hashValue: await sha256(content),
      hashAlgorithm: HASH_ALGORITHM,
      newestEventTime: isoSeconds(newest),
      oldestEventTime: isoSeconds(oldest),
    };
  }

  async #putDigest(
    account: string,
    region: string,
    hour: number,
    logFiles: DigestLogFile[],
  ): Promise<string> {
    const end = hour + HOUR;
    const key = digestFileKey({ prefix: this.prefix }, account, region, this.trailName, this.homeRegion, end);
    const signing = await this.signingKeys.signingKey(region, end);
    const chainId = `${account}|${region}`;
    const previous = this.#chains.get(chainId);
    const times = logFiles.flatMap((f) => [f.oldestEventTime, f.newestEventTime]).sort();
    const digest: DigestFile = {
      awsAccountId: account,
      digestStartTime: isoSeconds(hour),
      digestEndTime: isoSeconds(end),
      digestS3Bucket: this.bucket.name,
      digestS3Object: key,
      digestPublicKeyFingerprint: signing.publicKey.Fingerprint,
      digestSignatureAlgorithm: SIGNATURE_ALGORITHM,
      newestEventTime: times.at(-1) ?? null,
      oldestEventTime: times[0] ?? null,
      previousDigestS3Bucket: previous ? this.bucket.name : null,
      previousDigestS3Object: previous?.key ?? null,
      previousDigestHashValue: previous?.hash ?? null,
      previousDigestHashAlgorithm: previous ? HASH_ALGORITHM : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles,
    };
    const content = encodeJson(digest);
    const hash = await sha256(content);
    const signature = await signDigest(signing.privateKey, digestStringToSign(digest, hash));
    this.bucket.objects.set(key, {
      body: await gzip(content),
      metadata: { signature, 'signature-algorithm': SIGNATURE_ALGORITHM },
      lastModified: end,
    });
    this.#chains.set(chainId, { key, signature, hash });
    return key;
  }
}

/**
 * Delivers `records` up to `upTo` with a new trail (or continues `trail`), returning the trail
 * with its bucket.
 */
export async function deliverLogs(
  records: readonly CloudTrailRecord[],
  upTo: number,
  trail: CloudTrailDelivery | TrailConfig = {},
): Promise<CloudTrailDelivery> {
  const delivery = trail instanceof CloudTrailDelivery ? trail : new CloudTrailDelivery(trail);
  await delivery.deliverLogs(records, upTo);
  return delivery;
}
