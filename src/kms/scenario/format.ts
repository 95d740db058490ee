/**
 * The scenario format, version 1 (docs/scenario-format.md): a small, declarative JSON description of
 * a world — IAM users, roles and managed policies with access keys, KMS keys with fixed IDs,
 * aliases, policies and grants — and its strict validation. Pure: parsing changes nothing.
 */
import { checkPolicyDocument } from '../access/policyDocument.ts';
import { parsePolicy } from '../access/policyGrammar.ts';
import { isKmsError } from '../errors.ts';
import { GRANT_OPERATIONS, KEY_SPECS, KEY_USAGES, type KeySpec, type KeyUsage } from '../model/enums.ts';
import { KEY_ID_PATTERN, MRK_ID_PATTERN } from '../model/identifiers.ts';
import { USAGES_BY_SPEC } from '../operations/keys.ts';
import { ACCOUNTS } from '../world/accounts.ts';
import { DEFAULT_REGION, isKnownRegion } from '../world/regions.ts';

/** The format version this code reads and writes: `{"KmsLabScenario": 1, …}`. */
export const SCENARIO_VERSION = 1;
/** A scenario is at most 256 KiB of JSON (UTF-8): small enough to travel in a share link, compressed. */
export const MAX_SCENARIO_BYTES = 256 * 1024;

/** A policy document: JSON text, or the JSON object itself (stored pretty-printed). */
export type ScenarioPolicy = string | { readonly [element: string]: unknown };
/** Tags as a plain map: `{"team": "payments"}`. */
export type ScenarioTags = Readonly<Record<string, string>>;

export interface Scenario {
  readonly KmsLabScenario: typeof SCENARIO_VERSION;
  readonly Description?: string;
  /** Simulated time when the setup begins (ISO 8601); the world's clock is moved forward to it. */
  readonly Clock?: { readonly Start: string };
  /** By account ID: `111122223333` (yours) and `444455556666` (partner). */
  readonly Accounts: Readonly<Record<string, ScenarioAccount>>;
}

export interface ScenarioAccount {
  readonly ManagedPolicies?: readonly ScenarioManagedPolicy[];
  readonly Users?: readonly ScenarioUser[];
  readonly Roles?: readonly ScenarioRole[];
  readonly Keys?: readonly ScenarioKey[];
}

export interface ScenarioManagedPolicy {
  readonly PolicyName: string;
  readonly Path?: string;
  readonly Description?: string;
  readonly PolicyDocument: ScenarioPolicy;
}

export interface ScenarioAccessKey {
  /** `AKIA…` for users, `ASIA…` for role sessions; 16–128 upper-case letters and digits. */
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

export interface ScenarioUser {
  readonly UserName: string;
  readonly Path?: string;
  readonly Tags?: ScenarioTags;
  readonly InlinePolicies?: Readonly<Record<string, ScenarioPolicy>>;
  /** Names of this account's ManagedPolicies, or policy ARNs. */
  readonly ManagedPolicies?: readonly string[];
  readonly AccessKeys?: readonly ScenarioAccessKey[];
}

export interface ScenarioRoleSession extends ScenarioAccessKey {
  readonly SessionName: string;
}

export interface ScenarioRole {
  readonly RoleName: string;
  readonly Path?: string;
  readonly Description?: string;
  /** Default: trust the account's root (any principal of the account allowed to assume it). */
  readonly AssumeRolePolicyDocument?: ScenarioPolicy;
  readonly Tags?: ScenarioTags;
  readonly InlinePolicies?: Readonly<Record<string, ScenarioPolicy>>;
  readonly ManagedPolicies?: readonly string[];
  /** Temporary credentials of sessions of this role: requests signed with them act as the session. */
  readonly Sessions?: readonly ScenarioRoleSession[];
}

export interface ScenarioGrant {
  readonly Name?: string;
  readonly GranteePrincipal: string;
  readonly RetiringPrincipal?: string;
  readonly Operations: readonly string[];
  readonly Constraints?: {
    readonly EncryptionContextEquals?: Readonly<Record<string, string>>;
    readonly EncryptionContextSubset?: Readonly<Record<string, string>>;
  };
}

export interface ScenarioKey {
  /** A fixed key ID: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. Default: generated. */
  readonly KeyId?: string;
  /** Default us-east-1. */
  readonly Region?: string;
  readonly KeySpec?: string;
  readonly KeyUsage?: string;
  readonly MultiRegion?: boolean;
  readonly Description?: string;
  readonly Tags?: ScenarioTags;
  /** Default: the default key policy. */
  readonly Policy?: ScenarioPolicy;
  readonly BypassPolicyLockoutSafetyCheck?: boolean;
  /** Default true; false disables the key after setup. */
  readonly Enabled?: boolean;
  /** Alias names (`alias/…`) pointing at this key, in its account and Region. */
  readonly Aliases?: readonly string[];
  readonly Grants?: readonly ScenarioGrant[];
}

/** One problem in a scenario, at a path such as `Accounts.111122223333.Users[0].UserName`. */
export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

/** A scenario that cannot be loaded; `issues` says what and where. Loading it changed nothing. */
export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];
  constructor(issues: readonly ScenarioIssue[]) {
    const shown = issues.slice(0, 20).map((i) => `  ${i.path || '(top level)'}: ${i.message}`);
    if (issues.length > 20) shown.push(`  … and ${issues.length - 20} more`);
    super(
      `Invalid scenario (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${shown.join('\n')}`,
    );
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

// ---- limits of a (small) scenario -------------------------------------------------------------

const LIMITS = {
  users: 100,
  roles: 100,
  managedPolicies: 100,
  keys: 100,
  accessKeysPerUser: 2, // IAM's quota
  sessionsPerRole: 10,
  aliasesPerKey: 20,
  grantsPerKey: 50,
  inlinePolicies: 10,
  attachedPolicies: 10,
  tags: 50,
} as const;

// ---- a tiny schema checker ------------------------------------------------------------------------

type Check = (value: unknown, path: string, out: ScenarioIssue[]) => void;

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (path: string, member: string) =>
  /^[A-Za-z_][\w]*$/.test(member) || /^\d+$/.test(member)
    ? path
      ? `${path}.${member}`
      : member
    : `${path}[${JSON.stringify(member)}]`;

const str =
  (min: number, max: number, pattern?: RegExp, what?: string): Check =>
  (v, path, out) => {
    if (typeof v !== 'string') out.push({ path, message: `must be a string, not ${describe(v)}` });
    else if (v.length < min || v.length > max)
      out.push({
        path,
        message: min === max ? `must be ${min} characters long` : `must be ${min} to ${max} characters long`,
      });
    else if (pattern && !pattern.test(v))
      out.push({ path, message: `${JSON.stringify(v)} is not ${what ?? `of the form ${pattern.source}`}` });
  };

const bool: Check = (v, path, out) => {
  if (typeof v !== 'boolean') out.push({ path, message: `must be true or false, not ${describe(v)}` });
};

const oneOf =
  (values: readonly string[]): Check =>
  (v, path, out) => {
    if (typeof v !== 'string' || !values.includes(v))
      out.push({ path, message: `must be one of ${values.join(', ')}` });
  };

const list =
  (member: Check, max: number, min = 0): Check =>
  (v, path, out) => {
    if (!Array.isArray(v)) return void out.push({ path, message: `must be an array, not ${describe(v)}` });
    if (v.length > max) out.push({ path, message: `has ${v.length} entries; at most ${max} are allowed` });
    if (v.length < min)
      out.push({ path, message: `must have at least ${min} entr${min === 1 ? 'y' : 'ies'}` });
    v.forEach((m, i) => member(m, `${path}[${i}]`, out));
  };

const map =
  (key: Check, value: Check, max: number): Check =>
  (v, path, out) => {
    if (!isObject(v)) return void out.push({ path, message: `must be an object, not ${describe(v)}` });
    const entries = Object.entries(v);
    if (entries.length > max) out.push({ path, message: `has ${entries.length} entries; at most ${max}` });
    for (const [k, m] of entries) {
      key(k, at(path, k), out);
      value(m, at(path, k), out);
    }
  };

const struct =
  (members: Record<string, Check>, required: readonly string[] = []): Check =>
  (v, path, out) => {
    if (!isObject(v)) return void out.push({ path, message: `must be an object, not ${describe(v)}` });
    for (const k of Object.keys(v))
      if (!(k in members))
        out.push({
          path: at(path, k),
          message: `unknown field (allowed here: ${Object.keys(members).join(', ')})`,
        });
    for (const r of required) if (v[r] === undefined) out.push({ path: at(path, r), message: 'is required' });
    for (const [k, check] of Object.entries(members)) if (v[k] !== undefined) check(v[k], at(path, k), out);
  };

/** A policy document, as text or object, checked by the engine's own grammar and size limit. */
const policy =
  (kind: 'key' | 'identity' | 'trust'): Check =>
  (v, path, out) => {
    if (typeof v !== 'string' && !isObject(v))
      return void out.push({
        path,
        message: `must be a policy document (a JSON object or its text), not ${describe(v)}`,
      });
    const text = policyText(v as ScenarioPolicy);
    try {
      if (kind === 'key') checkPolicyDocument(text);
      else parsePolicy(text, kind === 'trust' ? 'key' : 'identity');
    } catch (e) {
      if (!isKmsError(e)) throw e;
      out.push({ path, message: `${e.code}: ${e.message}` });
    }
  };

/** The stored text of a scenario policy: strings as given, objects pretty-printed. */
export const policyText = (p: ScenarioPolicy): string =>
  typeof p === 'string' ? p : JSON.stringify(p, null, 2);

// ---- the format --------------------------------------------------------------------------------------

const iamName = str(1, 64, /^[\w+=,.@-]+$/, 'an IAM name (letters, digits and +=,.@_-)');
const policyName = str(1, 128, /^[\w+=,.@-]+$/, 'an IAM policy name (letters, digits and +=,.@_-)');
const iamPath = str(1, 512, /^\/(.*\/)?$/, 'an IAM path (/ or /division/team/)');
const tags = map(str(1, 128), str(0, 256), LIMITS.tags);
const secret = str(16, 128, /^\S+$/, 'a secret access key (16 to 128 non-space characters)');
const userAccessKey = struct(
  {
    AccessKeyId: str(
      16,
      128,
      /^AKIA[A-Z0-9]+$/,
      'a user access key ID (AKIA and upper-case letters or digits)',
    ),
    SecretAccessKey: secret,
  },
  ['AccessKeyId', 'SecretAccessKey'],
);
const roleSession = struct(
  {
    SessionName: str(2, 64, /^[\w+=,.@-]+$/, 'a role session name (letters, digits and +=,.@_-)'),
    AccessKeyId: str(
      16,
      128,
      /^ASIA[A-Z0-9]+$/,
      'a temporary access key ID (ASIA and upper-case letters or digits)',
    ),
    SecretAccessKey: secret,
  },
  ['SessionName', 'AccessKeyId', 'SecretAccessKey'],
);
const attached = list(str(1, 2048), LIMITS.attachedPolicies);
const principalArn = str(
  1,
  256,
  /^(arn:aws:iam::\d{12}:\S+|arn:aws:sts::\d{12}:\S+|[a-z0-9.-]+\.amazonaws\.com)$/,
  'a principal ARN or AWS service principal',
);
const context = map(str(1, 2048), str(0, 2048), 50);

const checkScenario = struct(
  {
    KmsLabScenario: (v, path, out) => {
      if (v !== SCENARIO_VERSION)
        out.push({
          path,
          message: `unsupported version ${JSON.stringify(v)}: this KMS Lab reads version ${SCENARIO_VERSION}`,
        });
    },
    Description: str(0, 4096),
    Clock: struct({ Start: str(1, 64, /^\d{4}-\d\d-\d\dT/, 'an ISO 8601 date-time') }, ['Start']),
    Accounts: map(
      oneOf(ACCOUNTS.map((a) => a.id)),
      struct({
        ManagedPolicies: list(
          struct(
            {
              PolicyName: policyName,
              Path: iamPath,
              Description: str(0, 1000),
              PolicyDocument: policy('identity'),
            },
            ['PolicyName', 'PolicyDocument'],
          ),
          LIMITS.managedPolicies,
        ),
        Users: list(
          struct(
            {
              UserName: iamName,
              Path: iamPath,
              Tags: tags,
              InlinePolicies: map(policyName, policy('identity'), LIMITS.inlinePolicies),
              ManagedPolicies: attached,
              AccessKeys: list(userAccessKey, LIMITS.accessKeysPerUser),
            },
            ['UserName'],
          ),
          LIMITS.users,
        ),
        Roles: list(
          struct(
            {
              RoleName: iamName,
              Path: iamPath,
              Description: str(0, 1000),
              AssumeRolePolicyDocument: policy('trust'),
              Tags: tags,
              InlinePolicies: map(policyName, policy('identity'), LIMITS.inlinePolicies),
              ManagedPolicies: attached,
              Sessions: list(roleSession, LIMITS.sessionsPerRole),
            },
            ['RoleName'],
          ),
          LIMITS.roles,
        ),
        Keys: list(
          struct({
            KeyId: str(
              1,
              36,
              new RegExp(`${KEY_ID_PATTERN.source}|${MRK_ID_PATTERN.source}`),
              'a key ID (a lower-case UUID, or mrk- and 32 hex digits)',
            ),
            Region: (v, path, out) => {
              if (typeof v !== 'string' || !isKnownRegion(v))
                out.push({
                  path,
                  message: `must be a Region of the lab (us-east-1, us-west-2, eu-west-1, ap-southeast-2)`,
                });
            },
            KeySpec: oneOf(KEY_SPECS),
            KeyUsage: oneOf(KEY_USAGES),
            MultiRegion: bool,
            Description: str(0, 8192),
            Tags: tags,
            Policy: policy('key'),
            BypassPolicyLockoutSafetyCheck: bool,
            Enabled: bool,
            Aliases: list(
              str(
                7,
                256,
                /^alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/,
                'an alias name (alias/ and letters, digits, /_-; not alias/aws/)',
              ),
              LIMITS.aliasesPerKey,
            ),
            Grants: list(
              struct(
                {
                  Name: str(1, 256, /^[a-zA-Z0-9:/_-]+$/, 'a grant name (letters, digits and :/_-)'),
                  GranteePrincipal: principalArn,
                  RetiringPrincipal: principalArn,
                  Operations: list(oneOf(GRANT_OPERATIONS), GRANT_OPERATIONS.length, 1),
                  Constraints: struct({ EncryptionContextEquals: context, EncryptionContextSubset: context }),
                },
                ['GranteePrincipal', 'Operations'],
              ),
              LIMITS.grantsPerKey,
            ),
          }),
          LIMITS.keys,
        ),
      }),
      ACCOUNTS.length,
    ),
  },
  ['KmsLabScenario', 'Accounts'],
);

/** Rules across entries: uniqueness, references, key spec and usage, key ID forms. */
function checkRules(s: Scenario, out: ScenarioIssue[]) {
  if (s.Clock && Number.isNaN(Date.parse(s.Clock.Start)))
    out.push({ path: 'Clock.Start', message: `${JSON.stringify(s.Clock.Start)} is not a valid date-time` });
  const accessKeys = new Map<string, string>();
  const seenAccessKey = (id: string, path: string) => {
    const first = accessKeys.get(id);
    if (first) out.push({ path, message: `access key ${id} is already used at ${first}` });
    else accessKeys.set(id, path);
  };
  for (const [account, a] of Object.entries(s.Accounts)) {
    const base = at('Accounts', account);
    const unique = (entries: readonly unknown[] | undefined, field: string, what: string, path: string) => {
      const seen = new Map<string, number>();
      (entries ?? []).forEach((e, i) => {
        const name = String((e as Record<string, unknown>)[field]).toLowerCase();
        const first = seen.get(name);
        if (first !== undefined)
          out.push({
            path: `${path}[${i}].${field}`,
            message: `duplicate ${what} (also at ${path}[${first}])`,
          });
        else seen.set(name, i);
      });
    };
    unique(a.ManagedPolicies, 'PolicyName', 'policy name', `${base}.ManagedPolicies`);
    unique(a.Users, 'UserName', 'user name (IAM names ignore case)', `${base}.Users`);
    unique(a.Roles, 'RoleName', 'role name (IAM names ignore case)', `${base}.Roles`);
    const policyNames = new Set((a.ManagedPolicies ?? []).map((p) => p.PolicyName));
    const checkAttached = (refs: readonly string[] | undefined, path: string) =>
      (refs ?? []).forEach((r, i) => {
        if (r.startsWith('arn:')) {
          if (!/^arn:aws:iam::\d{12}:policy\/\S+$/.test(r))
            out.push({ path: `${path}[${i}]`, message: `${r} is not a managed policy ARN` });
        } else if (!policyNames.has(r))
          out.push({
            path: `${path}[${i}]`,
            message: `no managed policy named ${r} in ${base}.ManagedPolicies (use a name from there, or an ARN)`,
          });
      });
    (a.Users ?? []).forEach((u, i) => {
      checkAttached(u.ManagedPolicies, `${base}.Users[${i}].ManagedPolicies`);
      (u.AccessKeys ?? []).forEach((k, j) =>
        seenAccessKey(k.AccessKeyId, `${base}.Users[${i}].AccessKeys[${j}].AccessKeyId`),
      );
    });
    (a.Roles ?? []).forEach((r, i) => {
      checkAttached(r.ManagedPolicies, `${base}.Roles[${i}].ManagedPolicies`);
      unique(r.Sessions, 'SessionName', 'session name', `${base}.Roles[${i}].Sessions`);
      (r.Sessions ?? []).forEach((k, j) =>
        seenAccessKey(k.AccessKeyId, `${base}.Roles[${i}].Sessions[${j}].AccessKeyId`),
      );
    });
    const keyIds = new Map<string, string>();
    const aliases = new Map<string, string>();
    (a.Keys ?? []).forEach((k, i) => {
      const path = `${base}.Keys[${i}]`;
      const region = k.Region ?? DEFAULT_REGION;
      if (k.KeyId !== undefined) {
        const mrk = MRK_ID_PATTERN.test(k.KeyId);
        if (mrk !== (k.MultiRegion === true))
          out.push({
            path: `${path}.KeyId`,
            message: mrk
              ? 'an mrk- key ID needs "MultiRegion": true'
              : 'a multi-Region key needs an mrk- key ID (mrk- and 32 hex digits)',
          });
        const first = keyIds.get(k.KeyId);
        if (first) out.push({ path: `${path}.KeyId`, message: `duplicate key ID (also at ${first})` });
        else keyIds.set(k.KeyId, path);
      }
      const spec = (k.KeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
      if (spec !== 'SYMMETRIC_DEFAULT' && k.KeyUsage === undefined)
        out.push({ path: `${path}.KeyUsage`, message: `is required for KeySpec ${spec}` });
      const usage = (k.KeyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage;
      if (USAGES_BY_SPEC[spec] && !USAGES_BY_SPEC[spec].includes(usage))
        out.push({
          path: `${path}.KeyUsage`,
          message: `${usage} is not valid for KeySpec ${spec} (valid: ${USAGES_BY_SPEC[spec].join(', ')})`,
        });
      (k.Aliases ?? []).forEach((name, j) => {
        const id = `${region} ${name}`;
        const first = aliases.get(id);
        if (first)
          out.push({
            path: `${path}.Aliases[${j}]`,
            message: `alias ${name} already names a key in ${region} (${first})`,
          });
        else aliases.set(id, `${path}.Aliases[${j}]`);
      });
      const grantNames = new Set<string>();
      (k.Grants ?? []).forEach((g, j) => {
        if (g.Name !== undefined) {
          if (grantNames.has(g.Name))
            out.push({ path: `${path}.Grants[${j}].Name`, message: `duplicate grant name on this key` });
          grantNames.add(g.Name);
        }
        if (g.Constraints && spec !== 'SYMMETRIC_DEFAULT')
          out.push({
            path: `${path}.Grants[${j}].Constraints`,
            message: 'grant constraints are supported only for symmetric encryption keys',
          });
        if (g.Constraints?.EncryptionContextEquals && g.Constraints.EncryptionContextSubset)
          out.push({
            path: `${path}.Grants[${j}].Constraints`,
            message: 'use EncryptionContextEquals or EncryptionContextSubset, not both',
          });
      });
    });
  }
}

/** Size of a scenario as UTF-8 JSON text. */
const sizeOf = (text: string) => new TextEncoder().encode(text).length;

/**
 * Reads and strictly validates a scenario: JSON text or an already-parsed value. Throws a
 * {@link ScenarioError} listing every problem with its path; returns the scenario unchanged
 * (a deep copy) when it is valid.
 */
export function parseScenario(input: unknown): Scenario {
  let text: string;
  let value: unknown;
  if (typeof input === 'string') {
    text = input;
    if (sizeOf(text) > MAX_SCENARIO_BYTES)
      throw new ScenarioError([
        {
          path: '',
          message: `is ${sizeOf(text)} bytes; a scenario may be at most ${MAX_SCENARIO_BYTES} bytes`,
        },
      ]);
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new ScenarioError([{ path: '', message: `is not valid JSON: ${(e as Error).message}` }]);
    }
  } else {
    try {
      text = JSON.stringify(input) ?? '';
    } catch (e) {
      throw new ScenarioError([
        { path: '', message: `cannot be serialized as JSON: ${(e as Error).message}` },
      ]);
    }
    if (sizeOf(text) > MAX_SCENARIO_BYTES)
      throw new ScenarioError([
        {
          path: '',
          message: `is ${sizeOf(text)} bytes; a scenario may be at most ${MAX_SCENARIO_BYTES} bytes`,
        },
      ]);
    value = JSON.parse(text);
  }
  if (!isObject(value) || !('KmsLabScenario' in value))
    throw new ScenarioError([
      {
        path: '',
        message: 'is not a KMS Lab scenario: expected an object starting {"KmsLabScenario": 1, …}',
      },
    ]);
  const issues: ScenarioIssue[] = [];
  if (value.KmsLabScenario !== SCENARIO_VERSION) {
    checkScenario({ KmsLabScenario: value.KmsLabScenario, Accounts: {} }, '', issues);
    throw new ScenarioError(issues);
  }
  checkScenario(value, '', issues);
  if (!issues.length) checkRules(value as unknown as Scenario, issues);
  if (issues.length) throw new ScenarioError(issues);
  return value as unknown as Scenario;
}
