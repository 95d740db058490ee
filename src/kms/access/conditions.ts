/**
 * Condition evaluation: the request context (condition keys and their values for one call) and
 * the IAM condition operators over it, each result explained.
 */
import { CONDITION_OPERATORS, type ParsedCondition } from './policyGrammar.ts';

/** Condition keys, lower-cased (keys are case-insensitive), to their values. */
export type RequestContext = Map<string, readonly string[]>;

/** One condition as evaluated: the values compared and whether it held. */
export interface ConditionEvaluation {
  readonly operator: string;
  readonly key: string;
  readonly policyValues: readonly string[];
  /** The request's values for the key; null when the request has no such key. */
  readonly requestValues: readonly string[] | null;
  readonly held: boolean;
}

const POSITIVE: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

const globCache = new Map<string, RegExp>();
/** `*` and `?` wildcards; `flags` 'i' for case-insensitive matching. */
export function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?'))
    return caseInsensitive ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const id = (caseInsensitive ? 'i' : 's') + pattern;
  let re = globCache.get(id);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    if (globCache.size > 4096) globCache.clear();
    globCache.set(id, re);
  }
  return re.test(value);
}

function arnLike(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return glob(pattern, value);
  // The resource part may contain colons: compare the first five fields, then the rest.
  for (let i = 0; i < 5; i++) if (!glob(p[i]!, v[i]!)) return false;
  return glob(p.slice(5).join(':'), v.slice(5).join(':'));
}

const toTime = (s: string): number => (/^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.parse(s));

function ipv4(s: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(net ?? '');
  if (a === undefined || b === undefined) return ip === cidr; // IPv6: exact match only (simplification)
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

/** The positive form of an operator applied to one request value and one policy value. */
function compare(base: string, value: string, policy: string): boolean {
  switch (base) {
    case 'StringEquals':
      return value === policy;
    case 'StringEqualsIgnoreCase':
      return value.toLowerCase() === policy.toLowerCase();
    case 'StringLike':
      return glob(policy, value);
    case 'NumericEquals':
      return Number(value) === Number(policy);
    case 'NumericLessThan':
      return Number(value) < Number(policy);
    case 'NumericLessThanEquals':
      return Number(value) <= Number(policy);
    case 'NumericGreaterThan':
      return Number(value) > Number(policy);
    case 'NumericGreaterThanEquals':
      return Number(value) >= Number(policy);
    case 'DateEquals':
      return toTime(value) === toTime(policy);
    case 'DateLessThan':
      return toTime(value) < toTime(policy);
    case 'DateLessThanEquals':
      return toTime(value) <= toTime(policy);
    case 'DateGreaterThan':
      return toTime(value) > toTime(policy);
    case 'DateGreaterThanEquals':
      return toTime(value) >= toTime(policy);
    case 'Bool':
      return value.toLowerCase() === policy.toLowerCase();
    case 'BinaryEquals':
      return value === policy;
    case 'IpAddress':
      return inCidr(value, policy);
    case 'ArnEquals':
    case 'ArnLike':
      return arnLike(policy, value);
    default:
      return false;
  }
}

/** Evaluates one condition against the request context. */
export function evaluateCondition(c: ParsedCondition, context: RequestContext): ConditionEvaluation {
  const request = context.get(c.key.toLowerCase());
  const present = request !== undefined && request.length > 0;
  const result = (held: boolean): ConditionEvaluation => ({
    operator: c.operator,
    key: c.key,
    policyValues: c.values,
    requestValues: present ? request : null,
    held,
  });
  if (c.base === 'Null') return result(c.values.some((v) => (v.toLowerCase() === 'true') === !present));
  const negated = CONDITION_OPERATORS[c.base]?.negated ?? false;
  if (!present) {
    if (c.set === 'ForAllValues') return result(true);
    if (c.set === 'ForAnyValue') return result(false);
    // A missing key fails positive operators; …IfExists and negated operators are then satisfied.
    return result(c.ifExists || negated);
  }
  const positive = POSITIVE[c.base] ?? c.base;
  const holds = (v: string) => {
    const m = c.values.some((p) => compare(positive, v, p));
    return negated ? !m : m;
  };
  if (c.set === 'ForAllValues') return result(request.every(holds));
  if (c.set === 'ForAnyValue') return result(request.some(holds));
  return result(negated ? request.every(holds) : request.some(holds));
}
