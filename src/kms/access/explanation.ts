/**
 * The explained decision: the rule that decided, everything the evaluation considered (policies
 * statement by statement, grants, request context), and AWS's AccessDeniedException message.
 */
import type { RequestContext } from './conditions.ts';
import type { AuthorizationDecision } from './authorizer.ts';
import type { PolicyEvaluation } from './statementMatching.ts';
import type { GrantEvaluation } from './grantEvaluation.ts';
import type { GrantRecord } from '../model/grant.ts';

/** The rule that decided. */
export type DecidingRule =
  | 'explicit-deny-in-key-policy'
  | 'explicit-deny-in-identity-policy'
  | 'key-policy-allows-principal'
  | 'key-policy-allows-account-and-identity-policy-allows'
  | 'cross-account-key-policy-and-identity-policy-allow'
  | 'grant-allows'
  | 'root-user-of-own-account'
  | 'identity-policy-allows'
  | 'service-principal'
  | 'retire-grant-checked-by-grant'
  | 'no-key-policy-allow'
  | 'no-identity-policy-allow';

/** Everything a decision considered, and the rule that decided. */
export interface AccessExplanation {
  readonly rule: DecidingRule;
  readonly summary: string;
  readonly decision: 'allow' | 'deny';
  readonly action: string;
  readonly principal: string;
  readonly resource: string;
  readonly policies: readonly PolicyEvaluation[];
  /** Grants whose grantee is the caller (others are only counted). */
  readonly grants: { readonly total: number; readonly considered: readonly GrantEvaluation[] };
  readonly grantApplied?: string;
  /** Condition keys of the request and their values. */
  readonly context: Readonly<Record<string, readonly string[]>>;
}

/** The request a decision is about, and the policies evaluated for it. */
export interface EvaluatedRequest {
  readonly action: string;
  /** The caller's ARN. */
  readonly principal: string;
  readonly resource: string;
  readonly policies: readonly PolicyEvaluation[];
  readonly context: RequestContext;
}

/** A key's grants: how many there are, those considered, and the one that applied. */
export interface GrantsConsidered {
  readonly total: number;
  readonly considered: GrantEvaluation[];
  readonly applied?: GrantRecord;
}

/** How the decision is worded. `why` ends AWS's denial message ("because no …", "with an explicit deny …"). */
export interface Verdict {
  readonly allowed: boolean;
  readonly rule: DecidingRule;
  readonly summary: string;
  readonly why?: string | undefined;
}

const denyMessage = (arn: string, action: string, resource: string, why: string) =>
  `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;

/** The decision with its explanation, and, when denied, AWS's AccessDeniedException message. */
export function explainedDecision(
  verdict: Verdict,
  request: EvaluatedRequest,
  grants: GrantsConsidered,
): AuthorizationDecision {
  const { allowed, rule, summary, why } = verdict;
  const { action, principal, resource, policies, context } = request;
  const explanation: AccessExplanation = {
    rule,
    summary,
    decision: allowed ? 'allow' : 'deny',
    action,
    principal,
    resource,
    policies,
    grants: { total: grants.total, considered: grants.considered },
    ...(grants.applied ? { grantApplied: grants.applied.grantId } : {}),
    context: Object.fromEntries([...context].map(([k, v]) => [k, [...v]])),
  };
  return allowed
    ? { allowed, explanation }
    : { allowed, message: denyMessage(principal, action, resource, why ?? ''), explanation };
}
