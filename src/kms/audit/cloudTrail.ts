import type { Principal } from '../world/principal.ts';

/** A CloudTrail event record, in CloudTrail's shape (kms-api.md §13). */
export interface CloudTrailRecord {
  eventVersion: '1.08';
  userIdentity: Record<string, unknown>;
  eventTime: string;
  /** Also a simulated AWS service's own (`ec2.amazonaws.com`, `ssm.amazonaws.com`, …). */
  eventSource:
    'kms.amazonaws.com' | 'iam.amazonaws.com' | 'cloudhsm.amazonaws.com' | `${string}.amazonaws.com`;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  serviceEventDetails?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: { accountId: string; type: 'AWS::KMS::Key'; ARN: string }[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: boolean;
  eventCategory: 'Management';
  recipientAccountId: string;
}

/** Simulated epoch ms → CloudTrail's second-precision UTC time. */
export const trailTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function userIdentity(p: Principal): Record<string, unknown> {
  // A service calling on the principal's behalf (S3 → KMS) adds `invokedBy`.
  const invokedBy = p.type !== 'AWSService' && p.invokedBy ? { invokedBy: p.invokedBy } : {};
  return { ...principalIdentity(p), ...invokedBy };
}

function principalIdentity(p: Principal): Record<string, unknown> {
  switch (p.type) {
    case 'Root':
      return {
        type: 'Root',
        principalId: p.principalId,
        arn: p.arn,
        accountId: p.accountId,
        ...(p.accessKeyId ? { accessKeyId: p.accessKeyId } : {}),
      };
    case 'IAMUser':
      return {
        type: 'IAMUser',
        principalId: p.principalId,
        arn: p.arn,
        accountId: p.accountId,
        ...(p.accessKeyId ? { accessKeyId: p.accessKeyId } : {}),
        userName: p.userName,
      };
    case 'AssumedRole':
      return {
        type: 'AssumedRole',
        principalId: p.principalId,
        arn: p.arn,
        accountId: p.accountId,
        ...(p.accessKeyId ? { accessKeyId: p.accessKeyId } : {}),
      };
    case 'AWSService':
      return { type: 'AWSService', invokedBy: p.invokedBy };
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Request parameters as CloudTrail logs them: lowerCamelCase member names, never any blob
 * (plaintexts, ciphertexts, signatures are omitted for security).
 */
export function trailParameters(value: unknown): unknown {
  if (value instanceof Uint8Array) return undefined;
  if (value instanceof Date) return trailTime(value.getTime());
  if (Array.isArray(value)) return value.map(trailParameters);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const t = trailParameters(v);
      if (t !== undefined) out[lowerFirst(k)] = t;
    }
    return out;
  }
  return value;
}

/** Encryption context maps keep their own keys as the caller wrote them. */
export function trailRequestParameters(input: Record<string, unknown>): Record<string, unknown> {
  const out = trailParameters(input) as Record<string, unknown>;
  for (const member of ['EncryptionContext', 'SourceEncryptionContext', 'DestinationEncryptionContext'])
    if (input[member]) out[lowerFirst(member)] = { ...(input[member] as Record<string, string>) };
  return out;
}

/** A service-initiated event (RotateKey, DeleteKey, DeleteExpiredKeyMaterial, SynchronizeMultiRegionKey). */
export function serviceEvent(args: {
  eventName: string;
  accountId: string;
  region: string;
  time: number;
  keyArn: string;
  requestId: string;
  eventId: string;
  serviceEventDetails?: Record<string, unknown>;
}): CloudTrailRecord {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: args.accountId, invokedBy: 'AWS Internal' },
    eventTime: trailTime(args.time),
    eventSource: 'kms.amazonaws.com',
    eventName: args.eventName,
    awsRegion: args.region,
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    ...(args.serviceEventDetails ? { serviceEventDetails: args.serviceEventDetails } : {}),
    requestID: args.requestId,
    eventID: args.eventId,
    readOnly: false,
    resources: [{ accountId: args.accountId, type: 'AWS::KMS::Key', ARN: args.keyArn }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    eventCategory: 'Management',
    recipientAccountId: args.accountId,
  };
}
