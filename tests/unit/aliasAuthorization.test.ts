/** Alias operations need IAM permission on the alias and key-policy permission on each key involved. */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, MemoryStore, type CallerContext, type Kms, type KmsError } from '../../src/kms/index.ts';

const ACCOUNT = '111122223333';
const BOB = `arn:aws:iam::${ACCOUNT}:user/Bob`;
const aliasArn = (name: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:${name}`;
let kms: Kms;
let bob: CallerContext;
let keyA: string;
let keyB: string;

const allow = (Action: string[], Resource: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: new Date('2026-01-01T00:00:00Z') });
  keyA = (await kms.call('CreateKey', {})).KeyMetadata!.Arn!;
  keyB = (await kms.call('CreateKey', {})).KeyMetadata!.Arn!;
  await kms.iam('CreateUser', { UserName: 'Bob' });
  bob = kms.callerFor(BOB);
});

const denial = async (p: Promise<unknown>) => {
  const e = (await p.catch((e: unknown) => e)) as KmsError;
  expect(e.code).toBe('AccessDeniedException');
  return e.message;
};

describe('CreateAlias, UpdateAlias and DeleteAlias authorization', () => {
  it('CreateAlias is denied without IAM permission on the alias, even with permission on the key', async () => {
    await kms.iam('PutUserPolicy', {
      UserName: 'Bob',
      PolicyName: 'k',
      PolicyDocument: allow(['kms:CreateAlias'], [keyA]),
    });
    expect(await denial(kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyA }, bob))).toBe(
      `User: ${BOB} is not authorized to perform: kms:CreateAlias on resource: ${aliasArn('alias/app')} because no identity-based policy allows the kms:CreateAlias action`,
    );
    await kms.iam('PutUserPolicy', {
      UserName: 'Bob',
      PolicyName: 'k',
      PolicyDocument: allow(['kms:CreateAlias'], [keyA, aliasArn('alias/app')]),
    });
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyA }, bob);
    expect(kms.aliases().map((a) => a.aliasName)).toContain('alias/app');
  });

  it('UpdateAlias needs permission on the alias, the current key and the new key', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyA });
    await kms.iam('PutUserPolicy', {
      UserName: 'Bob',
      PolicyName: 'k',
      PolicyDocument: allow(['kms:UpdateAlias'], [aliasArn('alias/app'), keyB]),
    });
    expect(
      await denial(kms.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: keyB }, bob)),
    ).toContain(`on resource: ${keyA}`);
    await kms.iam('PutUserPolicy', {
      UserName: 'Bob',
      PolicyName: 'k',
      PolicyDocument: allow(['kms:UpdateAlias'], [aliasArn('alias/app'), keyA, keyB]),
    });
    await kms.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: keyB }, bob);
  });

  it('DeleteAlias is authorized on the key it points to, and a missing alias is NotFound', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyA });
    await kms.iam('PutUserPolicy', {
      UserName: 'Bob',
      PolicyName: 'k',
      PolicyDocument: allow(['kms:DeleteAlias'], [aliasArn('alias/app')]),
    });
    expect(await denial(kms.call('DeleteAlias', { AliasName: 'alias/app' }, bob))).toContain(
      `on resource: ${keyA}`,
    );
    await expect(kms.call('DeleteAlias', { AliasName: 'alias/none' })).rejects.toMatchObject({
      code: 'NotFoundException',
      message: `Alias ${aliasArn('alias/none')} is not found.`,
    });
    await kms.call('DeleteAlias', { AliasName: 'alias/app' });
    expect(kms.aliases().map((a) => a.aliasName)).not.toContain('alias/app');
  });
});
