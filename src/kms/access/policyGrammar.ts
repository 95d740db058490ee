/**
 * The IAM policy language as KMS key policies and IAM identity policies use it: parsing into a
 * normalized form, and validation with MalformedPolicyDocumentException.
 *
 * Messages: "Policy contains a statement with one or more invalid principals." and "The new key
 * policy will not allow you to update the key policy in the future." are AWS's documented/observed
 * texts; the others are modelled on IAM's wording and are (unverified) for KMS.
 */
import { Err } from '../errors.ts';

export type Effect = 'Allow' | 'Deny';

/** A principal element: `*`, or values by type (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
export type PrincipalSpec = '*' | { readonly [type: string]: readonly string[] };

export type SetOperator = 'ForAnyValue' | 'ForAllValues';

/** One condition: an operator applied to one key with one or more policy values (ORed). */
export interface ParsedCondition {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The base operator, e.g. `StringLike`. */
  readonly base: string;
  readonly ifExists: boolean;
  readonly set?: SetOperator;
  readonly key: string;
  readonly values: readonly string[];
}

export interface ParsedStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly ParsedCondition[];
}

export interface ParsedPolicy {
  readonly version?: string;
  readonly id?: string;
  readonly statements: readonly ParsedStatement[];
}

export type PolicyKind = 'key' | 'identity';

/** Condition operators and whether they negate (a missing key then satisfies them). */
export const CONDITION_OPERATORS: Readonly<Record<string, { negated: boolean }>> = {
  StringEquals: { negated: false },
  StringNotEquals: { negated: true },
  StringEqualsIgnoreCase: { negated: false },
  StringNotEqualsIgnoreCase: { negated: true },
  StringLike: { negated: false },
  StringNotLike: { negated: true },
  NumericEquals: { negated: false },
  NumericNotEquals: { negated: true },
  NumericLessThan: { negated: false },
  NumericLessThanEquals: { negated: false },
  NumericGreaterThan: { negated: false },
  NumericGreaterThanEquals: { negated: false },
  DateEquals: { negated: false },
  DateNotEquals: { negated: true },
  DateLessThan: { negated: false },
  DateLessThanEquals: { negated: false },
  DateGreaterThan: { negated: false },
  DateGreaterThanEquals: { negated: false },
  Bool: { negated: false },
  BinaryEquals: { negated: false },
  IpAddress: { negated: false },
  NotIpAddress: { negated: true },
  ArnEquals: { negated: false },
  ArnLike: { negated: false },
  ArnNotEquals: { negated: true },
  ArnNotLike: { negated: true },
  Null: { negated: false },
};

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT = /^\d{12}$/;
const AWS_PRINCIPAL_ARN =
  /^arn:aws:(?:iam::\d{12}:(?:root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)|sts::\d{12}:(?:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+))$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;
const ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

const malformed = (message: string) => Err.MalformedPolicyDocument(message);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or list of strings (the grammar's "one or more"). */
function stringList(v: unknown, element: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.length) throw malformed(`Policy contains a statement with an empty ${element} element.`); // (unverified)
  for (const s of list)
    if (typeof s !== 'string')
      throw malformed(`Policy contains a statement with an invalid ${element} element.`); // (unverified)
  return list as string[];
}

function parsePrincipal(v: unknown): PrincipalSpec {
  const invalid = () => malformed('Policy contains a statement with one or more invalid principals.');
  if (v === '*') return '*';
  if (!isObject(v)) throw invalid();
  const out: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(v)) {
    if (!PRINCIPAL_TYPES.has(type)) throw invalid();
    let list: string[];
    try {
      list = stringList(values, 'Principal');
    } catch {
      throw invalid();
    }
    for (const p of list) {
      if (type === 'AWS' && p !== '*' && !ACCOUNT.test(p) && !AWS_PRINCIPAL_ARN.test(p)) throw invalid();
      if (type === 'Service' && p !== '*' && !SERVICE_PRINCIPAL.test(p)) throw invalid();
    }
    out[type] = list;
  }
  return out;
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined when not an operator. */
export function parseOperator(operator: string): Omit<ParsedCondition, 'key' | 'values'> | undefined {
  let rest = operator;
  let set: SetOperator | undefined;
  const m = /^(ForAnyValue|ForAllValues):(.+)$/.exec(rest);
  if (m) {
    set = m[1] as SetOperator;
    rest = m[2]!;
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest !== 'IfExists') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!(rest in CONDITION_OPERATORS) || (ifExists && rest === 'Null')) return undefined;
  return { operator, base: rest, ifExists, ...(set ? { set } : {}) };
}

function parseConditions(v: unknown): ParsedCondition[] {
  if (!isObject(v)) throw malformed('Policy contains a statement with an invalid Condition element.'); // (unverified)
  const out: ParsedCondition[] = [];
  for (const [operator, block] of Object.entries(v)) {
    const op = parseOperator(operator);
    if (!op) throw malformed(`Policy contains an invalid condition operator: ${operator}.`); // (unverified)
    if (!isObject(block)) throw malformed('Policy contains a statement with an invalid Condition element.'); // (unverified)
    for (const [key, raw] of Object.entries(block)) {
      if (!/^[a-zA-Z0-9-]+:\S+$/.test(key))
        throw malformed(`Policy contains an invalid condition key: ${key}.`); // (unverified)
      const list = Array.isArray(raw) ? raw : [raw];
      if (!list.length || list.some((x) => !['string', 'number', 'boolean'].includes(typeof x)))
        throw malformed(`Policy contains an invalid value for condition key ${key}.`); // (unverified)
      out.push({ ...op, key, values: list.map(String) });
    }
  }
  return out;
}

function parseStatement(raw: unknown, index: number, kind: PolicyKind): ParsedStatement {
  if (!isObject(raw)) throw malformed('Each Statement must be a JSON object.'); // (unverified)
  for (const element of Object.keys(raw))
    if (!STATEMENT_ELEMENTS.has(element))
      throw malformed(`Policy contains a statement with an unknown element: ${element}.`); // (unverified)
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw malformed('Each Statement must have an Effect of "Allow" or "Deny".'); // (unverified)
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string')
    throw malformed('Policy contains a statement with an invalid Sid.'); // (unverified)
  const pair = (a: string, b: string) => {
    if (raw[a] !== undefined && raw[b] !== undefined)
      throw malformed(`Policy contains a statement with both ${a} and ${b}.`); // (unverified)
  };
  pair('Principal', 'NotPrincipal');
  pair('Action', 'NotAction');
  pair('Resource', 'NotResource');
  if (kind === 'key' && raw.Principal === undefined && raw.NotPrincipal === undefined)
    throw malformed('Policy contains a statement with no principal.'); // (unverified)
  if (kind === 'identity' && (raw.Principal !== undefined || raw.NotPrincipal !== undefined))
    throw malformed('Policy document should not specify a principal.'); // IAM's text
  const actions = (name: string) => {
    if (raw[name] === undefined) return undefined;
    const list = stringList(raw[name], name);
    for (const a of list) if (!ACTION.test(a)) throw malformed(`Policy contains an invalid action: ${a}.`); // (unverified)
    return list;
  };
  const action = actions('Action');
  const notAction = actions('NotAction');
  const resource = raw.Resource === undefined ? undefined : stringList(raw.Resource, 'Resource');
  const notResource = raw.NotResource === undefined ? undefined : stringList(raw.NotResource, 'NotResource');
  if (kind === 'identity' && !action && !notAction) throw malformed('Policy statement must contain actions.'); // IAM's text
  if (kind === 'identity' && !resource && !notResource)
    throw malformed('Policy statement must contain resources.'); // IAM's text
  return {
    index,
    ...(typeof raw.Sid === 'string' ? { sid: raw.Sid } : {}),
    effect,
    ...(raw.Principal !== undefined ? { principal: parsePrincipal(raw.Principal) } : {}),
    ...(raw.NotPrincipal !== undefined ? { notPrincipal: parsePrincipal(raw.NotPrincipal) } : {}),
    ...(action ? { action } : {}),
    ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}),
    ...(notResource ? { notResource } : {}),
    conditions: raw.Condition === undefined ? [] : parseConditions(raw.Condition),
  };
}

/**
 * Parses and validates a policy document. Throws MalformedPolicyDocumentException for anything
 * the grammar refuses. (Size limits are the caller's: they differ by policy kind.)
 */
export function parsePolicy(text: string, kind: PolicyKind = 'key'): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The policy is not valid JSON.'); // (unverified)
  }
  if (!isObject(doc)) throw malformed('The policy must be a JSON object.'); // (unverified)
  for (const element of Object.keys(doc))
    if (!['Version', 'Id', 'Statement'].includes(element))
      throw malformed(`Policy contains an unknown element: ${element}.`); // (unverified)
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
    throw malformed('The policy document has an invalid Version. Use 2012-10-17.'); // (unverified)
  if (doc.Id !== undefined && typeof doc.Id !== 'string')
    throw malformed('The policy document has an invalid Id.'); // (unverified)
  if (doc.Statement === undefined) throw malformed('The policy must contain a Statement element.'); // (unverified)
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (!list.length) throw malformed('The policy must contain at least one Statement.'); // (unverified)
  const statements = list.map((s, i) => parseStatement(s, i, kind));
  const sids = new Set<string>();
  for (const s of statements)
    if (s.sid !== undefined && s.sid !== '') {
      if (sids.has(s.sid)) throw malformed(`Statement IDs (SID) in a single policy must be unique.`); // IAM's text
      sids.add(s.sid);
    }
  return {
    ...(typeof doc.Version === 'string' ? { version: doc.Version } : {}),
    ...(typeof doc.Id === 'string' ? { id: doc.Id } : {}),
    statements,
  };
}

const cache = new Map<string, ParsedPolicy>();
const CACHE_LIMIT = 512;

/** parsePolicy with a bounded cache (evaluation parses the same documents over and over). */
export function parsedPolicy(text: string, kind: PolicyKind): ParsedPolicy {
  const id = kind + '\u0000' + text;
  let p = cache.get(id);
  if (!p) {
    p = parsePolicy(text, kind);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(id, p);
  }
  return p;
}
