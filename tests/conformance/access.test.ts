/**
 * Access control over the wire: `npm run api -- --seed FILE`'s server, seeded from a scenario, with
 * the real `@aws-sdk/client-kms` signing as the seeded users' and role sessions' access keys.
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/kms/index.ts';
import { startApiServer, type ApiServer } from '../../src/node/server.ts';
import { credentials as unknownCredentials, expectKmsError } from './harness.ts';

const A = '111122223333';
const P = '444455556666';
const KEY_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const KEY_ARN = `arn:aws:kms:us-east-1:${A}:key/${KEY_ID}`;
const data = new TextEncoder().encode('over the wire');
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const access = (AccessKeyId: string) => [
  { AccessKeyId, SecretAccessKey: `${AccessKeyId.toLowerCase()}-secret` },
];

const scenario: Scenario = {
  KmsLabScenario: 1,
  Accounts: {
    [A]: {
      ManagedPolicies: [
        {
          PolicyName: 'KmsUse',
          PolicyDocument: doc({
            Effect: 'Allow',
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'],
            Resource: '*',
          }),
        },
      ],
      Users: [
        { UserName: 'Alice', ManagedPolicies: ['KmsUse'], AccessKeys: access('AKIAALICE00000000001') },
        { UserName: 'Bob', AccessKeys: access('AKIABOB0000000000001') },
        {
          UserName: 'Dave',
          InlinePolicies: {
            all: doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
            'no-encrypt': doc({ Effect: 'Deny', Action: 'kms:Encrypt', Resource: KEY_ARN }),
          },
          AccessKeys: access('AKIADAVE000000000001'),
        },
      ],
      Roles: [
        {
          RoleName: 'Auditor',
          InlinePolicies: { read: doc({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }) },
          Sessions: [
            {
              SessionName: 'audit-1',
              AccessKeyId: 'ASIAAUDITOR000000001',
              SecretAccessKey: 'auditor-session-secret',
            },
          ],
        },
      ],
      Keys: [
        {
          KeyId: KEY_ID,
          Aliases: ['alias/shared'],
          Policy: doc(
            {
              Sid: 'Enable IAM User Permissions',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${A}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'Allow the partner account to encrypt',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${P}:root` },
              Action: 'kms:Encrypt',
              Resource: '*',
            },
          ),
        },
      ],
    },
    [P]: {
      Users: [
        {
          UserName: 'Carol',
          InlinePolicies: { encrypt: doc({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: KEY_ARN }) },
          AccessKeys: access('AKIACAROL00000000001'),
        },
        {
          UserName: 'Erin',
          InlinePolicies: { decrypt: doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN }) },
          AccessKeys: access('AKIAERIN000000000001'),
        },
      ],
    },
  },
};

let server: ApiServer;
const clients: KMSClient[] = [];
const client = (accessKeyId: string, secretAccessKey = `${accessKeyId.toLowerCase()}-secret`) => {
  const c = new KMSClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
};
const denied = (who: string, action: string, why: string) =>
  `User: ${who} is not authorized to perform: kms:${action} on resource: ${KEY_ARN} ${why}`;

beforeAll(async () => {
  server = await startApiServer({ port: 0, seed: JSON.stringify(scenario) });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server.close();
});

describe('a server seeded from a scenario', () => {
  it('reports what it seeded', () => {
    expect(server.seeded!.keys.map((k) => k.arn)).toEqual([KEY_ARN]);
    expect(server.seeded!.credentials.map((c) => c.principalArn)).toContain(
      `arn:aws:sts::${A}:assumed-role/Auditor/audit-1`,
    );
  });

  it('default key policy + IAM allow: the user may encrypt and decrypt', async () => {
    const alice = client('AKIAALICE00000000001', 'akiaalice00000000001-secret');
    const { CiphertextBlob, KeyId } = await alice.send(
      new EncryptCommand({ KeyId: 'alias/shared', Plaintext: data }),
    );
    expect(KeyId).toBe(KEY_ARN);
    const { Plaintext } = await alice.send(new DecryptCommand({ CiphertextBlob }));
    expect(new TextDecoder().decode(Plaintext)).toBe('over the wire');
    const record = server.kms
      .trail()
      .filter((r) => r.eventName === 'Decrypt')
      .at(-1)!;
    expect(record.userIdentity).toMatchObject({
      type: 'IAMUser',
      arn: `arn:aws:iam::${A}:user/Alice`,
      userName: 'Alice',
      accessKeyId: 'AKIAALICE00000000001',
    });
  });

  it('a user without IAM permission gets AWS’s AccessDeniedException', async () => {
    await expectKmsError(
      client('AKIABOB0000000000001').send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: data })),
      'AccessDeniedException',
      denied(
        `arn:aws:iam::${A}:user/Bob`,
        'Encrypt',
        'because no identity-based policy allows the kms:Encrypt action',
      ),
    );
  });

  it('an explicit deny in IAM beats every allow', async () => {
    const dave = client('AKIADAVE000000000001');
    await dave.send(new DescribeKeyCommand({ KeyId: KEY_ID }));
    await expectKmsError(
      dave.send(new EncryptCommand({ KeyId: KEY_ID, Plaintext: data })),
      'AccessDeniedException',
      denied(`arn:aws:iam::${A}:user/Dave`, 'Encrypt', 'with an explicit deny in an identity-based policy'),
    );
  });

  it('a role session’s credentials act as the assumed role', async () => {
    const auditor = client('ASIAAUDITOR000000001', 'auditor-session-secret');
    const { KeyMetadata } = await auditor.send(new DescribeKeyCommand({ KeyId: KEY_ARN }));
    expect(KeyMetadata!.KeyId).toBe(KEY_ID);
    await expectKmsError(
      auditor.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: data })),
      'AccessDeniedException',
      denied(
        `arn:aws:sts::${A}:assumed-role/Auditor/audit-1`,
        'Encrypt',
        'because no identity-based policy allows the kms:Encrypt action',
      ),
    );
  });

  it('cross-account use works only when both the key policy and IAM allow it', async () => {
    const carol = client('AKIACAROL00000000001');
    const { KeyId } = await carol.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: data }));
    expect(KeyId).toBe(KEY_ARN);
    // Erin's IAM policy allows Decrypt, but the key policy does not allow her account to.
    const { CiphertextBlob } = await client('AKIAALICE00000000001').send(
      new EncryptCommand({ KeyId: KEY_ARN, Plaintext: data }),
    );
    await expectKmsError(
      client('AKIAERIN000000000001').send(new DecryptCommand({ CiphertextBlob, KeyId: KEY_ARN })),
      'AccessDeniedException',
      denied(
        `arn:aws:iam::${P}:user/Erin`,
        'Decrypt',
        'because no resource-based policy allows the kms:Decrypt action',
      ),
    );
  });

  it('a grant token lets the grantee use a new grant at once', async () => {
    const alice = client('AKIAALICE00000000001');
    const bob = client('AKIABOB0000000000001');
    const { GrantToken, GrantId } = await alice.send(
      new CreateGrantCommand({
        KeyId: KEY_ARN,
        GranteePrincipal: `arn:aws:iam::${A}:user/Bob`,
        Operations: ['Encrypt'],
      }),
    );
    expect(GrantToken).toEqual(expect.any(String));
    expect(GrantId).toMatch(/^[0-9a-f]{64}$/);
    const { KeyId } = await bob.send(
      new EncryptCommand({ KeyId: KEY_ARN, Plaintext: data, GrantTokens: [GrantToken!] }),
    );
    expect(KeyId).toBe(KEY_ARN);
    // Without the token, the grant has not propagated yet.
    await expectKmsError(
      bob.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: data })),
      'AccessDeniedException',
      denied(
        `arn:aws:iam::${A}:user/Bob`,
        'Encrypt',
        'because no identity-based policy allows the kms:Encrypt action',
      ),
    );
  });

  it('unknown access keys stay the root user of 111122223333', async () => {
    const root = client(unknownCredentials.accessKeyId, unknownCredentials.secretAccessKey);
    const { KeyMetadata } = await root.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.AWSAccountId).toBe(A);
    const record = server.kms
      .trail()
      .filter((r) => r.eventName === 'CreateKey')
      .at(-1)!;
    expect(record.userIdentity).toMatchObject({ type: 'Root', accessKeyId: unknownCredentials.accessKeyId });
  });
});

describe('startApiServer with an invalid seed', () => {
  it('refuses to start, saying where the scenario is wrong', async () => {
    await expect(
      startApiServer({ port: 0, seed: { KmsLabScenario: 1, Accounts: { [A]: { Users: [{}] } } } }),
    ).rejects.toThrow(`Accounts.${A}.Users[0].UserName: is required`);
  });
});
