/**
 * The open workspace's CloudTrail trail delivering log and digest files to a simulated S3 bucket,
 * for the learner to validate (`aws cloudtrail validate-logs`) and tamper with. Kept in memory only
 * (a new one per open workspace or world): its files are evidence, not world state.
 */
import type { Kms } from '../src/kms/index.ts';
import {
  CloudTrailDelivery,
  corruptStoredByte,
  deleteObject,
  listKeys,
  tamperByte,
  type ValidateLogsResult,
} from '../src/kms/audit/index.ts';

/** A file in the trail's S3 bucket. */
export interface TrailFile {
  readonly key: string;
  readonly kind: 'log' | 'digest';
  readonly account: string;
  readonly region: string;
  /** Stored (gzip) size in bytes. */
  readonly size: number;
  /** Simulated epoch ms. */
  readonly lastModified: number;
}

/** The trail's delivery state: its bucket's files and how far it delivered. */
export interface TrailDeliveryState {
  readonly bucket: string;
  readonly trailName: string;
  readonly files: readonly TrailFile[];
  /** Every hour before this (epoch ms) has been delivered; undefined before the first delivery. */
  readonly deliveredUpTo?: number;
  /** Start of the first delivered hour. */
  readonly startTime?: number;
}

/** What tampering does to a file: see {@link tamperTrail}. */
export type TamperAction = 'flip-byte' | 'corrupt' | 'delete';

let delivery: CloudTrailDelivery | null = null;
const trailDelivery = () => (delivery ??= new CloudTrailDelivery());

/** Forgets the trail's bucket: the next use starts an empty one (another workspace or world). */
export function forgetTrailDelivery(): void {
  delivery = null;
}

/** The trail bucket's files and how far the trail delivered. */
export function trailDeliveryState(): TrailDeliveryState {
  const d = trailDelivery();
  const files = listKeys(d.bucket).map((key): TrailFile => {
    const o = d.bucket.objects.get(key)!;
    const m = /AWSLogs\/(\d{12})\/CloudTrail(-Digest)?\/([a-z0-9-]+)\//.exec(key);
    return {
      key,
      kind: m?.[2] ? 'digest' : 'log',
      account: m?.[1] ?? '',
      region: m?.[3] ?? '',
      size: o.body.length,
      lastModified: o.lastModified,
    };
  });
  const first = files.length ? Math.min(...files.map((f) => f.lastModified)) : undefined;
  return {
    bucket: d.bucket.name,
    trailName: d.trailName,
    files,
    ...(d.deliveredUpTo === undefined ? {} : { deliveredUpTo: d.deliveredUpTo }),
    ...(first === undefined ? {} : { startTime: Math.floor((first - 1) / 3_600_000) * 3_600_000 }),
  };
}

/** Delivers log and digest files of `kms`'s trail for every complete simulated hour not delivered yet. */
export async function deliverTrail(
  kms: Kms,
): Promise<TrailDeliveryState & { delivered: { logFiles: number; digestFiles: number } }> {
  const report = await trailDelivery().deliverLogs(kms.trail(), kms.now());
  return {
    ...trailDeliveryState(),
    delivered: { logFiles: report.logFiles.length, digestFiles: report.digestFiles.length },
  };
}

/**
 * Tampers with a file in the trail bucket: `flip-byte` changes one byte of its JSON (it still
 * decompresses), `corrupt` changes a stored byte (it no longer decompresses), `delete` removes it.
 */
export async function tamperTrail(key: string, action: TamperAction): Promise<TrailDeliveryState> {
  const bucket = trailDelivery().bucket;
  if (!bucket.objects.has(key)) throw new Error(`No such file: ${key}`);
  if (action === 'delete') deleteObject(bucket, key);
  else if (action === 'corrupt') corruptStoredByte(bucket, key, 12);
  // A byte in the middle of the JSON: a digit or letter of some value, never the outer braces.
  else await tamperByte(bucket, key, -20);
  return trailDeliveryState();
}

/** `aws cloudtrail validate-logs` for one account and Region, from the trail's start to `kms`'s now. */
export function validateTrail(
  kms: Kms,
  account: string,
  region: string,
  verbose: boolean,
): Promise<ValidateLogsResult> {
  const d = trailDelivery();
  const start = trailDeliveryState().startTime ?? kms.now();
  return d.validateLogs({ startTime: start, now: kms.now(), account, region, verbose });
}
