/** Plain words for the engine's authorization explanations (built in src/kms/access/explanation.ts). */
import type { AccessExplanation, DecidingRule } from '../../kms/index.ts';
import { t } from '../i18n/text.svelte.ts';

/** Each deciding rule in words, looked up when shown so the text follows the interface locale. */
const RULE_TEXT: Record<DecidingRule, () => string> = {
  'explicit-deny-in-key-policy': () => t('access.ruleExplicitDenyInKeyPolicy'),
  'explicit-deny-in-identity-policy': () => t('access.ruleExplicitDenyInIdentityPolicy'),
  'key-policy-allows-principal': () => t('access.ruleKeyPolicyAllowsPrincipal'),
  'key-policy-allows-account-and-identity-policy-allows': () => t('access.ruleKeyPolicyAllowsAccount'),
  'cross-account-key-policy-and-identity-policy-allow': () => t('access.ruleCrossAccount'),
  'grant-allows': () => t('access.ruleGrantAllows'),
  'root-user-of-own-account': () => t('access.ruleRootUser'),
  'identity-policy-allows': () => t('access.ruleIdentityPolicyAllows'),
  'service-principal': () => t('access.ruleServicePrincipal'),
  'retire-grant-checked-by-grant': () => t('access.ruleRetireGrant'),
  'no-key-policy-allow': () => t('access.ruleNoKeyPolicyAllow'),
  'no-identity-policy-allow': () => t('access.ruleNoIdentityPolicyAllow'),
};

/** The deciding rule in plain words; undefined for a rule this interface does not know. */
export function ruleText(rule: string): string | undefined {
  return Object.hasOwn(RULE_TEXT, rule) ? RULE_TEXT[rule as DecidingRule]() : undefined;
}

/** The explanation when it has the engine's shape, else undefined (e.g. a test authorizer's). */
export function asExplanation(value: unknown): AccessExplanation | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<AccessExplanation>;
  return typeof v.rule === 'string' && Array.isArray(v.policies) ? (v as AccessExplanation) : undefined;
}

/** What kind of policy a considered policy is, in words (the engine's source name if unknown). */
export function policySource(source: string): string {
  switch (source) {
    case 'key-policy':
      return t('access.sourceKeyPolicy');
    case 'inline-policy':
      return t('access.sourceInlinePolicy');
    case 'managed-policy':
      return t('access.sourceManagedPolicy');
    default:
      return source;
  }
}

/** Why a statement did not match, in words; empty when it matched. */
export function whyNot(s: AccessExplanation['policies'][number]['statements'][number]): string[] {
  if (s.matched) return [];
  const out: string[] = [];
  if (s.principal === false) out.push(t('access.whyNotPrincipal'));
  if (!s.action) out.push(t('access.whyNotAction'));
  if (!s.resource) out.push(t('access.whyNotResource'));
  if (s.conditions.some((c) => !c.held)) out.push(t('access.whyNotCondition'));
  return out.length ? out : [t('access.whyNotApplied')];
}
