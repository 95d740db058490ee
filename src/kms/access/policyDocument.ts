import { Err } from '../errors.ts';

/** Key policies are limited to 32 KB (32,768 bytes), a quota that cannot be raised. */
export const MAX_KEY_POLICY_BYTES = 32_768;

/**
 * Checks a key policy document's size and JSON structure. Statement-level grammar and evaluation
 * belong to access control; here a document must at least be a JSON object with Statements.
 */
export function checkPolicyDocument(policy: string): void {
  if (new TextEncoder().encode(policy).length > MAX_KEY_POLICY_BYTES)
    throw Err.LimitExceeded(`Policy document size exceeds the maximum of ${MAX_KEY_POLICY_BYTES} bytes.`);
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw Err.MalformedPolicyDocument('The policy is not valid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw Err.MalformedPolicyDocument('The policy must be a JSON object.');
  const statements = (doc as { Statement?: unknown }).Statement;
  if (statements === undefined)
    throw Err.MalformedPolicyDocument('The policy must contain a Statement element.');
  const list = Array.isArray(statements) ? statements : [statements];
  for (const st of list) {
    if (typeof st !== 'object' || st === null)
      throw Err.MalformedPolicyDocument('Each Statement must be a JSON object.');
    const effect = (st as { Effect?: unknown }).Effect;
    if (effect !== 'Allow' && effect !== 'Deny')
      throw Err.MalformedPolicyDocument('Each Statement must have an Effect of "Allow" or "Deny".');
    const s = st as Record<string, unknown>;
    if (s.Principal === undefined && s.NotPrincipal === undefined)
      throw Err.MalformedPolicyDocument('Policy contains a statement with no principal.');
  }
}
