/**
 * Which actions skip the key policy: IAM-only actions are authorized by identity policies alone,
 * because they act on no key (kms-api.md §1 "Perm: IAM").
 */

/** Actions evaluated on identity policies only (kms-api.md §1 "Perm: IAM"). */
export const IAM_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'kms:CreateKey',
  'kms:ListKeys',
  'kms:ListAliases',
  'kms:GenerateRandom',
  'kms:ListRetirableGrants',
  'kms:CreateCustomKeyStore',
  'kms:ConnectCustomKeyStore',
  'kms:DisconnectCustomKeyStore',
  'kms:DescribeCustomKeyStores',
  'kms:UpdateCustomKeyStore',
  'kms:DeleteCustomKeyStore',
]);

/** Whether an action is IAM-only: listed above, or not a KMS action at all (the simulated IAM API). */
export const isIamOnlyAction = (action: string): boolean =>
  IAM_ONLY_ACTIONS.has(action) || !action.startsWith('kms:');
