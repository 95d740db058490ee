/**
 * The world as a scenario (the inverse of applyScenario, as far as the format reaches): IAM users,
 * roles and managed policies with active access keys, and customer managed keys that are Enabled or
 * Disabled, with their IDs, aliases, policies, tags and grants. What the format cannot express (key
 * material, rotation, replicas, keys pending deletion or import, service grants, role sessions) is
 * left out and listed.
 */
import { defaultKeyPolicy } from '../access/defaultKeyPolicy.ts';
import type { IamManagedPolicyRecord, IamRoleRecord, IamUserRecord } from '../iam/model.ts';
import type { Kms } from '../index.ts';
import type { Tag } from '../model/key.ts';
import { defaultTrustPolicy } from './apply.ts';
import {
  parseScenario,
  policyText,
  SCENARIO_VERSION,
  type Scenario,
  type ScenarioAccount,
  type ScenarioKey,
  type ScenarioPolicy,
  type ScenarioTags,
} from './format.ts';

export interface ExportedScenario {
  readonly scenario: Scenario;
  /** What the world has that the scenario leaves out, e.g. `arn:…:key/… (PendingDeletion)`. */
  readonly omitted: readonly string[];
}

/** A policy as the object when the text is what a scenario object would be stored as, else the text. */
function policyOut(text: string): ScenarioPolicy {
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc === 'object' && doc && !Array.isArray(doc) && policyText(doc as never) === text)
      return doc as ScenarioPolicy;
  } catch {
    // not JSON: keep the text
  }
  return text;
}

const tagMap = (tags: readonly Tag[]): ScenarioTags | undefined =>
  tags.length ? Object.fromEntries(tags.map((t) => [t.TagKey, t.TagValue])) : undefined;
const some = <T>(list: readonly T[]): T[] | undefined => (list.length ? [...list] : undefined);
const entries = (m: Record<string, string>) =>
  Object.keys(m).length
    ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, policyOut(v)]))
    : undefined;
/** Drops undefined members, so the scenario stays small and strict. */
const clean = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * Describes `kms`'s world as a scenario, validated by parseScenario (so a world beyond the format's
 * limits throws a ScenarioError). Applying the result to an empty world rebuilds it, with new grant IDs.
 */
export function exportScenario(kms: Kms): ExportedScenario {
  const omitted: string[] = [];
  const accounts: Record<string, ScenarioAccount> = {};
  const account = (id: string) => (accounts[id] ??= {}) as Record<string, unknown[]>;
  const identities = kms.identities();
  const policies = identities.filter((i): i is IamManagedPolicyRecord => i.kind === 'policy');
  const attachedRef = (accountId: string, arn: string) =>
    policies.find((p) => p.arn === arn && p.accountId === accountId)?.name ?? arn;

  for (const p of policies)
    (account(p.accountId).ManagedPolicies ??= []).push(
      clean({
        PolicyName: p.name,
        Path: p.path === '/' ? undefined : p.path,
        Description: p.description || undefined,
        PolicyDocument: policyOut(p.document),
      }),
    );
  for (const u of identities.filter((i): i is IamUserRecord => i.kind === 'user'))
    (account(u.accountId).Users ??= []).push(
      clean({
        UserName: u.name,
        Path: u.path === '/' ? undefined : u.path,
        Tags: tagMap(u.tags),
        InlinePolicies: entries(u.inlinePolicies),
        ManagedPolicies: some(u.attachedPolicies.map((a) => attachedRef(u.accountId, a))),
        AccessKeys: some(
          u.accessKeys
            .filter((k) => k.status === 'Active')
            .map((k) => ({ AccessKeyId: k.accessKeyId, SecretAccessKey: k.secretAccessKey })),
        ),
      }),
    );
  for (const r of identities.filter((i): i is IamRoleRecord => i.kind === 'role'))
    (account(r.accountId).Roles ??= []).push(
      clean({
        RoleName: r.name,
        Path: r.path === '/' ? undefined : r.path,
        Description: r.description || undefined,
        AssumeRolePolicyDocument:
          r.assumeRolePolicyDocument === defaultTrustPolicy(r.accountId)
            ? undefined
            : policyOut(r.assumeRolePolicyDocument),
        Tags: tagMap(r.tags),
        InlinePolicies: entries(r.inlinePolicies),
        ManagedPolicies: some(r.attachedPolicies.map((a) => attachedRef(r.accountId, a))),
      }),
    );

  const aliases = kms.aliases();
  for (const k of kms.keys()) {
    if (k.keyManager !== 'CUSTOMER') continue;
    const why =
      k.state !== 'Enabled' && k.state !== 'Disabled'
        ? k.state
        : k.origin !== 'AWS_KMS'
          ? `origin ${k.origin}`
          : k.multiRegionInfo?.type === 'REPLICA'
            ? 'replica key'
            : undefined;
    if (why) {
      omitted.push(`${k.arn} (${why})`);
      continue;
    }
    const grants = (k.grants ?? []).filter((g) => {
      if (g.granteePrincipal) return true;
      omitted.push(`grant ${g.grantId} on ${k.arn} (service grant)`);
      return false;
    });
    const key: ScenarioKey = clean({
      KeyId: k.keyId,
      Region: k.region === 'us-east-1' ? undefined : k.region,
      KeySpec: k.keySpec === 'SYMMETRIC_DEFAULT' ? undefined : k.keySpec,
      KeyUsage: k.keySpec === 'SYMMETRIC_DEFAULT' ? undefined : k.keyUsage,
      MultiRegion: k.multiRegion || undefined,
      Description: k.description || undefined,
      Tags: tagMap(k.tags),
      Policy: k.policy === defaultKeyPolicy(k.accountId) ? undefined : policyOut(k.policy),
      // A stored policy passed the lockout check once; the world may since have changed.
      BypassPolicyLockoutSafetyCheck: k.policy === defaultKeyPolicy(k.accountId) ? undefined : true,
      Enabled: k.state === 'Disabled' ? false : undefined,
      Aliases: some(
        aliases
          .filter((a) => a.targetKeyId === k.keyId && a.accountId === k.accountId && a.region === k.region)
          .map((a) => a.aliasName),
      ),
      Grants: some(
        grants.map((g) =>
          clean({
            Name: g.name,
            GranteePrincipal: g.granteePrincipal!,
            RetiringPrincipal: g.retiringPrincipal,
            Operations: [...g.operations],
            Constraints: g.constraints ? structuredClone(g.constraints) : undefined,
          }),
        ),
      ),
    });
    (account(k.accountId).Keys ??= []).push(key);
  }
  const scenario = parseScenario({
    KmsLabScenario: SCENARIO_VERSION,
    Clock: { Start: new Date(kms.now()).toISOString() },
    Accounts: accounts,
  });
  return { scenario, omitted };
}
