import { check, events, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const KEY = '5a1b2c3d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';
const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;
const root = 'arn:aws:iam::111122223333:root';
const BOB = 'arn:aws:iam::111122223333:user/Bob';

export const lesson: Lesson = {
  id: 'key-policies-iam',
  title: 'Key policies and IAM policies',
  intro:
    'Every KMS key has exactly one key policy, and it is the root of access: an IAM policy counts only when ' +
    'the key policy lets the account delegate (the default policy\'s "Enable IAM User Permissions" statement, ' +
    'root with kms:*). The key `alias/payroll` here lets the account administer it, but not use it.',
  tags: {
    areas: ['key-policies', 'iam'],
    domains: ['SCS: Identity and Access Management', 'SCS: Data Protection'],
  },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': {
        Users: [
          {
            UserName: 'Bob',
            InlinePolicies: {
              'use-kms': {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }],
              },
            },
          },
        ],
        Keys: [
          {
            KeyId: KEY,
            Aliases: ['alias/payroll'],
            Policy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'KeyAdministration',
                  Effect: 'Allow',
                  Principal: { AWS: root },
                  Action: [
                    'kms:Describe*',
                    'kms:Get*',
                    'kms:List*',
                    'kms:Put*',
                    'kms:Create*',
                    'kms:Enable*',
                    'kms:Disable*',
                    'kms:ScheduleKeyDeletion',
                    'kms:CancelKeyDeletion',
                    'kms:TagResource',
                    'kms:UntagResource',
                  ],
                  Resource: '*',
                },
              ],
            },
          },
        ],
      },
    },
  },
  steps: [
    {
      id: 'denied',
      text: 'As Bob, Encrypt with `alias/payroll`. His IAM policy allows kms:Encrypt on `*`, yet KMS denies it. Why?',
      check: check(
        'an Encrypt by Bob with the payroll key that was denied',
        (w) =>
          events(w, 'Encrypt', { ok: 'AccessDeniedException', by: BOB }).length > 0 ||
          need("Bob's denied Encrypt"),
      ),
      hints: [
        { level: 'nudge', text: '`lab.as({ principal: … })` gives you a client acting as Bob.' },
        {
          level: 'concept',
          text: 'The key policy allows root only administrative actions, so IAM cannot grant Encrypt.',
        },
        {
          level: 'call',
          text: "`await lab.as({ principal: 'arn:aws:iam::111122223333:user/Bob' }).encrypt({ KeyId: 'alias/payroll', Plaintext: lab.utf8('x') })`",
        },
      ],
    },
    {
      id: 'allowed',
      text:
        'Change the key policy so that Bob can encrypt, either by naming him in a statement or by delegating ' +
        'use to IAM. Keep the administrative statement. Then encrypt as Bob again.',
      check: check(
        'a successful Encrypt by Bob with the payroll key',
        (w) =>
          events(w, 'Encrypt', { ok: true, by: BOB, keyArn: arn }).length > 0 ||
          need('Bob encrypting with alias/payroll'),
      ),
      hints: [
        {
          level: 'nudge',
          text: 'Read the current policy first with GetKeyPolicy (it takes a key ID, not an alias).',
        },
        {
          level: 'concept',
          text: 'PutKeyPolicy replaces the whole policy; the lockout check makes sure root can still manage the key.',
        },
        {
          level: 'call',
          text: "Add `{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/Bob' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }` and `kms.putKeyPolicy({ KeyId, Policy })`",
        },
      ],
    },
    {
      id: 'separation',
      text: 'Users are not administrators: as Bob, try to schedule the key for deletion. It must be denied.',
      check: check(
        'a ScheduleKeyDeletion by Bob that was denied',
        (w) =>
          events(w, 'ScheduleKeyDeletion', { ok: 'AccessDeniedException', by: BOB }).length > 0 ||
          need("Bob's denied ScheduleKeyDeletion"),
      ),
      hints: [
        { level: 'nudge', text: 'Same client as Bob, another operation.' },
        {
          level: 'concept',
          text: 'Separate key administrators from key users; neither policy gives Bob ScheduleKeyDeletion.',
        },
        {
          level: 'call',
          text: "`await bob.scheduleKeyDeletion({ KeyId: 'alias/payroll', PendingWindowInDays: 7 })` in try/catch",
        },
      ],
    },
  ],
  solution: `const bob = lab.as({ principal: 'arn:aws:iam::111122223333:user/Bob' });
try {
  await bob.encrypt({ KeyId: 'alias/payroll', Plaintext: lab.utf8('salary') });
} catch (e) {
  console.log('before:', e.name);
}
// Key policy operations take a key ID or ARN, not an alias.
const { KeyMetadata } = await kms.describeKey({ KeyId: 'alias/payroll' });
const { Policy } = await kms.getKeyPolicy({ KeyId: KeyMetadata.KeyId, PolicyName: 'default' });
const doc = JSON.parse(Policy);
doc.Statement.push({
  Sid: 'KeyUsers',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:user/Bob' },
  Action: ['kms:Encrypt', 'kms:Decrypt'],
  Resource: '*',
});
await kms.putKeyPolicy({ KeyId: KeyMetadata.KeyId, PolicyName: 'default', Policy: JSON.stringify(doc) });
await bob.encrypt({ KeyId: 'alias/payroll', Plaintext: lab.utf8('salary') });
try {
  await bob.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
} catch (e) {
  console.log('admin action:', e.name);
}
`,
  par: 6,
  minutes: 6,
};
