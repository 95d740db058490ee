/** Grants: constraints, tokens and propagation, retire vs revoke, limits. */
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
const ALICE = `arn:aws:iam::${ACCOUNT}:user/Alice`;
const data = new TextEncoder().encode('secret');
let kms: Kms;
let key: { id: string; arn: string };
let alice: CallerContext;

async function denied(p: Promise<unknown>) {
  const e = (await p.then(
    () => {
      throw new Error('expected a denial');
    },
    (e: unknown) => e,
  )) as KmsError & { explanation: AccessExplanation };
  expect(e.code).toBe('AccessDeniedException');
  return e;
}

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: new Date('2026-01-01T00:00:00Z') });
  const { KeyMetadata } = await kms.call('CreateKey', {});
  key = { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
  await kms.iam('CreateUser', { UserName: 'Alice' });
  alice = kms.callerFor(ALICE);
});

describe('CreateGrant with constraints', () => {
  it('is usable at once with its token, by everyone after propagation, and enforces its constraints', async () => {
    const { GrantToken, GrantId } = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { Project: 'Alpha' } },
    })) as { GrantToken: string; GrantId: string };
    expect(GrantId).toMatch(/^[0-9a-f]{64}$/);
    const ec = { project: 'Alpha', Extra: '1' }; // constraint keys are case-insensitive

    // Without the token, the grant is not effective yet (eventual consistency).
    const e = await denied(
      kms.call('Encrypt', { KeyId: key.arn, Plaintext: data, EncryptionContext: ec }, alice),
    );
    expect(e.message).toBe(
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no identity-based policy allows the kms:Encrypt action`,
    );
    expect(e.explanation.grants.considered[0]).toMatchObject({ grantId: GrantId, applies: false });

    // With the token: at once.
    await kms.call(
      'Encrypt',
      { KeyId: key.arn, Plaintext: data, EncryptionContext: ec, GrantTokens: [GrantToken] },
      alice,
    );

    // After propagation, without a token; the value stays case-sensitive.
    await kms.advanceClock(301);
    const { CiphertextBlob } = await kms.call(
      'Encrypt',
      { KeyId: key.arn, Plaintext: data, EncryptionContext: ec },
      alice,
    );
    await kms.call('Decrypt', { CiphertextBlob, EncryptionContext: ec }, alice);
    const bad = await denied(
      kms.call(
        'Encrypt',
        { KeyId: key.arn, Plaintext: data, EncryptionContext: { Project: 'alpha' } },
        alice,
      ),
    );
    expect(bad.explanation.grants.considered[0]!.reason).toBe(
      'the encryption context does not satisfy the grant constraints',
    );
    // Operations not in the grant stay refused.
    await denied(
      kms.call('GenerateDataKey', { KeyId: key.arn, KeySpec: 'AES_256', EncryptionContext: ec }, alice),
    );
  });

  it('reports the applied grant as the deciding rule', async () => {
    await kms.send('CreateGrant', { KeyId: key.id, GranteePrincipal: ALICE, Operations: ['DescribeKey'] });
    await kms.advanceClock(600);
    const events: { type: string; trace?: { authorization?: { explanation: unknown } } }[] = [];
    kms.onEvent((e) => events.push(e as never));
    await kms.call('DescribeKey', { KeyId: key.arn }, alice);
    const ex = events.at(-1)!.trace!.authorization!.explanation as AccessExplanation[];
    expect(ex[0]!.rule).toBe('grant-allows');
    expect(ex[0]!.grantApplied).toMatch(/^[0-9a-f]{64}$/);
  });

  it('EncryptionContextEquals needs the exact context', async () => {
    const { GrantToken } = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      Operations: ['Encrypt'],
      Constraints: { EncryptionContextEquals: { A: '1' } },
    })) as { GrantToken: string };
    await kms.call(
      'Encrypt',
      { KeyId: key.arn, Plaintext: data, EncryptionContext: { a: '1' }, GrantTokens: [GrantToken] },
      alice,
    );
    await denied(
      kms.call(
        'Encrypt',
        { KeyId: key.arn, Plaintext: data, EncryptionContext: { A: '1', B: '2' }, GrantTokens: [GrantToken] },
        alice,
      ),
    );
  });

  it('validates operations for the key type, the constraint limits and Name idempotency', async () => {
    await expect(
      kms.send('CreateGrant', { KeyId: key.id, GranteePrincipal: ALICE, Operations: ['Sign'] }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
    await expect(
      kms.send('CreateGrant', {
        KeyId: key.id,
        GranteePrincipal: ALICE,
        Operations: ['Encrypt'],
        Constraints: { EncryptionContextSubset: nine },
      }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
    const a = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      Operations: ['Encrypt'],
      Name: 'app',
    })) as { GrantId: string; GrantToken: string };
    const b = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      Operations: ['Encrypt'],
      Name: 'app',
    })) as { GrantId: string; GrantToken: string };
    expect(b.GrantId).toBe(a.GrantId);
    expect(b.GrantToken).not.toBe(a.GrantToken);
    const { Grants } = (await kms.send('ListGrants', { KeyId: key.id })) as { Grants: unknown[] };
    expect(Grants).toHaveLength(1);
    expect(Grants[0]).toMatchObject({
      KeyId: key.arn,
      Name: 'app',
      GranteePrincipal: ALICE,
      IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
      Operations: ['Encrypt'],
    });
  });

  it('refuses the 50,001st grant of a key', async () => {
    const snap = await kms.snapshot();
    const k = snap.keys.find((x) => x.arn === key.arn)!;
    k.grants = Array.from({ length: 50_000 }, (_, i) => ({
      grantId: i.toString(16).padStart(64, '0'),
      createdAt: 0,
      granteePrincipal: ALICE,
      issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
      operations: ['Encrypt' as const],
    }));
    await kms.restore(snap);
    await expect(
      kms.send('CreateGrant', { KeyId: key.id, GranteePrincipal: ALICE, Operations: ['Encrypt'] }),
    ).rejects.toMatchObject({ code: 'LimitExceededException' });
  });
});

describe('retire vs revoke', () => {
  it('the retiring principal retires; others may not; RevokeGrant needs kms:RevokeGrant on the key', async () => {
    await kms.iam('CreateUser', { UserName: 'Rita' });
    const rita = kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/Rita`);
    const g1 = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      RetiringPrincipal: rita.principal.arn,
      Operations: ['Encrypt'],
    })) as { GrantId: string; GrantToken: string };
    // Alice is the grantee but the grant does not allow RetireGrant.
    await denied(kms.send('RetireGrant', { KeyId: key.arn, GrantId: g1.GrantId }, alice));
    const { Grants } = (await kms.send('ListRetirableGrants', { RetiringPrincipal: rita.principal.arn })) as {
      Grants: unknown[];
    };
    expect(Grants).toHaveLength(1);
    await kms.send('RetireGrant', { KeyId: key.arn, GrantId: g1.GrantId }, rita);
    expect(((await kms.send('ListGrants', { KeyId: key.id })) as { Grants: unknown[] }).Grants).toHaveLength(
      0,
    );

    // With its token, anyone holding it may retire the grant.
    const g2 = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      Operations: ['Encrypt'],
    })) as { GrantToken: string };
    await kms.send('RetireGrant', { GrantToken: g2.GrantToken }, alice);

    // RevokeGrant is a key-policy action: Alice has no IAM permission, the root user does.
    const g3 = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      Operations: ['Encrypt'],
    })) as { GrantId: string };
    const e = await denied(kms.send('RevokeGrant', { KeyId: key.arn, GrantId: g3.GrantId }, alice));
    expect(e.message).toContain('kms:RevokeGrant');
    await kms.send('RevokeGrant', { KeyId: key.id, GrantId: g3.GrantId });
    await expect(kms.send('RevokeGrant', { KeyId: key.id, GrantId: g3.GrantId })).rejects.toMatchObject({
      code: 'InvalidGrantIdException',
    });
  });

  it('a session of the retiring role retires the grant that names the role', async () => {
    await kms.iam('CreateRole', {
      RoleName: 'Ops',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/Ops`;
    const g = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: ALICE,
      RetiringPrincipal: roleArn,
      Operations: ['Encrypt'],
    })) as { GrantId: string };
    await denied(kms.send('RetireGrant', { KeyId: key.arn, GrantId: g.GrantId }, alice));
    await kms.send(
      'RetireGrant',
      { KeyId: key.arn, GrantId: g.GrantId },
      kms.callerFor(roleArn, { sessionName: 's1' }),
    );
    expect(((await kms.send('ListGrants', { KeyId: key.id })) as { Grants: unknown[] }).Grants).toHaveLength(
      0,
    );
  });

  it('a cross-account grantee uses the grant without any key policy statement', async () => {
    const partner = { principal: rootPrincipal(PARTNER), region: 'us-east-1' };
    const { GrantToken } = (await kms.send('CreateGrant', {
      KeyId: key.id,
      GranteePrincipal: `arn:aws:iam::${PARTNER}:root`,
      Operations: ['Encrypt'],
    })) as { GrantToken: string };
    await kms.call('Encrypt', { KeyId: key.arn, Plaintext: data, GrantTokens: [GrantToken] }, partner);
  });
});
