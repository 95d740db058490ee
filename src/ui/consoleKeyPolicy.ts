/**
 * The key policy the AWS console writes for a new key (kms-api.md §12): the account statement,
 * then statements for the key administrators and key users chosen in the wizard. (A key created
 * through the API without a Policy gets only the first statement.)
 */

export type KeyKind = 'symmetric' | 'asymmetric' | 'hmac';

export interface ConsolePolicyInput {
  readonly accountId: string;
  readonly kind: KeyKind;
  readonly keyUsage: string;
  readonly multiRegion: boolean;
  /** ARNs of IAM users and roles who administer the key. */
  readonly administrators: readonly string[];
  /** ARNs of IAM users, roles and other accounts (`arn:aws:iam::<acct>:root`) who use the key. */
  readonly users: readonly string[];
}

const ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/** What "Allow use of the key" lets users do, by key type and usage. */
export function useActions(kind: KeyKind, keyUsage: string): string[] {
  if (kind === 'symmetric')
    return ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
  if (kind === 'hmac') return ['kms:DescribeKey', 'kms:GenerateMac', 'kms:VerifyMac'];
  if (keyUsage === 'SIGN_VERIFY') return ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify'];
  if (keyUsage === 'KEY_AGREEMENT') return ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:DeriveSharedSecret'];
  return ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:DescribeKey', 'kms:GetPublicKey'];
}

/** One principal as a string, several as a list: the console's shape. */
const principal = (arns: readonly string[]) => ({ AWS: arns.length === 1 ? arns[0]! : [...arns] });

/** The console's key policy for these choices, as the JSON text the console shows (4-space indent). */
export function consoleKeyPolicy(input: ConsolePolicyInput): string {
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${input.accountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ];
  if (input.administrators.length)
    statements.push({
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: principal(input.administrators),
      Action: input.multiRegion
        ? [...ADMIN_ACTIONS, 'kms:ReplicateKey', 'kms:UpdatePrimaryRegion']
        : ADMIN_ACTIONS,
      Resource: '*',
    });
  if (input.users.length) {
    statements.push({
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: principal(input.users),
      Action: useActions(input.kind, input.keyUsage),
      Resource: '*',
    });
    // Grants for AWS resources (EBS volumes, RDS databases…) exist only for symmetric encryption keys.
    if (input.kind === 'symmetric')
      statements.push({
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: principal(input.users),
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      });
  }
  return JSON.stringify({ Id: 'key-consolepolicy-3', Version: '2012-10-17', Statement: statements }, null, 4);
}
