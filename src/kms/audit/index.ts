/**
 * CloudTrail beyond the records: log and digest file delivery to a simulated S3 bucket, log file
 * integrity validation as `aws cloudtrail validate-logs` does it, and LookupEvents.
 *
 * ```ts
 * const trail = new CloudTrailDelivery({ startTime: kms.now() });
 * await trail.deliverLogs(kms.trail(), kms.now());
 * const result = await validateLogs(trail.bucket, {
 *   startTime, account: '111122223333', region: 'us-east-1',
 *   trailName: trail.trailName, homeRegion: trail.homeRegion, publicKeys: trail.publicKeys(),
 *   now: kms.now(),
 * });
 * console.log(result.text);
 * ```
 */
export type { CloudTrailRecord } from './cloudTrail.ts';
export {
  createTrailBucket,
  corruptStoredByte,
  deleteObject,
  digestFileKey,
  groupLogFiles,
  gunzip,
  gzip,
  listKeys,
  logFileKey,
  readJson,
  rewriteJson,
  s3Uri,
  tamperByte,
  type LogFileBatch,
  type TrailBucket,
  type TrailObject,
} from './logFiles.ts';
export {
  digestStringToSign,
  publicKeyFingerprint,
  TrailSigningKeys,
  type DigestFile,
  type DigestLogFile,
  type TrailPublicKey,
} from './digest.ts';
export { CloudTrailDelivery, deliverLogs, type DeliveryReport, type TrailConfig } from './delivery.ts';
export {
  validateLogs,
  ValidateLogsError,
  type DigestResult,
  type FileStatus,
  type GapResult,
  type LogResult,
  type ValidateLogsOptions,
  type ValidateLogsResult,
  type ValidationEntry,
} from './validateLogs.ts';
export {
  findEvents,
  lookupEvents,
  LookupEventsError,
  toTrailEvent,
  trailUsername,
  type LookupEventsFilter,
  type LookupEventsOptions,
  type LookupEventsResult,
  type TrailEvent,
} from './lookupEvents.ts';
