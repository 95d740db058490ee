/**
 * Policy statement matching: whether a statement's Principal, Action and Resource (or their Not
 * forms) match the request, and, only then, whether its conditions hold.
 */
import { evaluateCondition, glob, type ConditionEvaluation, type RequestContext } from './conditions.ts';
import type { ParsedPolicy, ParsedStatement, PrincipalSpec } from './policyGrammar.ts';
import type { CallerFacts } from './callerFacts.ts';
import { rootArn } from '../world/accounts.ts';

/** One statement as evaluated against a request: each element's match, and the result. */
export interface StatementEvaluation {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Key policies: how the principal matched (`direct`, `account`, `any`), or false. */
  readonly principal?: 'direct' | 'account' | 'any' | false;
  readonly action: boolean;
  readonly resource: boolean;
  /** Evaluated only when principal, action and resource matched. */
  readonly conditions: readonly ConditionEvaluation[];
  readonly matched: boolean;
}

/** One policy (the key policy or an identity policy) as evaluated, statement by statement. */
export interface PolicyEvaluation {
  readonly source: 'key-policy' | 'inline-policy' | 'managed-policy';
  /** Key ARN, inline policy name or managed policy ARN. */
  readonly name: string;
  /** The identity that holds an identity policy. */
  readonly holder?: string;
  readonly statements: readonly StatementEvaluation[];
}

/** How a principal element matches the caller. */
function matchPrincipal(spec: PrincipalSpec, c: CallerFacts): 'direct' | 'account' | 'any' | false {
  if (spec === '*') return 'any';
  let best: 'direct' | 'account' | 'any' | false = false;
  for (const p of spec.AWS ?? []) {
    if (p === '*') best ||= 'any';
    else if (p === c.arn || p === c.principalArn) return 'direct';
    else if (p === c.accountId || p === rootArn(c.accountId)) best = c.isRoot ? 'direct' : 'account';
  }
  if (c.service) for (const s of spec.Service ?? []) if (s === c.service || s === '*') return 'direct';
  return best;
}

const actionMatches = (patterns: readonly string[], action: string) =>
  patterns.some((p) => p === '*' || glob(p, action, true));
const resourceMatches = (patterns: readonly string[], resource: string) =>
  patterns.some((p) => p === '*' || glob(p, resource));

function evaluateStatement(
  s: ParsedStatement,
  action: string,
  resource: string,
  context: RequestContext,
  caller: CallerFacts | undefined,
): StatementEvaluation {
  let principal: StatementEvaluation['principal'];
  if (caller) {
    if (s.principal) principal = matchPrincipal(s.principal, caller);
    else if (s.notPrincipal) principal = matchPrincipal(s.notPrincipal, caller) ? false : 'any';
    else principal = false;
  }
  const actionOk = s.action
    ? actionMatches(s.action, action)
    : s.notAction
      ? !actionMatches(s.notAction, action)
      : false;
  const resourceOk = s.resource
    ? resourceMatches(s.resource, resource)
    : s.notResource
      ? !resourceMatches(s.notResource, resource)
      : false;
  const base = {
    index: s.index,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    effect: s.effect,
    ...(caller ? { principal } : {}),
    action: actionOk,
    resource: resourceOk,
  };
  if (principal === false || !actionOk || !resourceOk) return { ...base, conditions: [], matched: false };
  const conditions = s.conditions.map((c) => evaluateCondition(c, context));
  return { ...base, conditions, matched: conditions.every((c) => c.held) };
}

/**
 * Evaluates every statement of a policy. `caller` is given for key policies, whose statements
 * name principals; identity policies have none (they apply to their holder).
 */
export function evaluatePolicy(
  policy: ParsedPolicy,
  action: string,
  resource: string,
  context: RequestContext,
  caller: CallerFacts | undefined,
): StatementEvaluation[] {
  return policy.statements.map((s) => evaluateStatement(s, action, resource, context, caller));
}
