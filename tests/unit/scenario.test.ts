/** Scenario files: the format's validation, building a world through the API, fixed IDs, atomicity. */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  applyScenario,
  createKms,
  exportScenario,
  MAX_SCENARIO_BYTES,
  MemoryStore,
  parseScenario,
  ScenarioError,
  type Kms,
} from '../../src/kms/index.ts';
import { seededCaller } from '../../src/kms/operations/seedOptions.ts';
import { rootPrincipal } from '../../src/kms/world/principal.ts';

const A = '111122223333';
const P = '444455556666';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const allow = (Action: unknown, Resource: unknown = '*') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action, Resource }],
});
const data = new TextEncoder().encode('hello');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures are mutated freely
type Json = any;

function base(): Json {
  return {
    KmsLabScenario: 1,
    Description: 'unit test world',
    Clock: { Start: '2030-01-01T00:00:00Z' },
    Accounts: {
      [A]: {
        ManagedPolicies: [{ PolicyName: 'KmsUse', Path: '/app/', PolicyDocument: allow(['kms:Encrypt']) }],
        Users: [
          {
            UserName: 'Alice',
            Tags: { team: 'app' },
            ManagedPolicies: ['KmsUse'],
            InlinePolicies: { describe: JSON.stringify(allow('kms:DescribeKey')) },
            AccessKeys: [{ AccessKeyId: 'AKIAALICE00000000001', SecretAccessKey: 'alice-secret-0000001' }],
          },
          { UserName: 'Bob' },
        ],
        Roles: [
          {
            RoleName: 'Ops',
            Description: 'operators',
            InlinePolicies: { all: allow('kms:*') },
            Sessions: [
              {
                SessionName: 'night',
                AccessKeyId: 'ASIAOPS0000000000001',
                SecretAccessKey: 'ops-secret-00000001',
              },
            ],
          },
        ],
        Keys: [
          {
            KeyId: KEY_ID,
            Description: 'app key',
            Tags: { env: 'test' },
            Aliases: ['alias/app', 'alias/app-v1'],
            Grants: [
              {
                Name: 'bob-encrypts',
                GranteePrincipal: `arn:aws:iam::${A}:user/Bob`,
                Operations: ['Encrypt', 'Decrypt'],
                Constraints: { EncryptionContextSubset: { dept: 'a' } },
              },
            ],
          },
          { KeyId: MRK_ID, MultiRegion: true, Region: 'eu-west-1', Enabled: false },
          { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
        ],
      },
      [P]: { Users: [{ UserName: 'Carol' }] },
    },
  };
}

let kms: Kms;
/** The world as data, minus the clock's real-time anchor (which moves with every snapshot). */
const world = async () => {
  const { clock, ...rest } = await kms.snapshot();
  return { ...rest, now: kms.now(), running: clock?.running };
};
beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: new Date('2029-12-31T00:00:00Z') });
});

describe('applyScenario', () => {
  it('builds the world through the API, with fixed key IDs and access keys', async () => {
    const applied = await applyScenario(kms, base());
    expect(applied.keys.map((k) => [k.path, k.keyId, k.region])).toEqual([
      [`Accounts.${A}.Keys[0]`, KEY_ID, 'us-east-1'],
      [`Accounts.${A}.Keys[1]`, MRK_ID, 'eu-west-1'],
      [`Accounts.${A}.Keys[2]`, expect.stringMatching(/^[0-9a-f-]{36}$/), 'us-east-1'],
    ]);
    expect(applied.credentials.map((c) => [c.accessKeyId, c.principalArn])).toEqual([
      ['AKIAALICE00000000001', `arn:aws:iam::${A}:user/Alice`],
      ['ASIAOPS0000000000001', `arn:aws:sts::${A}:assumed-role/Ops/night`],
    ]);

    const alice = kms.identities().find((i) => i.name === 'Alice');
    expect(alice).toMatchObject({
      kind: 'user',
      tags: [{ TagKey: 'team', TagValue: 'app' }],
      attachedPolicies: [`arn:aws:iam::${A}:policy/app/KmsUse`],
      accessKeys: [{ accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret-0000001' }],
    });
    expect(kms.identities().find((i) => i.name === 'Ops')).toMatchObject({
      kind: 'role',
      description: 'operators',
      assumeRolePolicyDocument: expect.stringContaining(`arn:aws:iam::${A}:root`),
    });
    expect(kms.identities().some((i) => i.name === 'Carol' && i.accountId === P)).toBe(true);

    const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: 'alias/app-v1' });
    expect(KeyMetadata).toMatchObject({ KeyId: KEY_ID, Description: 'app key', KeyState: 'Enabled' });
    const mrk = await kms.call(
      'DescribeKey',
      { KeyId: MRK_ID },
      kms.callerFor(`arn:aws:iam::${A}:root`, { region: 'eu-west-1' }),
    );
    expect(mrk.KeyMetadata).toMatchObject({ MultiRegion: true, KeyState: 'Disabled' });
    const tags = await kms.call('ListResourceTags', { KeyId: KEY_ID });
    expect(tags.Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }]);

    // Clock.Start, then the grant propagation delay: seeded grants work without a token.
    expect(kms.now()).toBe(Date.parse('2030-01-01T00:05:00Z'));
    const bob = kms.callerFor(`arn:aws:iam::${A}:user/Bob`);
    await kms.call('Encrypt', { KeyId: KEY_ID, Plaintext: data, EncryptionContext: { dept: 'a' } }, bob);

    // Access keys map to their users; the trail shows the whole setup, made by the accounts' roots.
    const caller = kms.callerForAccessKey('AKIAALICE00000000001');
    expect(caller.principal).toMatchObject({ type: 'IAMUser', userName: 'Alice' });
    await kms.call('Encrypt', { KeyId: 'alias/app', Plaintext: data }, caller);
    const setup = kms.trail().filter((r) => r.userAgent === 'kms-lab/scenario');
    expect(setup.map((r) => r.eventName)).toEqual([
      'CreatePolicy',
      'CreateUser',
      'PutUserPolicy',
      'AttachUserPolicy',
      'CreateAccessKey',
      'CreateUser',
      'CreateRole',
      'PutRolePolicy',
      'CreateUser',
      'CreateKey',
      'CreateAlias',
      'CreateAlias',
      'CreateGrant',
      'CreateKey',
      'DisableKey',
      'CreateKey',
    ]);
    expect(JSON.stringify(kms.trail())).not.toContain('alice-secret-0000001');
  });

  it('accepts JSON text, and the documented example', async () => {
    await applyScenario(kms, JSON.stringify({ KmsLabScenario: 1, Accounts: {} }));
    const example = readFileSync(new URL('../../docs/scenario-example.json', import.meta.url), 'utf8');
    const applied = await applyScenario(kms, example);
    expect(applied.keys[0]!.arn).toBe(`arn:aws:kms:us-east-1:${A}:key/${KEY_ID}`);
  });

  it('changes nothing when the engine refuses a step, and says where', async () => {
    await kms.iam('CreateUser', { UserName: 'bob' });
    const before = await world();
    const e = (await applyScenario(kms, base()).catch((x: unknown) => x)) as ScenarioError;
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e.issues).toEqual([
      {
        path: `Accounts.${A}.Users[1]`,
        message: 'EntityAlreadyExistsException: User with name Bob already exists.',
      },
    ]);
    expect(await world()).toEqual(before);
  });

  it('refuses a fixed key ID or access key that the world already has', async () => {
    await applyScenario(kms, { KmsLabScenario: 1, Accounts: { [A]: { Keys: [{ KeyId: KEY_ID }] } } });
    const before = await world();
    await expect(
      applyScenario(kms, { KmsLabScenario: 1, Accounts: { [A]: { Keys: [{}, { KeyId: KEY_ID }] } } }),
    ).rejects.toMatchObject({
      issues: [
        {
          path: `Accounts.${A}.Keys[1]`,
          message: `AlreadyExistsException: A key with ID ${KEY_ID} already exists.`,
        },
      ],
    });
    // The same ID in another Region is another key.
    await applyScenario(kms, {
      KmsLabScenario: 1,
      Accounts: { [A]: { Keys: [{ KeyId: KEY_ID, Region: 'us-west-2' }] } },
    });
    const keyOf = (name: string) => ({
      UserName: name,
      AccessKeys: [{ AccessKeyId: 'AKIADUP0000000000001', SecretAccessKey: 'dup-secret-0000001' }],
    });
    await applyScenario(kms, { KmsLabScenario: 1, Accounts: { [A]: { Users: [keyOf('U1')] } } });
    const mid = await world();
    await expect(
      applyScenario(kms, { KmsLabScenario: 1, Accounts: { [P]: { Users: [keyOf('U2')] } } }),
    ).rejects.toMatchObject({
      issues: [
        { path: `Accounts.${P}.Users[0].AccessKeys[0]`, message: expect.stringContaining('already exists') },
      ],
    });
    expect(await world()).toEqual(mid);
    expect(before.keys.length).toBe(1);
  });

  it('advances the clock to Clock.Start only when it lies ahead', async () => {
    await applyScenario(kms, { KmsLabScenario: 1, Clock: { Start: '2000-01-01T00:00:00Z' }, Accounts: {} });
    expect(kms.now()).toBe(Date.parse('2029-12-31T00:00:00Z'));
  });
});

describe('exportScenario', () => {
  it('describes the world so that applying it rebuilds the same world', async () => {
    await applyScenario(kms, base());
    await kms
      .call('CreateKey', { Description: 'doomed' })
      .then(({ KeyMetadata }) =>
        kms.call('ScheduleKeyDeletion', { KeyId: KeyMetadata!.KeyId!, PendingWindowInDays: 7 }),
      );
    const first = exportScenario(kms);
    expect(first.omitted).toEqual([expect.stringMatching(/:key\/[0-9a-f-]{36} \(PendingDeletion\)$/)]);
    const s = first.scenario as Json;
    expect(s.Accounts[A].Users[0]).toEqual(
      expect.objectContaining({ UserName: 'Alice', ManagedPolicies: ['KmsUse'], Tags: { team: 'app' } }),
    );
    expect(s.Accounts[A].Keys[0]).toMatchObject({ KeyId: KEY_ID, Aliases: ['alias/app', 'alias/app-v1'] });
    expect(s.Accounts[A].Keys[0].Policy).toBeUndefined();

    const copy = await createKms({ store: new MemoryStore(), startTime: new Date('2029-12-31T00:00:00Z') });
    await applyScenario(copy, first.scenario);
    const { Clock: _a, ...again } = exportScenario(copy).scenario;
    const { Clock: _b, ...original } = first.scenario;
    expect(again).toEqual(original);
  });
});

describe('the seed hook', () => {
  it('is not reachable from the API input', async () => {
    // CreateKey has no KeyId member: like AWS's service, the engine ignores members it does not model.
    const { KeyMetadata } = await kms.send('CreateKey', { KeyId: KEY_ID });
    expect((KeyMetadata as { KeyId: string }).KeyId).not.toBe(KEY_ID);
  });

  it('applies only to the exact caller object the loader made', async () => {
    const seeded = seededCaller({ principal: rootPrincipal(A), region: 'us-east-1' }, { keyId: KEY_ID });
    const copy = { ...seeded };
    expect((await kms.send('CreateKey', {}, copy)).KeyMetadata).not.toMatchObject({ KeyId: KEY_ID });
    expect((await kms.send('CreateKey', {}, seeded)).KeyMetadata).toMatchObject({ KeyId: KEY_ID });
    await expect(kms.send('CreateKey', { MultiRegion: true }, seeded)).rejects.toMatchObject({
      code: 'ValidationException',
    });
  });
});

describe('parseScenario', () => {
  const issuesOf = (input: unknown) => {
    try {
      parseScenario(input);
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      return (e as ScenarioError).issues;
    }
    throw new Error('expected the scenario to be refused');
  };
  const edit = (f: (s: Json) => void) => {
    const s = base();
    f(s);
    return s;
  };
  const acct = `Accounts.${A}`;

  it('returns a valid scenario unchanged', () => {
    expect(parseScenario(base())).toEqual(base());
    expect(parseScenario(JSON.stringify(base()))).toEqual(base());
  });

  it.each<[string, unknown, string, string | RegExp]>([
    ['text that is not JSON', '{"KmsLabScenario": 1,', '', /^is not valid JSON/],
    [
      'a value that is not a scenario',
      { Accounts: {} },
      '',
      /expected an object starting \{"KmsLabScenario": 1/,
    ],
    [
      'another version',
      { KmsLabScenario: 2, Accounts: {} },
      'KmsLabScenario',
      /unsupported version 2: this KMS Lab reads version 1/,
    ],
    ['a missing Accounts', { KmsLabScenario: 1 }, 'Accounts', 'is required'],
    [
      'an unknown top-level field',
      edit((s) => (s.Keys = [])),
      'Keys',
      /^unknown field \(allowed here: KmsLabScenario, Description, Clock, Accounts\)/,
    ],
    [
      'an unknown nested field',
      edit((s) => (s.Accounts[A].Users[1].Password = 'x')),
      `${acct}.Users[1].Password`,
      /^unknown field/,
    ],
    [
      'an unknown account',
      edit((s) => (s.Accounts['123456789012'] = {})),
      'Accounts.123456789012',
      'must be one of 111122223333, 444455556666',
    ],
    [
      'a wrong type',
      edit((s) => (s.Accounts[A].Users[1].UserName = 5)),
      `${acct}.Users[1].UserName`,
      'must be a string, not number',
    ],
    [
      'a list that is not an array',
      edit((s) => (s.Accounts[A].Keys = {})),
      `${acct}.Keys`,
      'must be an array, not an object',
    ],
    [
      'a bad IAM name',
      edit((s) => (s.Accounts[A].Users[1].UserName = 'bob smith')),
      `${acct}.Users[1].UserName`,
      /is not an IAM name/,
    ],
    [
      'a duplicate user (case-insensitive)',
      edit((s) => (s.Accounts[A].Users[1].UserName = 'alice')),
      `${acct}.Users[1].UserName`,
      /^duplicate user name .* \(also at .*Users\[0\]\)$/,
    ],
    [
      'a user access key without AKIA',
      edit((s) => (s.Accounts[A].Users[0].AccessKeys[0].AccessKeyId = 'ASIAALICE00000000001')),
      `${acct}.Users[0].AccessKeys[0].AccessKeyId`,
      /is not a user access key ID/,
    ],
    [
      'a session access key without ASIA',
      edit((s) => (s.Accounts[A].Roles[0].Sessions[0].AccessKeyId = 'AKIAOPS0000000000001')),
      `${acct}.Roles[0].Sessions[0].AccessKeyId`,
      /is not a temporary access key ID/,
    ],
    [
      'an access key used twice',
      edit((s) => (s.Accounts[P].Users[0].AccessKeys = s.Accounts[A].Users[0].AccessKeys)),
      `Accounts.${P}.Users[0].AccessKeys[0].AccessKeyId`,
      `access key AKIAALICE00000000001 is already used at ${acct}.Users[0].AccessKeys[0].AccessKeyId`,
    ],
    [
      'three access keys',
      edit(
        (s) =>
          (s.Accounts[A].Users[1].AccessKeys = [1, 2, 3].map((n) => ({
            AccessKeyId: `AKIABOB000000000000${n}`,
            SecretAccessKey: 'bob-secret-0000000',
          }))),
      ),
      `${acct}.Users[1].AccessKeys`,
      'has 3 entries; at most 2 are allowed',
    ],
    [
      'an unknown managed policy',
      edit((s) => (s.Accounts[A].Users[1].ManagedPolicies = ['Nope'])),
      `${acct}.Users[1].ManagedPolicies[0]`,
      /^no managed policy named Nope/,
    ],
    [
      'a malformed identity policy',
      edit(
        (s) =>
          (s.Accounts[A].Users[1].InlinePolicies = {
            p: { Statement: [{ Effect: 'Maybe', Action: 'kms:*', Resource: '*' }] },
          }),
      ),
      `${acct}.Users[1].InlinePolicies.p`,
      /^MalformedPolicyDocumentException: /,
    ],
    [
      'a policy that is neither object nor text',
      edit((s) => (s.Accounts[A].Keys[0].Policy = 42)),
      `${acct}.Keys[0].Policy`,
      /must be a policy document/,
    ],
    [
      'a bad key ID',
      edit((s) => (s.Accounts[A].Keys[0].KeyId = 'not-a-key-id')),
      `${acct}.Keys[0].KeyId`,
      /is not a key ID/,
    ],
    [
      'an mrk- ID on a single-Region key',
      edit((s) => (s.Accounts[A].Keys[1].MultiRegion = false)),
      `${acct}.Keys[1].KeyId`,
      'an mrk- key ID needs "MultiRegion": true',
    ],
    [
      'a UUID on a multi-Region key',
      edit((s) => (s.Accounts[A].Keys[0].MultiRegion = true)),
      `${acct}.Keys[0].KeyId`,
      /needs an mrk- key ID/,
    ],
    [
      'a duplicate key ID',
      edit((s) => (s.Accounts[A].Keys[2].KeyId = KEY_ID)),
      `${acct}.Keys[2].KeyId`,
      `duplicate key ID (also at ${acct}.Keys[0])`,
    ],
    [
      'an unknown Region',
      edit((s) => (s.Accounts[A].Keys[0].Region = 'mars-north-1')),
      `${acct}.Keys[0].Region`,
      /must be a Region of the lab/,
    ],
    [
      'an unknown key spec',
      edit((s) => (s.Accounts[A].Keys[2].KeySpec = 'AES_256')),
      `${acct}.Keys[2].KeySpec`,
      /^must be one of RSA_2048/,
    ],
    [
      'an incompatible key usage',
      edit((s) => (s.Accounts[A].Keys[2].KeyUsage = 'ENCRYPT_DECRYPT')),
      `${acct}.Keys[2].KeyUsage`,
      'ENCRYPT_DECRYPT is not valid for KeySpec ECC_NIST_P256 (valid: SIGN_VERIFY, KEY_AGREEMENT)',
    ],
    [
      'an asymmetric key without usage',
      edit((s) => delete s.Accounts[A].Keys[2].KeyUsage),
      `${acct}.Keys[2].KeyUsage`,
      'is required for KeySpec ECC_NIST_P256',
    ],
    [
      'an AWS alias',
      edit((s) => (s.Accounts[A].Keys[0].Aliases = ['alias/aws/s3'])),
      `${acct}.Keys[0].Aliases[0]`,
      /is not an alias name/,
    ],
    [
      'an alias used twice',
      edit((s) => (s.Accounts[A].Keys[2].Aliases = ['alias/app'])),
      `${acct}.Keys[2].Aliases[0]`,
      /^alias alias\/app already names a key in us-east-1/,
    ],
    [
      'an unknown grant operation',
      edit((s) => (s.Accounts[A].Keys[0].Grants[0].Operations = ['Dance'])),
      `${acct}.Keys[0].Grants[0].Operations[0]`,
      /^must be one of Decrypt, Encrypt/,
    ],
    [
      'a grant without grantee',
      edit((s) => delete s.Accounts[A].Keys[0].Grants[0].GranteePrincipal),
      `${acct}.Keys[0].Grants[0].GranteePrincipal`,
      'is required',
    ],
    [
      'a grant without operations',
      edit((s) => (s.Accounts[A].Keys[0].Grants[0].Operations = [])),
      `${acct}.Keys[0].Grants[0].Operations`,
      'must have at least 1 entry',
    ],
    [
      'grant constraints on an asymmetric key',
      edit(
        (s) =>
          (s.Accounts[A].Keys[2].Grants = [
            { GranteePrincipal: `arn:aws:iam::${A}:user/Bob`, Operations: ['Sign'], Constraints: {} },
          ]),
      ),
      `${acct}.Keys[2].Grants[0].Constraints`,
      /only for symmetric encryption keys/,
    ],
    [
      'a bad clock start',
      edit((s) => (s.Clock.Start = '2030-13-45T00:00:00Z')),
      'Clock.Start',
      /is not a valid date-time/,
    ],
    [
      'a non-boolean',
      edit((s) => (s.Accounts[A].Keys[0].Enabled = 'yes')),
      `${acct}.Keys[0].Enabled`,
      'must be true or false, not string',
    ],
  ])('refuses %s', (_what, input, path, message) => {
    const issues = issuesOf(input);
    const issue = issues.find((i) => i.path === path);
    expect(issue, `no issue at ${path}: ${JSON.stringify(issues)}`).toBeDefined();
    if (typeof message === 'string') expect(issue!.message).toBe(message);
    else expect(issue!.message).toMatch(message);
  });

  it('refuses a scenario over the size limit, as text or as a value', () => {
    const big = { KmsLabScenario: 1, Description: 'x'.repeat(MAX_SCENARIO_BYTES), Accounts: {} };
    expect(issuesOf(big)[0]!.message).toMatch(/a scenario may be at most 262144 bytes/);
    expect(issuesOf(JSON.stringify(big))[0]!.message).toMatch(/a scenario may be at most 262144 bytes/);
  });

  it('lists every problem, each with its path, in the message', () => {
    const s = edit((x) => {
      x.Accounts[A].Users[1].UserName = 5;
      x.Accounts[A].Keys[0].Region = 'nowhere';
    });
    const e = (() => {
      try {
        parseScenario(s);
      } catch (x) {
        return x as ScenarioError;
      }
    })()!;
    expect(e.message).toBe(
      [
        'Invalid scenario (2 problems):',
        `  ${acct}.Users[1].UserName: must be a string, not number`,
        `  ${acct}.Keys[0].Region: must be a Region of the lab (us-east-1, us-west-2, eu-west-1, ap-southeast-2)`,
      ].join('\n'),
    );
  });

  it('changes nothing in the world when validation fails', async () => {
    const before = await world();
    await expect(
      applyScenario(
        kms,
        edit((s) => (s.Accounts[A].Keys[0].KeyId = 'x')),
      ),
    ).rejects.toBeInstanceOf(ScenarioError);
    expect(await world()).toEqual(before);
  });
});
