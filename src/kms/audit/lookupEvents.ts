/**
 * CloudTrail LookupEvents over the simulator's trail: events newest first, filtered by time range
 * (both ends inclusive) and by attributes. Event history is per account and Region, as in AWS
 * (LookupEvents is a Regional call made by an account); unlike AWS, which takes one lookup
 * attribute per request, several filters may be combined here (they all must match).
 */
import type { CloudTrailRecord } from './cloudTrail.ts';

export interface LookupEventsFilter {
  /** The calling account: only records delivered to it (`recipientAccountId`). */
  readonly account?: string;
  /** The Region of the CloudTrail endpoint: only records of that Region. */
  readonly region?: string;
  readonly eventName?: string;
  /** A key ARN or key ID: matches the record's resources or its `requestParameters.keyId`. */
  readonly keyArn?: string;
  /**
   * An IAM user, role or root ARN, or an assumed-role session ARN. A role ARN matches the sessions of
   * that role (`arn:aws:iam::<acct>:role/R` matches `arn:aws:sts::<acct>:assumed-role/R/<session>`).
   */
  readonly principalArn?: string;
  /** LookupEvents' `Username` attribute: the IAM user name, `root`, or the role session name. */
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly eventId?: string;
  readonly readOnly?: boolean;
  /** Exact error code (e.g. `AccessDeniedException`); `'*'` matches any failed call. */
  readonly errorCode?: string;
  readonly startTime?: number | Date;
  readonly endTime?: number | Date;
}

export interface LookupEventsOptions extends LookupEventsFilter {
  /** Page size: 1–50, default 50 (AWS's limits). */
  readonly maxResults?: number;
  readonly nextToken?: string;
}

/** An event as LookupEvents returns it. */
export interface TrailEvent {
  EventId: string;
  EventName: string;
  /** `"true"` or `"false"`: a string in LookupEvents' output. */
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: Date;
  EventSource: string;
  Username?: string;
  Resources: { ResourceType: string; ResourceName: string }[];
  /** The full record as a JSON string. */
  CloudTrailEvent: string;
}

export interface LookupEventsResult {
  Events: TrailEvent[];
  NextToken?: string;
}

/** LookupEvents' exceptions, with AWS's names. */
export class LookupEventsError extends Error {
  constructor(
    override readonly name:
      'InvalidTimeRangeException' | 'InvalidMaxResultsException' | 'InvalidNextTokenException',
    message: string,
  ) {
    super(message);
  }
}

const toMs = (t: number | Date) => (typeof t === 'number' ? t : t.getTime());
const identity = (r: CloudTrailRecord) => r.userIdentity as Record<string, unknown>;

/** The LookupEvents `Username` of a record. */
export function trailUsername(r: CloudTrailRecord): string | undefined {
  const id = identity(r);
  switch (id['type']) {
    case 'IAMUser':
      return id['userName'] as string | undefined;
    case 'Root':
      return 'root';
    case 'AssumedRole':
      return String(id['arn'] ?? '')
        .split('/')
        .at(-1);
    default:
      return undefined;
  }
}

/** `arn:aws:sts::<acct>:assumed-role/<Role>/<session>` → `arn:aws:iam::<acct>:role/<Role>`. */
function roleOfSession(arn: string): string | undefined {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

function matchesKey(r: CloudTrailRecord, key: string): boolean {
  const byId = (arn: string) => arn === key || arn.endsWith(`:key/${key}`);
  if (r.resources?.some((res) => byId(res.ARN))) return true;
  const keyId = r.requestParameters?.['keyId'];
  return typeof keyId === 'string' && (keyId === key || byId(keyId));
}

function matchesPrincipal(r: CloudTrailRecord, principal: string): boolean {
  const id = identity(r);
  const arn = id['arn'];
  if (typeof arn !== 'string') return false;
  if (arn === principal) return true;
  const issuer = (id['sessionContext'] as { sessionIssuer?: { arn?: string } } | undefined)?.sessionIssuer
    ?.arn;
  return issuer === principal || roleOfSession(arn) === principal;
}

/** The records that match, newest first. */
export function findEvents(
  records: readonly CloudTrailRecord[],
  filter: LookupEventsFilter = {},
): CloudTrailRecord[] {
  const start = filter.startTime === undefined ? -Infinity : toMs(filter.startTime);
  const end = filter.endTime === undefined ? Infinity : toMs(filter.endTime);
  if (start > end)
    throw new LookupEventsError(
      'InvalidTimeRangeException',
      'Occurs if the timestamp values are not valid. Either the start time occurs after the end time, or the time range is outside the range of possible values.',
    );
  const out: CloudTrailRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    const t = Date.parse(r.eventTime);
    if (t < start || t > end) continue;
    if (filter.account !== undefined && r.recipientAccountId !== filter.account) continue;
    if (filter.region !== undefined && r.awsRegion !== filter.region) continue;
    if (filter.eventName !== undefined && r.eventName !== filter.eventName) continue;
    if (filter.eventId !== undefined && r.eventID !== filter.eventId) continue;
    if (filter.readOnly !== undefined && r.readOnly !== filter.readOnly) continue;
    if (
      filter.errorCode !== undefined &&
      !(filter.errorCode === '*' ? r.errorCode : r.errorCode === filter.errorCode)
    )
      continue;
    if (filter.accessKeyId !== undefined && identity(r)['accessKeyId'] !== filter.accessKeyId) continue;
    if (filter.username !== undefined && trailUsername(r) !== filter.username) continue;
    if (filter.keyArn !== undefined && !matchesKey(r, filter.keyArn)) continue;
    if (filter.principalArn !== undefined && !matchesPrincipal(r, filter.principalArn)) continue;
    out.push(r);
  }
  // Records are appended in time order; keep newest first even if two share a second.
  return out.sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
}

/** A record as LookupEvents returns it. */
export function toTrailEvent(r: CloudTrailRecord): TrailEvent {
  const accessKeyId = identity(r)['accessKeyId'];
  const username = trailUsername(r);
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    ...(typeof accessKeyId === 'string' ? { AccessKeyId: accessKeyId } : {}),
    EventTime: new Date(r.eventTime),
    EventSource: r.eventSource,
    ...(username !== undefined ? { Username: username } : {}),
    Resources: (r.resources ?? []).map((res) => ({ ResourceType: res.type, ResourceName: res.ARN })),
    CloudTrailEvent: JSON.stringify(r),
  };
}

/** LookupEvents: matching events newest first, paged by `maxResults` / `nextToken`. */
export function lookupEvents(
  records: readonly CloudTrailRecord[],
  options: LookupEventsOptions = {},
): LookupEventsResult {
  const max = options.maxResults ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 50)
    throw new LookupEventsError(
      'InvalidMaxResultsException',
      'This exception is thrown if the limit specified is not valid.',
    );
  let offset = 0;
  if (options.nextToken !== undefined) {
    const m = /^page:(\d+)$/.exec(safeAtob(options.nextToken));
    if (!m)
      throw new LookupEventsError(
        'InvalidNextTokenException',
        'A token that is not valid, or a token that was previously used in a request with different parameters.',
      );
    offset = Number(m[1]);
  }
  const matches = findEvents(records, options);
  const page = matches.slice(offset, offset + max);
  const next = offset + max < matches.length ? btoa(`page:${offset + max}`) : undefined;
  return { Events: page.map(toTrailEvent), ...(next ? { NextToken: next } : {}) };
}

function safeAtob(s: string): string {
  try {
    return atob(s);
  } catch {
    return '';
  }
}
