/** A workspace file whose trail has many CloudTrail records (for the trail-at-scale test and tools). */
import type { CloudTrailRecord } from '../../src/kms/index.ts';

export const EVENTS = 100_000;
const ACCOUNT = '111122223333';
const START = Date.UTC(2026, 0, 5, 8, 0, 0);
const KEY_IDS = Array.from({ length: 8 }, (_, i) =>
  `${String(i + 1).repeat(8)}-1234-4abc-8def-0123456789ab`.slice(0, 36),
);
const OPS = ['Encrypt', 'Decrypt', 'GenerateDataKey', 'DescribeKey', 'Sign', 'ReEncrypt'] as const;

/** The `i`th record: API calls by three callers, every 13th denied, every 997th a rotation. */
export function record(i: number): CloudTrailRecord {
  const keyId = KEY_IDS[i % KEY_IDS.length]!;
  const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
  const eventTime = new Date(START + i * 1000).toISOString().replace('.000Z', 'Z');
  const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const base = {
    eventVersion: '1.08' as const,
    eventTime,
    eventSource: 'kms.amazonaws.com' as const,
    awsRegion: 'us-east-1',
    requestID: id,
    eventID: id,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key' as const, ARN: arn }],
    managementEvent: true,
    eventCategory: 'Management' as const,
    recipientAccountId: ACCOUNT,
  };
  if (i % 997 === 996)
    return {
      ...base,
      userIdentity: { accountId: ACCOUNT, invokedBy: 'kms.amazonaws.com' },
      eventName: 'RotateKey',
      sourceIPAddress: 'kms.amazonaws.com',
      userAgent: 'kms.amazonaws.com',
      requestParameters: null,
      responseElements: null,
      additionalEventData: { keyId: arn },
      readOnly: false,
      eventType: 'AwsServiceEvent',
    };
  const user = ['Alice', 'Bob', 'ci-deployer'][i % 3]!;
  const denied = i % 13 === 0;
  return {
    ...base,
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${String(i % 3).repeat(17)}`,
      arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      accountId: ACCOUNT,
      userName: user,
    },
    eventName: OPS[i % OPS.length]!,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: { keyId, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    responseElements: null,
    ...(denied
      ? {
          errorCode: 'AccessDeniedException',
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/${user} is not authorized to perform: kms:${OPS[i % OPS.length]!} on resource: ${arn} because no identity-based policy allows the kms:${OPS[i % OPS.length]!} action`,
        }
      : {}),
    readOnly: true,
    eventType: 'AwsApiCall',
  };
}

export function workspaceFile(events = EVENTS): string {
  const trail = Array.from({ length: events }, (_, i) => record(i));
  const now = START + events * 1000;
  return JSON.stringify({
    format: 'kms-lab-workspace',
    version: 1,
    name: 'trail-at-scale',
    exportedAt: new Date().toISOString(),
    world: { keys: [], aliases: [], trail, clock: { simAnchor: now, realAnchor: Date.now(), running: true } },
  });
}
