import { Err } from '../errors.ts';
import { parsePolicy, type ParsedPolicy } from './policyGrammar.ts';

/** Key policies are limited to 32 KB (32,768 bytes), a quota that cannot be raised. */
export const MAX_KEY_POLICY_BYTES = 32_768;

/**
 * Checks a key policy document's size and grammar (policyGrammar.ts): LimitExceededException
 * over 32 KB, MalformedPolicyDocumentException for a document the grammar refuses.
 */
export function checkPolicyDocument(policy: string): ParsedPolicy {
  if (new TextEncoder().encode(policy).length > MAX_KEY_POLICY_BYTES)
    throw Err.LimitExceeded(`Policy document size exceeds the maximum of ${MAX_KEY_POLICY_BYTES} bytes.`);
  return parsePolicy(policy, 'key');
}
