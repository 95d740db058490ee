import type { KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import type { CallerContext } from '../world/principal.ts';

/** One authorization question: may this caller perform this action on this key (or account)? */
export interface AuthorizationRequest {
  readonly action: string;
  readonly caller: CallerContext;
  /** Absent for IAM-only actions (CreateKey, ListKeys, GenerateRandom…). */
  readonly key?: KeyRecord;
  readonly input: Record<string, unknown>;
  /** The call's view of the world: identities (IAM policies) and aliases. */
  readonly tx?: WorldTx;
  /** Simulated time of the call (aws:CurrentTime, grant propagation). */
  readonly now?: number;
  /** The resource of a key-less action (default `*`), e.g. an IAM user's ARN. */
  readonly resource?: string;
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /** AccessDeniedException message when denied. */
  readonly message?: string;
  /** Why: the rule that decided, and what was considered. Shown in the lab and on errors. */
  readonly explanation: { readonly rule: string; readonly summary?: string; readonly details?: unknown };
}

export interface Authorizer {
  authorize(request: AuthorizationRequest): AuthorizationDecision;
}

/**
 * The authorizer of a world without access-control evaluation: every principal acting in its
 * own account may call; a call on another account's key is refused, because without policies
 * nothing grants cross-account access. Key policies, IAM and grants replace this.
 */
export const accountBoundaryAuthorizer: Authorizer = {
  authorize({ action, caller, key }) {
    if (!key || key.accountId === caller.principal.accountId)
      return { allowed: true, explanation: { rule: 'same-account caller; policy evaluation not enabled' } };
    return {
      allowed: false,
      message: `User: ${caller.principal.arn} is not authorized to perform: ${action} on resource: ${key.arn} because no resource-based policy allows the ${action} action`,
      explanation: { rule: 'cross-account call with no key policy statement allowing the caller account' },
    };
  },
};
