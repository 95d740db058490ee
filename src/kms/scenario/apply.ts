/**
 * Builds a scenario's world through the public API — `kms.iam(…)` and `kms.send(…)` as each
 * account's root user — so every rule of KMS and IAM applies and CloudTrail shows the setup. The only
 * exception: fixed key IDs and access keys, which the API always generates, are passed through the
 * engine's internal seed hook (operations/seedOptions.ts). All or nothing: on any failure the world
 * is restored to what it was and a {@link ScenarioError} says where.
 */
import { isKmsError } from '../errors.ts';
import { policyArn, roleArn, userArn, assumedRoleArn } from '../iam/model.ts';
import type { Kms } from '../index.ts';
import { GRANT_PROPAGATION_MS } from '../model/grant.ts';
import { seededCaller } from '../operations/seedOptions.ts';
import { rootPrincipal, type CallerContext } from '../world/principal.ts';
import { DEFAULT_REGION } from '../world/regions.ts';
import {
  parseScenario,
  policyText,
  ScenarioError,
  type Scenario,
  type ScenarioAccount,
  type ScenarioTags,
} from './format.ts';

/** A seeded credential: an IAM user's access key, or a role session's temporary credentials. */
export interface SeededCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  /** The user's ARN, or the session's `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  readonly principalArn: string;
  /** For role sessions: the role and the session name. */
  readonly roleArn?: string;
  readonly sessionName?: string;
}

export interface SeededKey {
  /** Where the key is in the scenario, e.g. `Accounts.111122223333.Keys[0]`. */
  readonly path: string;
  readonly accountId: string;
  readonly region: string;
  readonly keyId: string;
  readonly arn: string;
  readonly aliases: readonly string[];
  readonly grantIds: readonly string[];
}

/** What applying a scenario made (plain data: it can cross a worker boundary). */
export interface AppliedScenario {
  readonly keys: readonly SeededKey[];
  readonly credentials: readonly SeededCredential[];
}

const SETUP_USER_AGENT = 'kms-lab/scenario';

const rootOf = (accountId: string, region = DEFAULT_REGION): CallerContext => ({
  principal: rootPrincipal(accountId),
  region,
  source: 'script',
  userAgent: SETUP_USER_AGENT,
});

const iamTags = (t: ScenarioTags | undefined) =>
  t && Object.keys(t).length ? { Tags: Object.entries(t).map(([Key, Value]) => ({ Key, Value })) } : {};
const kmsTags = (t: ScenarioTags | undefined) =>
  t && Object.keys(t).length
    ? { Tags: Object.entries(t).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) }
    : {};

/** Trust policy of a role that declares none: principals of its own account may assume it. */
export const defaultTrustPolicy = (accountId: string): string =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' },
      ],
    },
    null,
    2,
  );

/**
 * Validates `input` (a {@link Scenario}, or its JSON text) and builds it in `kms`. Resolves with the
 * keys and credentials made; rejects with a {@link ScenarioError} and leaves the world unchanged when
 * the scenario is invalid or the engine refuses any step (e.g. a name already taken in the world).
 */
export async function applyScenario(kms: Kms, input: unknown): Promise<AppliedScenario> {
  const scenario = parseScenario(input);
  const before = await kms.snapshot();
  let path = '';
  // Runs one setup call, remembering where it comes from for the error message.
  const step = async <T>(where: string, call: () => Promise<T>): Promise<T> => {
    path = where;
    return call();
  };
  try {
    return await build(kms, scenario, step);
  } catch (e) {
    await kms.restore(before);
    if (e instanceof ScenarioError) throw e;
    const message = isKmsError(e) ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e);
    throw new ScenarioError([{ path, message }]);
  }
}

type Step = <T>(where: string, call: () => Promise<T>) => Promise<T>;

async function build(kms: Kms, s: Scenario, step: Step): Promise<AppliedScenario> {
  if (s.Clock) {
    const start = Date.parse(s.Clock.Start);
    if (start > kms.now()) await step('Clock.Start', () => kms.advanceClock((start - kms.now()) / 1000));
  }
  const accounts = Object.entries(s.Accounts) as [string, ScenarioAccount][];
  const credentials: SeededCredential[] = [];
  // Identities of every account first: key policies and grants may name them, across accounts.
  for (const [accountId, a] of accounts) credentials.push(...(await identities(kms, accountId, a, step)));
  const keys: SeededKey[] = [];
  for (const [accountId, a] of accounts) keys.push(...(await kmsKeys(kms, accountId, a, step)));
  // Seeded grants exist from the start: let them propagate, so they work without a grant token.
  if (keys.some((k) => k.grantIds.length))
    await step('Accounts', () => kms.advanceClock(GRANT_PROPAGATION_MS / 1000));
  return { keys, credentials };
}

async function identities(
  kms: Kms,
  accountId: string,
  a: ScenarioAccount,
  step: Step,
): Promise<SeededCredential[]> {
  const root = rootOf(accountId);
  const base = `Accounts.${accountId}`;
  const out: SeededCredential[] = [];
  const managedArn = (ref: string) => {
    if (ref.startsWith('arn:')) return ref;
    const p = a.ManagedPolicies!.find((m) => m.PolicyName === ref)!;
    return policyArn(accountId, p.PolicyName, p.Path ?? '/');
  };
  for (const [i, p] of (a.ManagedPolicies ?? []).entries())
    await step(`${base}.ManagedPolicies[${i}]`, () =>
      kms.iam(
        'CreatePolicy',
        {
          PolicyName: p.PolicyName,
          PolicyDocument: policyText(p.PolicyDocument),
          ...(p.Path ? { Path: p.Path } : {}),
          ...(p.Description !== undefined ? { Description: p.Description } : {}),
        },
        root,
      ),
    );
  for (const [i, u] of (a.Users ?? []).entries()) {
    const at = `${base}.Users[${i}]`;
    await step(at, () =>
      kms.iam(
        'CreateUser',
        { UserName: u.UserName, ...(u.Path ? { Path: u.Path } : {}), ...iamTags(u.Tags) },
        root,
      ),
    );
    for (const [name, doc] of Object.entries(u.InlinePolicies ?? {}))
      await step(`${at}.InlinePolicies.${name}`, () =>
        kms.iam(
          'PutUserPolicy',
          { UserName: u.UserName, PolicyName: name, PolicyDocument: policyText(doc) },
          root,
        ),
      );
    for (const [j, ref] of (u.ManagedPolicies ?? []).entries())
      await step(`${at}.ManagedPolicies[${j}]`, () =>
        kms.iam('AttachUserPolicy', { UserName: u.UserName, PolicyArn: managedArn(ref) }, root),
      );
    for (const [j, k] of (u.AccessKeys ?? []).entries()) {
      const caller = seededCaller(root, {
        accessKey: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey },
      });
      await step(`${at}.AccessKeys[${j}]`, () =>
        kms.iam('CreateAccessKey', { UserName: u.UserName }, caller),
      );
      out.push({
        accessKeyId: k.AccessKeyId,
        secretAccessKey: k.SecretAccessKey,
        accountId,
        principalArn: userArn(accountId, u.UserName, u.Path ?? '/'),
      });
    }
  }
  for (const [i, r] of (a.Roles ?? []).entries()) {
    const at = `${base}.Roles[${i}]`;
    await step(at, () =>
      kms.iam(
        'CreateRole',
        {
          RoleName: r.RoleName,
          AssumeRolePolicyDocument: r.AssumeRolePolicyDocument
            ? policyText(r.AssumeRolePolicyDocument)
            : defaultTrustPolicy(accountId),
          ...(r.Path ? { Path: r.Path } : {}),
          ...(r.Description !== undefined ? { Description: r.Description } : {}),
          ...iamTags(r.Tags),
        },
        root,
      ),
    );
    for (const [name, doc] of Object.entries(r.InlinePolicies ?? {}))
      await step(`${at}.InlinePolicies.${name}`, () =>
        kms.iam(
          'PutRolePolicy',
          { RoleName: r.RoleName, PolicyName: name, PolicyDocument: policyText(doc) },
          root,
        ),
      );
    for (const [j, ref] of (r.ManagedPolicies ?? []).entries())
      await step(`${at}.ManagedPolicies[${j}]`, () =>
        kms.iam('AttachRolePolicy', { RoleName: r.RoleName, PolicyArn: managedArn(ref) }, root),
      );
    for (const session of r.Sessions ?? [])
      out.push({
        accessKeyId: session.AccessKeyId,
        secretAccessKey: session.SecretAccessKey,
        accountId,
        principalArn: assumedRoleArn(accountId, r.RoleName, session.SessionName),
        roleArn: roleArn(accountId, r.RoleName, r.Path ?? '/'),
        sessionName: session.SessionName,
      });
  }
  // Role-session credentials live outside IAM (they are STS's): they must not shadow a user's key.
  const userKeys = new Set(
    kms.identities().flatMap((i) => (i.kind === 'user' ? i.accessKeys.map((k) => k.accessKeyId) : [])),
  );
  for (const c of out)
    if (c.roleArn && userKeys.has(c.accessKeyId))
      throw new ScenarioError([
        { path: `${base}.Roles`, message: `access key ${c.accessKeyId} already belongs to an IAM user` },
      ]);
  return out;
}

async function kmsKeys(kms: Kms, accountId: string, a: ScenarioAccount, step: Step): Promise<SeededKey[]> {
  const out: SeededKey[] = [];
  for (const [i, k] of (a.Keys ?? []).entries()) {
    const at = `Accounts.${accountId}.Keys[${i}]`;
    const region = k.Region ?? DEFAULT_REGION;
    const root = rootOf(accountId, region);
    const creator = k.KeyId ? seededCaller(root, { keyId: k.KeyId }) : root;
    const { KeyMetadata } = await step(at, () =>
      kms.send(
        'CreateKey',
        {
          ...(k.KeySpec ? { KeySpec: k.KeySpec } : {}),
          ...(k.KeyUsage ? { KeyUsage: k.KeyUsage } : {}),
          ...(k.MultiRegion !== undefined ? { MultiRegion: k.MultiRegion } : {}),
          ...(k.Description !== undefined ? { Description: k.Description } : {}),
          ...(k.Policy !== undefined ? { Policy: policyText(k.Policy) } : {}),
          ...(k.BypassPolicyLockoutSafetyCheck !== undefined
            ? { BypassPolicyLockoutSafetyCheck: k.BypassPolicyLockoutSafetyCheck }
            : {}),
          ...kmsTags(k.Tags),
        },
        creator,
      ),
    );
    const meta = KeyMetadata as { KeyId: string; Arn: string };
    for (const [j, alias] of (k.Aliases ?? []).entries())
      await step(`${at}.Aliases[${j}]`, () =>
        kms.send('CreateAlias', { AliasName: alias, TargetKeyId: meta.KeyId }, root),
      );
    const grantIds: string[] = [];
    for (const [j, g] of (k.Grants ?? []).entries()) {
      const { GrantId } = await step(`${at}.Grants[${j}]`, () =>
        kms.send('CreateGrant', { KeyId: meta.KeyId, ...structuredClone(g) }, root),
      );
      grantIds.push(GrantId as string);
    }
    if (k.Enabled === false)
      await step(`${at}.Enabled`, () => kms.send('DisableKey', { KeyId: meta.KeyId }, root));
    out.push({
      path: at,
      accountId,
      region,
      keyId: meta.KeyId,
      arn: meta.Arn,
      aliases: [...(k.Aliases ?? [])],
      grantIds,
    });
  }
  return out;
}
