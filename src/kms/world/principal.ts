import { DEFAULT_ACCOUNT, rootArn } from './accounts.ts';

/** Who makes a call. CloudTrail's userIdentity is built from this. */
export interface Principal {
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService';
  readonly arn: string;
  readonly accountId: string;
  readonly principalId: string;
  readonly userName?: string;
  readonly accessKeyId?: string;
  /** For AWSService: e.g. `s3.amazonaws.com`; for others, the service calling on their behalf. */
  readonly invokedBy?: string;
}

export const rootPrincipal = (accountId: string = DEFAULT_ACCOUNT, accessKeyId?: string): Principal => ({
  type: 'Root',
  arn: rootArn(accountId),
  accountId,
  principalId: accountId,
  ...(accessKeyId ? { accessKeyId } : {}),
});

/** Where a call came from, so traces and the trail can say so. */
export type CallSource = 'console' | 'script' | 'cli' | 'api' | 'sdk' | 'service' | 'test';

export interface CallerContext {
  readonly principal: Principal;
  readonly region: string;
  readonly source?: CallSource;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** An AWS service calling KMS on the principal's behalf (kms:ViaService), e.g. `s3.us-east-1.amazonaws.com`. */
  readonly viaService?: string;
}
