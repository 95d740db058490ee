/** Authorization: key policies, IAM identity policies, conditions, cross-account, lockout check. */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createKms,
  KmsError,
  MemoryStore,
  rootPrincipal,
  type CallerContext,
  type Kms,
} from '../../src/kms/index.ts';
import type { AccessExplanation } from '../../src/kms/access/evaluate.ts';

const ACCOUNT = '111122223333';
const PARTNER = '444455556666';
const REGION = 'us-east-1';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/Alice`;
const BOB = `arn:aws:iam::${PARTNER}:user/Bob`;
const partnerRoot: CallerContext = { principal: rootPrincipal(PARTNER), region: REGION };
const data = new TextEncoder().encode('secret');

let kms: Kms;
let key: { id: string; arn: string };

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allowAll = (Action: unknown = 'kms:*', Resource: unknown = '*') => ({
  Effect: 'Allow',
  Action,
  Resource,
});

async function user(name: string, policy?: string, account = ACCOUNT): Promise<CallerContext> {
  const admin = { principal: rootPrincipal(account), region: REGION };
  await kms.iam('CreateUser', { UserName: name }, admin);
  if (policy)
    await kms.iam('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: policy }, admin);
  return kms.callerFor(`arn:aws:iam::${account}:user/${name}`);
}

async function denied(p: Promise<unknown>): Promise<KmsError & { explanation: AccessExplanation }> {
  const e = await p.then(
    () => {
      throw new Error('expected a denial');
    },
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(KmsError);
  expect((e as KmsError).code).toBe('AccessDeniedException');
  return e as KmsError & { explanation: AccessExplanation };
}

/** The explanation of the last call, from its trace. */
function lastExplanation(events: { type: string; trace?: { authorization?: { explanation: unknown } } }[]) {
  const call = events.filter((e) => e.type === 'call').at(-1)!;
  const ex = call.trace!.authorization!.explanation;
  return (Array.isArray(ex) ? ex[0] : ex) as AccessExplanation;
}

let events: { type: string; trace?: { authorization?: { explanation: unknown } } }[];
beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: new Date('2026-01-01T00:00:00Z') });
  events = [];
  kms.onEvent((e) => events.push(e as never));
  const { KeyMetadata } = await kms.call('CreateKey', {});
  key = { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
});

describe('default key policy and IAM', () => {
  it('allows the root user of the key account', async () => {
    await kms.call('Encrypt', { KeyId: key.id, Plaintext: data });
    expect(lastExplanation(events).rule).toBe('key-policy-allows-principal');
  });

  it('allows an IAM user whose identity policy allows the action', async () => {
    const alice = await user('Alice', doc(allowAll(['kms:Encrypt', 'kms:Decrypt'])));
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice);
    const ex = lastExplanation(events);
    expect(ex.rule).toBe('key-policy-allows-account-and-identity-policy-allows');
    expect(ex.policies.map((p) => p.source)).toEqual(['key-policy', 'inline-policy']);
    expect(ex.policies[0]!.statements[0]).toMatchObject({
      sid: 'Enable IAM User Permissions',
      principal: 'account',
      matched: true,
    });
  });

  it('denies an IAM user without an identity policy: no identity-based policy allows', async () => {
    const alice = await user('Alice');
    const e = await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice));
    expect(e.message).toBe(
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no identity-based policy allows the kms:Encrypt action`,
    );
    expect(e.explanation.rule).toBe('no-identity-policy-allow');
    expect(lastExplanation(events).rule).toBe('no-identity-policy-allow');
  });

  it('a policy with managed policies attached allows too', async () => {
    const alice = await user('Alice');
    const { Policy } = (await kms.iam('CreatePolicy', {
      PolicyName: 'KmsUse',
      PolicyDocument: doc(allowAll('kms:Encrypt')),
    })) as {
      Policy: { Arn: string };
    };
    await kms.iam('AttachUserPolicy', { UserName: 'Alice', PolicyArn: Policy.Arn });
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice);
    expect(lastExplanation(events).policies.map((p) => p.source)).toContain('managed-policy');
  });
});

describe('key policy without the root statement', () => {
  it('IAM alone is not enough: no resource-based policy allows', async () => {
    const alice = await user('Alice', doc(allowAll()));
    await kms.call('PutKeyPolicy', {
      KeyId: key.id,
      Policy: doc({
        Sid: 'Admin',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:PutKeyPolicy',
        Resource: '*',
      }),
    });
    const e = await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice));
    expect(e.message).toBe(
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no resource-based policy allows the kms:Encrypt action`,
    );
    expect(e.explanation.rule).toBe('no-key-policy-allow');
  });

  it('a statement naming the user allows without any IAM policy', async () => {
    const alice = await user('Alice');
    await kms.call('PutKeyPolicy', {
      KeyId: key.id,
      Policy: doc(
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        { Sid: 'Alice', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' },
      ),
    });
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice);
    expect(lastExplanation(events).rule).toBe('key-policy-allows-principal');
  });
});

describe('explicit deny', () => {
  it('an IAM deny beats a key policy allow', async () => {
    const alice = await user(
      'Alice',
      doc(allowAll(), { Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }),
    );
    await kms.call('PutKeyPolicy', {
      KeyId: key.id,
      Policy: doc(
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' },
      ),
    });
    const e = await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice));
    expect(e.message).toBe(
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${key.arn} with an explicit deny in an identity-based policy`,
    );
    expect(e.explanation.rule).toBe('explicit-deny-in-identity-policy');
  });

  it('a key policy deny beats everything, the root user included', async () => {
    await kms.call('PutKeyPolicy', {
      KeyId: key.id,
      Policy: doc(
        { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
      ),
    });
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data });
    const e = await denied(kms.call('Decrypt', { CiphertextBlob }));
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:Decrypt on resource: ${key.arn} with an explicit deny in a resource-based policy`,
    );
    expect(e.explanation.rule).toBe('explicit-deny-in-key-policy');
  });
});

describe('cross-account', () => {
  const shareWithPartner = () =>
    kms.call('PutKeyPolicy', {
      KeyId: key.id,
      Policy: doc(
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
          Action: ['kms:Encrypt', 'kms:DescribeKey'],
          Resource: '*',
        },
      ),
    });

  it('is refused while the key policy does not allow the other account', async () => {
    const bob = await user('Bob', doc(allowAll()), PARTNER);
    const e = await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, bob));
    expect(e.message).toBe(
      `User: ${BOB} is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no resource-based policy allows the kms:Encrypt action`,
    );
    expect(e.explanation.rule).toBe('no-key-policy-allow');
  });

  it('needs the caller’s IAM policy too once the key policy allows the account', async () => {
    await shareWithPartner();
    const bob = await user('Bob', undefined, PARTNER);
    const e = await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, bob));
    expect(e.message).toBe(
      `User: ${BOB} is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no identity-based policy allows the kms:Encrypt action`,
    );
    expect(e.explanation.rule).toBe('no-identity-policy-allow');
  });

  it('is allowed when both sides allow (and the partner root needs no IAM policy)', async () => {
    await shareWithPartner();
    const bob = await user('Bob', doc(allowAll('kms:Encrypt', key.arn)), PARTNER);
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, bob);
    expect(lastExplanation(events).rule).toBe('cross-account-key-policy-and-identity-policy-allow');
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, partnerRoot);
    expect(lastExplanation(events).rule).toBe('cross-account-key-policy-and-identity-policy-allow');
    // Actions the key policy does not share stay refused.
    await denied(kms.call('GetKeyPolicy', { KeyId: key.arn }, partnerRoot));
  });
});

describe('conditions', () => {
  it('kms:EncryptionContext:<key> — the value is case-sensitive, the key is not', async () => {
    const alice = await user(
      'Alice',
      doc({
        ...allowAll(['kms:Encrypt', 'kms:Decrypt']),
        Condition: { StringEquals: { 'kms:EncryptionContext:Department': 'Finance' } },
      }),
    );
    await kms.call(
      'Encrypt',
      { KeyId: key.arn, Plaintext: data, EncryptionContext: { department: 'Finance' } },
      alice,
    );
    const e = await denied(
      kms.call(
        'Encrypt',
        { KeyId: key.arn, Plaintext: data, EncryptionContext: { Department: 'finance' } },
        alice,
      ),
    );
    expect(e.message).toContain('because no identity-based policy allows the kms:Encrypt action');
    const cond = e.explanation.policies[1]!.statements[0]!.conditions[0]!;
    expect(cond).toEqual({
      operator: 'StringEquals',
      key: 'kms:EncryptionContext:Department',
      policyValues: ['Finance'],
      requestValues: ['finance'],
      held: false,
    });
    await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice));
  });

  it('kms:EncryptionContextKeys with ForAllValues and ForAnyValue', async () => {
    const alice = await user(
      'Alice',
      doc(
        {
          ...allowAll('kms:Encrypt'),
          Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'Project' } },
        },
        {
          Effect: 'Deny',
          Action: 'kms:Encrypt',
          Resource: '*',
          Condition: { 'ForAllValues:StringNotLike': { 'kms:EncryptionContextKeys': ['Project', 'Team*'] } },
        },
      ),
    );
    await kms.call(
      'Encrypt',
      { KeyId: key.arn, Plaintext: data, EncryptionContext: { Project: 'x', TeamA: 'y' } },
      alice,
    );
    const e = await denied(
      kms.call('Encrypt', { KeyId: key.arn, Plaintext: data, EncryptionContext: { Other: 'x' } }, alice),
    );
    expect(e.explanation.rule).toBe('explicit-deny-in-identity-policy');
  });

  it('kms:ViaService and kms:CallerAccount, as AWS managed key policies use them', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {
      Policy: doc(
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } },
        },
        {
          Sid: 'ViaS3',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: {
            StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:CallerAccount': PARTNER },
          },
        },
      ),
    });
    const bob = await user('Bob', doc(allowAll()), PARTNER);
    const e = await denied(kms.call('Encrypt', { KeyId: KeyMetadata!.Arn!, Plaintext: data }, bob));
    expect(e.explanation.rule).toBe('no-key-policy-allow');
    const viaS3 = e.explanation.policies[0]!.statements[1]!;
    expect(viaS3.conditions.find((c) => c.key === 'kms:ViaService')).toMatchObject({
      requestValues: null,
      held: false,
    });
    await kms.call(
      'Encrypt',
      { KeyId: KeyMetadata!.Arn!, Plaintext: data },
      { ...bob, viaService: `s3.${REGION}.amazonaws.com` },
    );
    expect(lastExplanation(events).rule).toBe('cross-account-key-policy-and-identity-policy-allow');
  });

  it('aws:ResourceTag, aws:PrincipalTag, aws:CurrentTime and IpAddress', async () => {
    await kms.call('TagResource', { KeyId: key.id, Tags: [{ TagKey: 'team', TagValue: 'blue' }] });
    await kms.iam('CreateUser', { UserName: 'Alice', Tags: [{ Key: 'team', Value: 'blue' }] });
    await kms.iam('PutUserPolicy', {
      UserName: 'Alice',
      PolicyName: 'abac',
      PolicyDocument: doc({
        ...allowAll('kms:Encrypt'),
        Condition: {
          StringEquals: { 'aws:ResourceTag/team': 'blue', 'aws:PrincipalTag/team': 'blue' },
          DateLessThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' },
          IpAddress: { 'aws:SourceIp': '192.0.2.0/24' },
        },
      }),
    });
    const alice = kms.callerFor(ALICE);
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice);
    await denied(
      kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, { ...alice, sourceIp: '203.0.113.9' }),
    );
    await kms.advanceClock(200 * 86_400);
    await denied(kms.call('Encrypt', { KeyId: key.arn, Plaintext: data }, alice));
  });
});

describe('IAM-only actions', () => {
  it('CreateKey is decided on identity policies alone', async () => {
    const alice = await user('Alice');
    const e = await denied(kms.call('CreateKey', {}, alice));
    expect(e.message).toBe(
      `User: ${ALICE} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
    );
    await kms.iam('PutUserPolicy', {
      UserName: 'Alice',
      PolicyName: 'p',
      PolicyDocument: doc(allowAll(['kms:CreateKey', 'kms:PutKeyPolicy'])),
    });
    await kms.call('CreateKey', {}, alice);
    expect(lastExplanation(events).rule).toBe('identity-policy-allows');
  });
});

describe('policy validation and the lockout safety check', () => {
  it.each([
    [
      'an unknown element',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Foo":1}]}',
    ],
    [
      'an invalid principal',
      '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"kms:*","Resource":"*"}]}',
    ],
    [
      'an unknown condition operator',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEqualz":{"kms:CallerAccount":"1"}}}]}',
    ],
    [
      'a bad Version',
      '{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}',
    ],
  ])('refuses %s', async (_l, Policy) => {
    await expect(kms.call('PutKeyPolicy', { KeyId: key.id, Policy })).rejects.toMatchObject({
      code: 'MalformedPolicyDocumentException',
    });
  });

  it('names invalid principals as AWS does', async () => {
    await expect(
      kms.call('PutKeyPolicy', {
        KeyId: key.id,
        Policy:
          '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"kms:*","Resource":"*"}]}',
      }),
    ).rejects.toThrow('Policy contains a statement with one or more invalid principals.');
  });

  it('refuses a policy that would lock the caller out, unless bypassed', async () => {
    const lockout = doc({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:Encrypt',
      Resource: '*',
    });
    await expect(kms.call('PutKeyPolicy', { KeyId: key.id, Policy: lockout })).rejects.toMatchObject({
      code: 'MalformedPolicyDocumentException',
      message: 'The new key policy will not allow you to update the key policy in the future.',
    });
    await expect(kms.call('CreateKey', { Policy: lockout })).rejects.toThrow(
      'The new key policy will not allow you to update the key policy in the future.',
    );
    await kms.call('PutKeyPolicy', { KeyId: key.id, Policy: lockout, BypassPolicyLockoutSafetyCheck: true });
    const e = await denied(kms.call('GetKeyPolicy', { KeyId: key.id }));
    expect(e.explanation.rule).toBe('no-key-policy-allow');
  });

  it('the lockout check counts the caller’s IAM policies when the key policy enables IAM', async () => {
    const alice = await user('Alice', doc(allowAll(['kms:CreateKey', 'kms:Encrypt'])));
    await expect(
      kms.call(
        'CreateKey',
        { Policy: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }) },
        alice,
      ),
    ).rejects.toThrow('The new key policy will not allow you to update the key policy in the future.');
  });
});
