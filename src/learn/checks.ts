/**
 * Building blocks for checks over a {@link WorldView}: find keys, trail records and identities the
 * way a learner would describe them ("the key alias/app points at", "a successful Decrypt by Bob").
 * Checks are plain functions; these helpers keep them short and their failure messages specific.
 */
import type { CloudTrailRecord, KeyView } from '../kms/index.ts';
import type { Check, WorldView } from './types.ts';

export const ACCOUNT = '111122223333';
export const PARTNER = '444455556666';

/** A check: `describe` is shown as the goal and must say what `test` tests. */
export const check = (describe: string, test: Check['test']): Check => ({ describe, test });

/** Every check must hold; the first unmet one says what is missing. */
export function all(describe: string, ...tests: Check['test'][]): Check {
  return check(describe, (w) => {
    for (const t of tests) {
      const r = t(w);
      if (r !== true) return r || false;
    }
    return true;
  });
}

/** The key an alias, key ID or key ARN names in an account and Region (default: yours, us-east-1). */
export function keyOf(
  w: WorldView,
  ref: string,
  region = 'us-east-1',
  account = ACCOUNT,
): KeyView | undefined {
  if (ref.startsWith('arn:')) return w.keys.find((k) => k.arn === ref);
  if (ref.startsWith('alias/')) {
    const a = w.aliases.find((x) => x.aliasName === ref && x.region === region && x.accountId === account);
    return (
      a && w.keys.find((k) => k.keyId === a.targetKeyId && k.region === region && k.accountId === account)
    );
  }
  return w.keys.find((k) => k.keyId === ref && k.region === region && k.accountId === account);
}

/** Whether a trail record was a successful call. */
export const succeeded = (r: CloudTrailRecord): boolean => r.errorCode === undefined;

/** The key ARN a KMS record concerns (its resources), if any. */
export const recordKey = (r: CloudTrailRecord): string | undefined => r.resources?.[0]?.ARN;

/** The caller's ARN (for an assumed role: the session ARN). */
export const recordPrincipal = (r: CloudTrailRecord): string =>
  String((r.userIdentity as { arn?: unknown }).arn ?? '');

/** The encryption context a record logged. */
export const recordContext = (r: CloudTrailRecord): Record<string, string> =>
  (r.requestParameters?.['encryptionContext'] as Record<string, string> | undefined) ?? {};

export interface EventFilter {
  /** `undefined`: either; `true`: succeeded; a string: failed with that error code. */
  readonly ok?: boolean | string;
  readonly region?: string;
  /** The key's ARN. */
  readonly keyArn?: string;
  /** The caller: an ARN, or a fragment such as `:user/Bob` or `:assumed-role/transcoder/`. */
  readonly by?: string;
  readonly source?: string;
  /** Only records at or after this simulated time (epoch ms). */
  readonly after?: number;
}

/** Trail records of an event (`Encrypt`, `iam:…` names as logged) that match the filter. */
export function events(w: WorldView, eventName: string, f: EventFilter = {}): CloudTrailRecord[] {
  return w.trail.filter(
    (r) =>
      r.eventName === eventName &&
      (f.ok === undefined ||
        (f.ok === true ? succeeded(r) : f.ok === false ? !succeeded(r) : r.errorCode === f.ok)) &&
      (f.region === undefined || r.awsRegion === f.region) &&
      (f.keyArn === undefined || recordKey(r) === f.keyArn) &&
      (f.by === undefined || recordPrincipal(r) === f.by || recordPrincipal(r).includes(f.by)) &&
      (f.source === undefined || r.eventSource === f.source) &&
      (f.after === undefined || Date.parse(r.eventTime) >= Math.floor(f.after / 1000) * 1000),
  );
}

/** The simulated time of a record, epoch ms (second precision, as CloudTrail logs it). */
export const recordTime = (r: CloudTrailRecord): number => Date.parse(r.eventTime);

/** Statements of a policy document (text), as an array. */
export function statements(policy: string): Record<string, unknown>[] {
  try {
    const doc = JSON.parse(policy) as { Statement?: unknown };
    const s = doc.Statement;
    return (Array.isArray(s) ? s : s ? [s] : []) as Record<string, unknown>[];
  } catch {
    return [];
  }
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

/** IAM-style wildcard match, case-insensitive (actions). */
export function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(value);
}

/** Whether some Allow statement of `policy` names a principal matching `principal` and allows `action`. */
export function policyAllows(policy: string, principal: (p: string) => boolean, action: string): boolean {
  return statements(policy).some((s) => {
    if (s['Effect'] !== 'Allow') return false;
    const p = s['Principal'];
    const principals =
      p === '*' ? ['*'] : p && typeof p === 'object' ? asList((p as Record<string, unknown>)['AWS']) : [];
    return principals.some(principal) && asList(s['Action']).some((a) => wildcard(a, action));
  });
}

/** Whether an identity policy allows `action` on every resource or on `resource`. */
export function identityPolicyAllows(policy: string, action: string, resource: string): boolean {
  return statements(policy).some(
    (s) =>
      s['Effect'] === 'Allow' &&
      asList(s['Action']).some((a) => wildcard(a, action)) &&
      asList(s['Resource']).some((r) => wildcard(r, resource)),
  );
}

/** "missing" messages: `need('an alias alias/app')` → `Not yet: an alias alias/app`. */
export const need = (what: string): string => `Not yet: ${what}`;
