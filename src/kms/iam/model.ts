import type { Tag } from '../model/key.ts';

/** An IAM access key of a user (the secret is simulated, never a real credential). */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  status: 'Active' | 'Inactive';
  readonly createdAt: number;
}

interface IdentityBase {
  /** Primary key of the identities collection. */
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  /** AIDA… (users), AROA… (roles), ANPA… (managed policies). */
  readonly id: string;
  readonly createdAt: number;
}

/** An IAM user: inline policies, attached managed policies, tags, access keys. */
export interface IamUserRecord extends IdentityBase {
  readonly kind: 'user';
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  tags: Tag[];
  accessKeys: AccessKeyRecord[];
}

/** An IAM role: its trust policy, inline and attached policies, tags. Callers act as its sessions. */
export interface IamRoleRecord extends IdentityBase {
  readonly kind: 'role';
  assumeRolePolicyDocument: string;
  description: string;
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  tags: Tag[];
}

/** A customer managed IAM policy (one default version). */
export interface IamManagedPolicyRecord extends IdentityBase {
  readonly kind: 'policy';
  document: string;
  description: string;
  updatedAt: number;
}

/** Everything the identities collection holds, keyed by ARN. */
export type IdentityRecord = IamUserRecord | IamRoleRecord | IamManagedPolicyRecord;

export const userArn = (accountId: string, name: string, path = '/'): string =>
  `arn:aws:iam::${accountId}:user${path}${name}`;
export const roleArn = (accountId: string, name: string, path = '/'): string =>
  `arn:aws:iam::${accountId}:role${path}${name}`;
export const policyArn = (accountId: string, name: string, path = '/'): string =>
  `arn:aws:iam::${accountId}:policy${path}${name}`;
export const assumedRoleArn = (accountId: string, roleName: string, session: string): string =>
  `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`;
