import { check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const KEY = 'a06f7182-5364-4f70-9182-9d0e1f203142';
const MALLORY = 'arn:aws:iam::111122223333:user/Mallory';

export const lesson: Lesson = {
  id: 'cloudtrail-audit',
  title: 'CloudTrail: who did what with which key',
  intro:
    'Every KMS call lands in CloudTrail: who called, from where, which key, the encryption context (never ' +
    'plaintexts or ciphertexts), and whether it failed. The key `alias/billing` stopped working overnight. ' +
    'Investigate, repair, and make sure it cannot happen again.',
  tags: { areas: ['cloudtrail', 'key-policies'], domains: ['SCS: Detection', 'SCS: Incident Response'] },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': {
        Users: [
          {
            UserName: 'Mallory',
            InlinePolicies: {
              kms: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
              },
            },
          },
          { UserName: 'Trent' },
        ],
        Keys: [{ KeyId: KEY, Aliases: ['alias/billing'] }],
      },
    },
  },
  setup: `await lab.as({ principal: '${MALLORY}' }).disableKey({ KeyId: '${KEY}' });`,
  steps: [
    {
      id: 'who',
      text:
        'Find out who disabled the key: look up `DisableKey` events (`cloudtrail.lookupEvents`). Tag the key ' +
        '`disabled-by` with that user name.',
      check: check(
        'the billing key is tagged disabled-by=Mallory',
        (w) =>
          keyOf(w, KEY)?.tags.some((t) => t.TagKey === 'disabled-by' && t.TagValue === 'Mallory') ||
          need('a tag disabled-by with the user name from the trail'),
      ),
      hints: [
        { level: 'nudge', text: 'CloudTrail LookupEvents filters by event name.' },
        {
          level: 'concept',
          text: 'Each event has Username and the full record in CloudTrailEvent (userIdentity).',
        },
        {
          level: 'call',
          text: "`await cloudtrail.lookupEvents({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DisableKey' }] })`",
        },
      ],
    },
    {
      id: 'repair',
      text: 'Re-enable the key.',
      check: check(
        'the billing key is Enabled',
        (w) => keyOf(w, KEY)?.state === 'Enabled' || need('EnableKey'),
      ),
      hints: [
        { level: 'nudge', text: 'The opposite of DisableKey.' },
        { level: 'concept', text: 'Disabling is reversible; that is why it is the safe first response.' },
        { level: 'call', text: `\`await kms.enableKey({ KeyId: '${KEY}' })\`` },
      ],
    },
    {
      id: 'prevent',
      text:
        'Add a statement to the key policy that denies `kms:DisableKey` and `kms:ScheduleKeyDeletion` to Mallory. ' +
        'Then, as Mallory, try to disable the key: the trail must show the denial.',
      check: check(
        'a DisableKey by Mallory that was denied',
        (w) =>
          events(w, 'DisableKey', { ok: 'AccessDeniedException', by: MALLORY }).length > 0 ||
          need("Mallory's denied DisableKey"),
      ),
      hints: [
        { level: 'nudge', text: "An explicit Deny beats any Allow, including Mallory's kms:* IAM policy." },
        { level: 'concept', text: 'Key policy statements can deny as well as allow.' },
        {
          level: 'call',
          text:
            "Add `{ Effect: 'Deny', Principal: { AWS: '" +
            MALLORY +
            "' }, Action: ['kms:DisableKey', 'kms:ScheduleKeyDeletion'], Resource: '*' }` with putKeyPolicy",
        },
      ],
    },
  ],
  solution: `const { Events } = await cloudtrail.lookupEvents({
  LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DisableKey' }],
});
const who = Events[0].Username;
await kms.tagResource({ KeyId: '${KEY}', Tags: [{ TagKey: 'disabled-by', TagValue: who }] });
await kms.enableKey({ KeyId: '${KEY}' });
const { Policy } = await kms.getKeyPolicy({ KeyId: '${KEY}', PolicyName: 'default' });
const doc = JSON.parse(Policy);
doc.Statement.push({
  Sid: 'NoSabotage', Effect: 'Deny', Principal: { AWS: '${MALLORY}' },
  Action: ['kms:DisableKey', 'kms:ScheduleKeyDeletion'], Resource: '*',
});
await kms.putKeyPolicy({ KeyId: '${KEY}', PolicyName: 'default', Policy: JSON.stringify(doc) });
try {
  await lab.as({ principal: '${MALLORY}' }).disableKey({ KeyId: '${KEY}' });
} catch (e) {
  console.log(e.name);
}
`,
  par: 6,
  minutes: 6,
};
