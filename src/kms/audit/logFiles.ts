/**
 * CloudTrail log files as CloudTrail delivers them to S3 (kms-api.md §13): one gzip-compressed
 * `{"Records":[…]}` object per account, Region and (here) simulated hour, under
 * `AWSLogs/<acct>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz`.
 *
 * The bucket is plain data (a Map of object key → bytes and user metadata) so it can cross a worker
 * boundary with structuredClone, be shown in the UI, and be tampered with by a learner.
 */
import type { CloudTrailRecord } from './cloudTrail.ts';

/** An S3 object in the trail bucket: the stored (gzip) bytes and its `x-amz-meta-*` user metadata. */
export interface TrailObject {
  body: Uint8Array;
  /** User metadata without the `x-amz-meta-` prefix, e.g. `signature`, `signature-algorithm`. */
  metadata: Record<string, string>;
  /** Simulated epoch ms when the object was written. */
  lastModified: number;
}

/** The S3 bucket a trail delivers to. */
export interface TrailBucket {
  readonly name: string;
  readonly objects: Map<string, TrailObject>;
}

export const createTrailBucket = (name: string): TrailBucket => ({ name, objects: new Map() });

/** Object keys in S3's list order (UTF-8 binary order, which for these ASCII keys is code-unit order). */
export function listKeys(bucket: TrailBucket, prefix = ''): string[] {
  return [...bucket.objects.keys()].filter((k) => k.startsWith(prefix)).sort(byBinary);
}

const byBinary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

// ---------------------------------------------------------------------------------------------
// Times and names

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2026-01-01T00:00:00Z`: CloudTrail's display and JSON time form (second precision). */
export const isoSeconds = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** `20260101T0000Z` (log file names). */
export function minuteStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** `20260101T000000Z` (digest file names; what aws-cli's `extract_digest_key_date` reads). */
export const secondStamp = (ms: number): string =>
  minuteStamp(ms).replace(/Z$/, `${pad(new Date(ms).getUTCSeconds())}Z`);

/** `2026/01/01`. */
export function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

export const HOUR = 3_600_000;
export const hourStart = (ms: number): number => Math.floor(ms / HOUR) * HOUR;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The 16-character random suffix CloudTrail gives each log file name. */
export function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

export interface TrailLocation {
  /** Optional S3 key prefix of the trail (none by default). */
  readonly prefix?: string;
}

const withPrefix = (loc: TrailLocation, key: string) => (loc.prefix ? `${loc.prefix}/${key}` : key);

/** `AWSLogs/<acct>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<acct>_CloudTrail_<region>_<stamp>_<random>.json.gz` */
export function logFileKey(
  loc: TrailLocation,
  account: string,
  region: string,
  deliveredAt: number,
  random = randomSuffix(),
): string {
  return withPrefix(
    loc,
    `AWSLogs/${account}/CloudTrail/${region}/${datePath(deliveredAt)}/` +
      `${account}_CloudTrail_${region}_${minuteStamp(deliveredAt)}_${random}.json.gz`,
  );
}

/**
 * `AWSLogs/<acct>/CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/<acct>_CloudTrail-Digest_<region>_<trail>_<homeRegion>_<YYYYMMDDTHHMMSSZ>.json.gz`,
 * dated by the digest's end time.
 */
export function digestFileKey(
  loc: TrailLocation,
  account: string,
  region: string,
  trailName: string,
  homeRegion: string,
  digestEnd: number,
): string {
  return withPrefix(
    loc,
    `AWSLogs/${account}/CloudTrail-Digest/${region}/${datePath(digestEnd)}/` +
      `${account}_CloudTrail-Digest_${region}_${trailName}_${homeRegion}_${secondStamp(digestEnd)}.json.gz`,
  );
}

// ---------------------------------------------------------------------------------------------
// gzip (CompressionStream is a web API: browsers, workers and Node ≥ 18)

async function pipe(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([data as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export const gzip = (data: Uint8Array): Promise<Uint8Array> => pipe(data, new CompressionStream('gzip'));
/** Rejects when the bytes are not a valid gzip stream (bad header, CRC or length). */
export const gunzip = (data: Uint8Array): Promise<Uint8Array> => pipe(data, new DecompressionStream('gzip'));

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
export const encodeJson = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));

// ---------------------------------------------------------------------------------------------
// Reading and tampering (what a learner does to the bucket in the UI)

/** The decompressed, parsed JSON of an object; undefined when there is no such object. */
export async function readJson<T = unknown>(bucket: TrailBucket, key: string): Promise<T | undefined> {
  const object = bucket.objects.get(key);
  if (!object) return undefined;
  return JSON.parse(fromUtf8.decode(await gunzip(object.body))) as T;
}

/**
 * Rewrites an object's JSON the way an attacker with write access would: decompress, edit,
 * recompress, keep the metadata (the signature stays the old one). Returns false when absent.
 */
export async function rewriteJson<T>(
  bucket: TrailBucket,
  key: string,
  edit: (value: T) => T | void,
): Promise<boolean> {
  const object = bucket.objects.get(key);
  if (!object) return false;
  const value = JSON.parse(fromUtf8.decode(await gunzip(object.body))) as T;
  const edited = edit(value) ?? value;
  bucket.objects.set(key, { ...object, body: await gzip(encodeJson(edited)) });
  return true;
}

/**
 * Changes one byte of the decompressed content (XOR with `mask`) and recompresses, so the file
 * still decompresses but its SHA-256 no longer matches. `index` counts from the end when negative.
 */
export async function tamperByte(
  bucket: TrailBucket,
  key: string,
  index: number,
  mask = 0x01,
): Promise<boolean> {
  const object = bucket.objects.get(key);
  if (!object) return false;
  const plain = await gunzip(object.body);
  const i = index < 0 ? plain.length + index : index;
  if (i < 0 || i >= plain.length)
    throw new RangeError(`byte ${index} is outside ${key} (${plain.length} bytes)`);
  plain[i] ^= mask;
  bucket.objects.set(key, { ...object, body: await gzip(plain) });
  return true;
}

/** Changes one stored (compressed) byte: the object then fails to decompress ("invalid format"). */
export function corruptStoredByte(bucket: TrailBucket, key: string, index: number, mask = 0xff): boolean {
  const object = bucket.objects.get(key);
  if (!object) return false;
  const body = object.body.slice();
  const i = index < 0 ? body.length + index : index;
  body[i] ^= mask;
  bucket.objects.set(key, { ...object, body });
  return true;
}

export const deleteObject = (bucket: TrailBucket, key: string): boolean => bucket.objects.delete(key);

// ---------------------------------------------------------------------------------------------
// Grouping records into log files

/** One log file's worth of records (one account, one Region, one simulated hour). */
export interface LogFileBatch {
  account: string;
  region: string;
  /** Start of the simulated hour, epoch ms. */
  hour: number;
  records: CloudTrailRecord[];
}

export const eventTimeMs = (r: CloudTrailRecord): number => Date.parse(r.eventTime);

/** Groups records by recipient account, Region and hour, keeping the order of `records` in each. */
export function groupLogFiles(records: readonly CloudTrailRecord[]): LogFileBatch[] {
  const batches = new Map<string, LogFileBatch>();
  for (const r of records) {
    const hour = hourStart(eventTimeMs(r));
    const id = `${r.recipientAccountId}|${r.awsRegion}|${hour}`;
    let batch = batches.get(id);
    if (!batch) {
      batch = { account: r.recipientAccountId, region: r.awsRegion, hour, records: [] };
      batches.set(id, batch);
    }
    batch.records.push(r);
  }
  return [...batches.values()].sort(
    (a, b) => a.hour - b.hour || byBinary(a.account, b.account) || byBinary(a.region, b.region),
  );
}
