/** Shared setup for the AWS-service tests: a world, IAM users with given policies, trail queries. */
import { expect } from 'vitest';
import {
  createKms,
  KmsError,
  MemoryStore,
  type CallerContext,
  type CloudTrailRecord,
  type Kms,
} from '../../src/kms/index.ts';

export const ACCOUNT = '111122223333';
export const START = new Date('2026-01-01T00:00:00Z');

export const newKms = (): Promise<Kms> => createKms({ store: new MemoryStore(), startTime: START });

/** An IAM user whose one inline policy allows `actions` on every resource. */
export async function userWith(
  kms: Kms,
  name: string,
  actions: string[],
  region = 'us-east-1',
): Promise<CallerContext> {
  await kms.iam('CreateUser', { UserName: name });
  await kms.iam('PutUserPolicy', {
    UserName: name,
    PolicyName: 'p',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
    }),
  });
  return kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/${name}`, { region });
}

/** KMS records of the trail after index `from`. */
export const kmsRecords = (kms: Kms, from = 0): CloudTrailRecord[] =>
  kms
    .trail()
    .slice(from)
    .filter((r) => r.eventSource === 'kms.amazonaws.com');

export async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: unknown): string => new TextDecoder().decode(b as Uint8Array);
