/** The simulated AWS accounts. Access control (principals, IAM) builds on these. */
export interface AccountInfo {
  readonly id: string;
  readonly alias: string;
}

export const ACCOUNTS: readonly AccountInfo[] = [
  { id: '111122223333', alias: 'yours' },
  { id: '444455556666', alias: 'partner' },
];

export const DEFAULT_ACCOUNT = '111122223333';
export const rootArn = (accountId: string): string => `arn:aws:iam::${accountId}:root`;
