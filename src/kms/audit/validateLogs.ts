/**
 * `aws cloudtrail validate-logs` over a {@link TrailBucket}: the traversal and the messages of
 * aws-cli's `awscli/customizations/cloudtrail/validation.py`.
 *
 * Digests in range are listed, the newest is validated first, then the chain is followed backwards
 * through `previousDigestS3Object`. A valid digest's log files are fetched, decompressed and hashed.
 * A digest that cannot be fetched ("not found") or fails validation is counted invalid and the
 * traversal continues with the next older digest in the listing; a digest with no previous digest
 * while older ones remain reports a gap. As in aws-cli, the newest digest's deletion cannot be seen
 * (nothing points at it), and the log files of an invalid or deleted digest are not checked.
 */
import {
  digestStringToSign,
  importPkcs1PublicKey,
  unhexlify,
  verifyDigestSignature,
  type DigestFile,
  type DigestLogFile,
  type TrailPublicKey,
} from './digest.ts';
import { HOUR, datePath, gunzip, isoSeconds, listKeys, secondStamp, type TrailBucket } from './logFiles.ts';
import { sha256 } from 'hash-wasm';

export interface ValidateLogsOptions {
  /** Inclusive start, epoch ms or Date (required, as `--start-time`). */
  readonly startTime: number | Date;
  /** Inclusive end; default: `now` (the simulated clock). */
  readonly endTime?: number | Date;
  /** The simulated current time, used when no endTime is given. */
  readonly now?: number;
  /** The account whose trail is validated (`--account-id`). */
  readonly account: string;
  /** The Region whose digests are validated (the CLI's `--region`). */
  readonly region: string;
  /** The trail's name and home Region: they appear in digest file names. */
  readonly trailName: string;
  readonly homeRegion: string;
  /** Optional S3 key prefix (`--s3-prefix`). */
  readonly prefix?: string;
  /** ListPublicKeys output. */
  readonly publicKeys: readonly TrailPublicKey[];
  /** `--verbose`: also print a line for every valid file. */
  readonly verbose?: boolean;
}

export type FileStatus = 'valid' | 'INVALID';

export interface DigestResult {
  kind: 'digest';
  bucket: string;
  key: string;
  status: FileStatus;
  /** The text after `INVALID: ` (e.g. `signature verification failed`, `not found`). */
  reason?: string;
  /** The line aws-cli prints. */
  message: string;
  /** The digest's JSON, when it could be read and was valid. */
  digest?: DigestFile;
}

export interface LogResult {
  kind: 'log';
  bucket: string;
  key: string;
  status: FileStatus;
  reason?: string;
  message: string;
  /** The digest file that listed this log file. */
  digestKey: string;
}

export interface GapResult {
  kind: 'gap';
  /** `No log files were delivered by CloudTrail between <from> and <to>` */
  message: string;
  from: string;
  to: string;
}

export type ValidationEntry = DigestResult | LogResult | GapResult;

export interface ValidateLogsResult {
  trailArn: string;
  requestedStart: string;
  requestedEnd: string;
  /** Absent when no valid digest was found. */
  foundStart?: string;
  foundEnd?: string;
  /** Every file checked and every gap, in the order aws-cli reports them. */
  entries: ValidationEntry[];
  digests: { valid: number; invalid: number };
  logs: { valid: number; invalid: number };
  /** The CLI's output, one line per element (error lines are surrounded by blank lines, as it prints them). */
  lines: string[];
  /** `lines` joined, as a terminal shows them. */
  text: string;
  /** 1 when any file is invalid, like the CLI's exit status. */
  exitCode: 0 | 1;
}

/** aws-cli's ValueError for a bad time range, as a typed error. */
export class ValidateLogsError extends Error {
  override name = 'ValidateLogsError';
}

const REQUIRED_DIGEST_KEYS = [
  'digestPublicKeyFingerprint',
  'digestS3Bucket',
  'digestS3Object',
  'previousDigestSignature',
  'digestEndTime',
  'digestStartTime',
] as const;

class DigestError extends Error {}
class NoSuchKey extends Error {}

const file = (kind: 'Digest' | 'Log', bucket: string, key: string, rest: string) =>
  `${kind} file\ts3://${bucket}/${key}\t${rest}`;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
/** The 16-character date of a digest key (aws-cli: `digest_s3_key[-24:-8]`). */
const digestKeyDate = (key: string) => key.slice(-24, -8);
const parseKeyDate = (stamp: string): number =>
  Date.UTC(
    +stamp.slice(0, 4),
    +stamp.slice(4, 6) - 1,
    +stamp.slice(6, 8),
    +stamp.slice(9, 11),
    +stamp.slice(11, 13),
    +stamp.slice(13, 15),
  );
const toMs = (t: number | Date) => (typeof t === 'number' ? t : t.getTime());
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates an account's trail files for one Region, as `aws cloudtrail validate-logs` does. */
export async function validateLogs(
  bucket: TrailBucket,
  options: ValidateLogsOptions,
): Promise<ValidateLogsResult> {
  const start = Math.floor(toMs(options.startTime) / 1000) * 1000;
  const end = Math.floor(toMs(options.endTime ?? options.now ?? Date.now()) / 1000) * 1000;
  if (start > end)
    throw new ValidateLogsError('Invalid time range specified: start-time must occur before end-time');
  const { account, region, trailName, homeRegion, prefix } = options;
  const trailArn = `arn:aws:cloudtrail:${homeRegion}:${account}:trail/${trailName}`;

  const out: string[] = [];
  const entries: ValidationEntry[] = [];
  const counts = { digests: { valid: 0, invalid: 0 }, logs: { valid: 0, invalid: 0 } };
  let lastDoubleSpace = true;
  const status = (message: string, isError: boolean) => {
    if (isError) {
      if (!lastDoubleSpace) out.push('');
      out.push(message, '');
      lastDoubleSpace = true;
    } else if (options.verbose) {
      lastDoubleSpace = false;
      out.push(message);
    }
  };
  out.push(
    `Validating log files for trail ${trailArn} between ${isoSeconds(start)} and ${isoSeconds(end)}`,
    '',
  );

  // Public keys valid in the range (ListPublicKeys for the Region).
  const keys = options.publicKeys.filter(
    (k) =>
      k.region === region && k.ValidityStartTime.getTime() <= end && k.ValidityEndTime.getTime() >= start,
  );
  if (!keys.length)
    throw new ValidateLogsError(`No public keys found between ${isoSeconds(start)} and ${isoSeconds(end)}`);
  const publicKeys = new Map(keys.map((k) => [k.Fingerprint, k]));

  // load_digest_keys_in_range
  const base = `AWSLogs/${account}/CloudTrail-Digest/${region}/`;
  const keyRegex = new RegExp(
    '^' +
      (prefix ? escapeRegex(prefix) + '/' : '') +
      `AWSLogs/${escapeRegex(account)}/CloudTrail\\-Digest/${escapeRegex(region)}/\\d+/\\d+/\\d+/` +
      `${escapeRegex(account)}_CloudTrail\\-Digest_${escapeRegex(region)}_${escapeRegex(trailName)}_` +
      `${escapeRegex(homeRegion)}_.+\\.json\\.gz$`,
  );
  const marker =
    (prefix ? `${prefix}/` : '') +
    `${base}${datePath(start - 60_000)}/` +
    `${account}_CloudTrail-Digest_${region}_${trailName}_${homeRegion}_${secondStamp(start - 60_000)}.json.gz`;
  const targetStart = secondStamp(start);
  const targetEnd = secondStamp(end + HOUR);
  const digests: string[] = [];
  for (const key of listKeys(bucket).filter((k) => k > marker)) {
    if (!keyRegex.test(key)) continue;
    const date = digestKeyDate(key);
    if (date > targetEnd) break;
    if (date >= targetStart) digests.push(key);
  }

  const lastDigest = (beforeKey?: string): [string | undefined, number | undefined] => {
    if (!digests.length) return [undefined, undefined];
    if (beforeKey === undefined) {
      const next = digests.pop()!;
      return [next, parseKeyDate(digestKeyDate(next))];
    }
    const beforeDate = parseKeyDate(digestKeyDate(beforeKey));
    while (digests.length) {
      const next = digests.pop()!;
      const nextDate = parseKeyDate(digestKeyDate(next));
      if (nextDate < beforeDate) return [next, nextDate];
    }
    return [undefined, undefined];
  };

  let foundStart: number | undefined;
  let foundEnd: number | undefined;

  // DigestTraverser.traverse
  const [newest, newestEnd] = lastDigest();
  let key = newest;
  let lastStart = newestEnd ?? -Infinity;
  while (key !== undefined && start <= lastStart) {
    const bucketName = bucket.name;
    const current: string = key;
    try {
      const digest = await loadAndValidateDigest(bucket, current, publicKeys, region);
      lastStart = Date.parse(digest.digestStartTime);
      // A valid digest: count it, print it, check its log files.
      counts.digests.valid++;
      const message = file('Digest', digest.digestS3Bucket, digest.digestS3Object, 'valid');
      entries.push({ kind: 'digest', bucket: bucketName, key: current, status: 'valid', message, digest });
      status(message, false);
      // _track_found_times, as it intends: the earliest valid digest start, but not before the
      // requested start (aws-cli keeps the previous value when a digest starts exactly at it).
      const digestStart = Date.parse(digest.digestStartTime);
      foundStart = Math.max(start, Math.min(foundStart ?? Infinity, digestStart));
      if (foundEnd === undefined) foundEnd = Math.min(Date.parse(digest.digestEndTime), end);
      for (const log of digest.logFiles ?? []) {
        const result = await checkLogFile(bucket, log, current);
        entries.push(result);
        if (result.status === 'valid') counts.logs.valid++;
        else counts.logs.invalid++;
        status(result.message, result.status !== 'valid');
      }
      if (digest.previousDigestS3Bucket == null) {
        // The chain is broken: continue with the next digest in the listing, reporting a gap.
        const [nextKey, nextEnd] = lastDigest(current);
        if (nextKey !== undefined) {
          const from = isoSeconds(nextEnd!);
          const to = isoSeconds(lastStart);
          const gap = `No log files were delivered by CloudTrail between ${from} and ${to}`;
          entries.push({ kind: 'gap', message: gap, from, to });
          status(gap, true);
        }
        key = nextKey;
      } else {
        // Following the chain; a digest in another bucket is out of this bucket's reach (not found).
        key = digest.previousDigestS3Bucket === bucketName ? digest.previousDigestS3Object! : undefined;
      }
    } catch (e) {
      // on_missing (NoSuchKey), on_invalid (DigestError) or any other error, as aws-cli words them.
      const message =
        e instanceof NoSuchKey
          ? file('Digest', bucketName, current, 'INVALID: not found')
          : e instanceof DigestError
            ? e.message
            : file('Digest', bucketName, current, `INVALID: ${(e as Error).message}`);
      counts.digests.invalid++;
      entries.push({
        kind: 'digest',
        bucket: bucketName,
        key: current,
        status: 'INVALID',
        reason: message.split('\tINVALID: ')[1],
        message,
      });
      status(message, true);
      [key] = lastDigest(current);
    }
  }

  // _write_summary_text
  if (!lastDoubleSpace) out.push('');
  out.push(`Results requested for ${isoSeconds(start)} to ${isoSeconds(end)}`);
  let found: { foundStart?: string; foundEnd?: string } = {};
  if (!counts.digests.valid && !counts.digests.invalid) {
    out.push('No digests found');
  } else {
    if (foundStart === undefined || foundEnd === undefined) out.push('No valid digests found in range');
    else {
      found = { foundStart: isoSeconds(foundStart), foundEnd: isoSeconds(foundEnd) };
      out.push(`Results found for ${found.foundStart} to ${found.foundEnd}:`);
    }
    // aws-cli writes '\n' + ratio for each, then '\n': one blank line before the two ratio lines.
    out.push('');
    ratio(out, counts.digests, 'digest');
    ratio(out, counts.logs, 'log');
    out.push('');
  }

  const invalid = counts.digests.invalid + counts.logs.invalid;
  return {
    trailArn,
    requestedStart: isoSeconds(start),
    requestedEnd: isoSeconds(end),
    ...found,
    entries,
    digests: counts.digests,
    logs: counts.logs,
    lines: out,
    text: out.join('\n'),
    exitCode: invalid > 0 ? 1 : 0,
  };
}

/** `V/T name files valid[, I/T name files INVALID]`, when there were any such files. */
function ratio(out: string[], c: { valid: number; invalid: number }, name: string) {
  const total = c.valid + c.invalid;
  if (total <= 0) return;
  out.push(
    `${c.valid}/${total} ${name} files valid` +
      (c.invalid > 0 ? `, ${c.invalid}/${total} ${name} files INVALID` : ''),
  );
}

async function loadAndValidateDigest(
  bucket: TrailBucket,
  key: string,
  publicKeys: Map<string, TrailPublicKey>,
  region: string,
): Promise<DigestFile> {
  // fetch_digest
  const object = bucket.objects.get(key);
  if (!object) throw new NoSuchKey(key);
  let inflated: Uint8Array;
  let digest: Record<string, unknown>;
  try {
    inflated = await gunzip(object.body);
    digest = JSON.parse(fromUtf8.decode(inflated));
    if (typeof digest !== 'object' || digest === null || Array.isArray(digest))
      throw new Error('not an object');
  } catch {
    throw new DigestError(file('Digest', bucket.name, key, 'INVALID: invalid format'));
  }
  const signatureHex = object.metadata['signature'];
  if (signatureHex === undefined || object.metadata['signature-algorithm'] === undefined)
    throw new DigestError(file('Digest', bucket.name, key, 'INVALID: signature verification failed'));

  // _load_and_validate_digest
  for (const required of REQUIRED_DIGEST_KEYS)
    if (!(required in digest))
      throw new DigestError(file('Digest', bucket.name, key, 'INVALID: invalid format'));
  if (digest['digestS3Bucket'] !== bucket.name || digest['digestS3Object'] !== key)
    throw new DigestError(
      file('Digest', bucket.name, key, 'INVALID: has been moved from its original location'),
    );
  const fingerprint = String(digest['digestPublicKeyFingerprint']);
  const publicKey = publicKeys.get(fingerprint);
  if (!publicKey)
    throw new DigestError(
      file(
        'Digest',
        bucket.name,
        key,
        `INVALID: public key not found in region ${region} for fingerprint ${fingerprint}`,
      ),
    );

  // Sha256RSADigestValidator.validate
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await importPkcs1PublicKey(publicKey.Value);
  } catch {
    throw new DigestError(
      file('Digest', bucket.name, key, `INVALID: Unable to load PKCS #1 key with fingerprint ${fingerprint}`),
    );
  }
  const d = digest as unknown as DigestFile;
  const toSign = digestStringToSign(d, await sha256(inflated));
  const signature = unhexlify(signatureHex); // a bad hex string surfaces as the generic INVALID: <error>
  if (!(await verifyDigestSignature(cryptoKey, toSign, signature)))
    throw new DigestError(file('Digest', bucket.name, key, 'INVALID: signature verification failed'));
  return d;
}

/** _download_log */
async function checkLogFile(bucket: TrailBucket, log: DigestLogFile, digestKey: string): Promise<LogResult> {
  const result = (status: FileStatus, reason?: string): LogResult => ({
    kind: 'log',
    bucket: log.s3Bucket,
    key: log.s3Object,
    status,
    ...(reason ? { reason } : {}),
    message: file('Log', log.s3Bucket, log.s3Object, reason ? `INVALID: ${reason}` : 'valid'),
    digestKey,
  });
  // The simulator has one bucket: a log file listed in another bucket cannot be fetched.
  const object = log.s3Bucket === bucket.name ? bucket.objects.get(log.s3Object) : undefined;
  if (!object) return result('INVALID', 'not found');
  let hash: string;
  try {
    hash = await sha256(await gunzip(object.body));
  } catch {
    return result('INVALID', 'invalid format');
  }
  return hash === log.hashValue ? result('valid') : result('INVALID', "hash value doesn't match");
}
