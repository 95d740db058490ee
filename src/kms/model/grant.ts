import type { GRANT_OPERATIONS } from './enums.ts';

export type GrantOperation = (typeof GRANT_OPERATIONS)[number];

/** GrantConstraints as stored: encryption context pairs (key compared case-insensitively). */
export interface GrantConstraintsRecord {
  readonly EncryptionContextEquals?: Readonly<Record<string, string>>;
  readonly EncryptionContextSubset?: Readonly<Record<string, string>>;
}

/** A grant on a KMS key (kms-api.md §2.6, §12). Kept on its key record. */
export interface GrantRecord {
  readonly grantId: string;
  readonly name?: string;
  readonly createdAt: number;
  readonly granteePrincipal?: string;
  readonly granteeServicePrincipal?: string;
  readonly retiringPrincipal?: string;
  readonly retiringServicePrincipal?: string;
  /** `arn:aws:iam::<account>:root` of the account that created the grant. */
  readonly issuingAccount: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints?: GrantConstraintsRecord;
}

/** Simulated eventual consistency: a grant takes effect for callers without its token after this. */
export const GRANT_PROPAGATION_MS = 5 * 60_000;
