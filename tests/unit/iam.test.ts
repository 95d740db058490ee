/** The simulated IAM API: users, roles, policies, access keys, persistence. */
import { describe, expect, it } from 'vitest';
import { createKms, MemoryStore } from '../../src/kms/index.ts';

const ACCOUNT = '111122223333';
const allow = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}';

describe('simulated IAM', () => {
  it('creates users, roles and policies, persists them and logs iam.amazonaws.com events', async () => {
    const store = new MemoryStore();
    const kms = await createKms({ store });
    const { User } = (await kms.iam('CreateUser', {
      UserName: 'Alice',
      Tags: [{ Key: 'team', Value: 'blue' }],
    })) as {
      User: { Arn: string; UserId: string };
    };
    expect(User.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/Alice`);
    expect(User.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    await expect(kms.iam('CreateUser', { UserName: 'alice' })).rejects.toMatchObject({
      code: 'EntityAlreadyExistsException',
    });
    await kms.send('iam:PutUserPolicy', { UserName: 'Alice', PolicyName: 'kms', PolicyDocument: allow });
    await expect(
      kms.iam('PutUserPolicy', {
        UserName: 'Alice',
        PolicyName: 'bad',
        PolicyDocument: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}',
      }),
    ).rejects.toMatchObject({
      code: 'MalformedPolicyDocumentException',
      message: 'Policy document should not specify a principal.',
    });
    expect(await kms.iam('ListUserPolicies', { UserName: 'Alice' })).toMatchObject({ PolicyNames: ['kms'] });
    const { AccessKey } = (await kms.iam('CreateAccessKey', { UserName: 'Alice' })) as {
      AccessKey: { AccessKeyId: string };
    };
    await kms.iam('CreateRole', {
      RoleName: 'App',
      AssumeRolePolicyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    });
    await kms.iam('PutRolePolicy', { RoleName: 'App', PolicyName: 'kms', PolicyDocument: allow });
    expect(kms.trail().at(-1)).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
    });
    expect(kms.operations().some((o) => o.startsWith('iam:'))).toBe(false);
    expect(kms.iamOperations()).toContain('iam:CreateUser');

    // Callers: the access key maps to Alice; a role session acts with the role's policies.
    const alice = kms.callerForAccessKey(AccessKey.AccessKeyId);
    expect(alice.principal).toMatchObject({ type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/Alice` });
    expect(kms.callerForAccessKey('AKIAUNKNOWN000000000').principal.type).toBe('Root');
    const session = kms.callerFor(`arn:aws:iam::${ACCOUNT}:role/App`, { sessionName: 'i-123' });
    expect(session.principal.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/App/i-123`);
    const { KeyMetadata } = await kms.call('CreateKey', {}, session);
    await kms.call('Encrypt', { KeyId: KeyMetadata!.Arn!, Plaintext: new Uint8Array([1]) }, alice);

    // A user without IAM permissions cannot administer IAM.
    await kms.iam('CreateUser', { UserName: 'Mallory' });
    await expect(
      kms.iam('CreateUser', { UserName: 'Eve' }, kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/Mallory`)),
    ).rejects.toThrow(
      `User: arn:aws:iam::${ACCOUNT}:user/Mallory is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/Eve because no identity-based policy allows the iam:CreateUser action`,
    );

    // Deleting needs policies gone first; the world survives a reopen.
    await expect(kms.iam('DeleteUser', { UserName: 'Alice' })).rejects.toMatchObject({
      code: 'DeleteConflictException',
    });
    await kms.iam('DeleteUserPolicy', { UserName: 'Alice', PolicyName: 'kms' });
    const reopened = await createKms({ store });
    expect(
      reopened
        .identities()
        .map((i) => i.name)
        .sort(),
    ).toEqual(['Alice', 'App', 'Mallory']);
    const snap = await reopened.snapshot();
    expect(snap.identities).toHaveLength(3);
  });
});
