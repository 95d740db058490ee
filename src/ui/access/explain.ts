/** Plain words for the engine's authorization explanations (src/kms/access/evaluate.ts). */
import type { AccessExplanation, DecidingRule } from '../../kms/index.ts';

export const RULE_TEXT: Record<DecidingRule, string> = {
  'explicit-deny-in-key-policy':
    'A Deny statement in the key policy matched the call. An explicit deny always wins, whatever else allows it.',
  'explicit-deny-in-identity-policy':
    'A Deny statement in one of the caller’s IAM policies matched the call. An explicit deny always wins, whatever else allows it.',
  'key-policy-allows-principal': 'The key policy allows this principal by name, so no IAM policy is needed.',
  'key-policy-allows-account-and-identity-policy-allows':
    'The key policy allows the caller’s account (the “Enable IAM User Permissions” statement), and an IAM policy of the caller allows the action.',
  'cross-account-key-policy-and-identity-policy-allow':
    'A cross-account call: the key policy allows the caller (or its account), and the caller’s own IAM policy allows it too. Both sides are needed.',
  'grant-allows': 'A grant on the key gives the caller this operation.',
  'root-user-of-own-account':
    'The caller is the root user of the account, which needs no IAM policy in its own account.',
  'identity-policy-allows':
    'An IAM policy of the caller allows this action (it is not governed by a key policy).',
  'service-principal': 'An AWS service principal named in the policy made the call.',
  'retire-grant-checked-by-grant':
    'RetireGrant is decided by the grant itself: its retiring principal, its grantee when it allows RetireGrant, or a holder of its token.',
  'no-key-policy-allow':
    'Nothing allows the call: no key policy statement allows the caller (by name or through its account) and no grant applies. Without a key policy allow, IAM policies cannot help.',
  'no-identity-policy-allow':
    'The key policy leaves the decision to IAM (it allows the account), but no IAM policy of the caller allows the action, and no grant applies.',
};

/** The explanation when it has the engine's shape, else undefined (e.g. a test authorizer's). */
export function asExplanation(value: unknown): AccessExplanation | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<AccessExplanation>;
  return typeof v.rule === 'string' && Array.isArray(v.policies) ? (v as AccessExplanation) : undefined;
}

export const POLICY_SOURCE: Record<string, string> = {
  'key-policy': 'Key policy',
  'inline-policy': 'IAM inline policy',
  'managed-policy': 'IAM managed policy',
};

/** Why a statement did not match, in words; empty when it matched. */
export function whyNot(s: AccessExplanation['policies'][number]['statements'][number]): string[] {
  if (s.matched) return [];
  const out: string[] = [];
  if (s.principal === false) out.push('Principal does not name the caller or its account');
  if (!s.action) out.push('Action does not cover this action');
  if (!s.resource) out.push('Resource does not cover this key');
  if (s.conditions.some((c) => !c.held)) out.push('a condition failed');
  return out.length ? out : ['did not apply'];
}
