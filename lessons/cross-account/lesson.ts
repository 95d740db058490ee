import {
  check,
  events,
  identityPolicyAllows,
  keyOf,
  need,
  PARTNER,
  policyAllows,
} from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const KEY = 'c2819304-7586-4192-b304-1f2031425364';
const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;
const ROLE = `arn:aws:iam::${PARTNER}:role/analytics`;

export const lesson: Lesson = {
  id: 'cross-account',
  title: 'Sharing a key with another account',
  intro:
    'To let another account use your key, two policies must agree: your key policy allows the other ' +
    "account (or a principal in it), and the other account's IAM policy gives its principal the KMS actions " +
    "on your key's ARN. Aliases are account-local, so the other account names the key by ARN. The role " +
    `\`analytics\` in account ${PARTNER} needs to encrypt with \`alias/shared\`.`,
  tags: {
    areas: ['cross-account', 'key-policies', 'iam'],
    domains: ['SCS: Identity and Access Management', 'SCS: Data Protection'],
  },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': { Keys: [{ KeyId: KEY, Aliases: ['alias/shared'] }] },
      [PARTNER]: { Roles: [{ RoleName: 'analytics' }] },
    },
  },
  steps: [
    {
      id: 'key-policy',
      text: `Add a statement to the key policy allowing account ${PARTNER} (its root, or the analytics role) kms:Encrypt and kms:Decrypt.`,
      check: check(`the key policy allows a principal of ${PARTNER} kms:Encrypt`, (w) => {
        const k = keyOf(w, KEY);
        return (
          (!!k && policyAllows(k.policy, (p) => p.includes(PARTNER), 'kms:Encrypt')) ||
          need(`a key policy statement for ${PARTNER}`)
        );
      }),
      hints: [
        { level: 'nudge', text: 'GetKeyPolicy, add a statement, PutKeyPolicy.' },
        {
          level: 'concept',
          text: "Allowing the other account's root delegates to its IAM; it does not open the key to everyone there.",
        },
        {
          level: 'call',
          text: `Add \`{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::${PARTNER}:root' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }\``,
        },
      ],
    },
    {
      id: 'iam-policy',
      text: `In account ${PARTNER}, give the role analytics an IAM policy allowing kms:Encrypt and kms:Decrypt on the key's ARN.`,
      check: check('the analytics role has an identity policy allowing kms:Encrypt on the key ARN', (w) => {
        const role = w.identities.find((i) => i.arn === ROLE);
        const docs = role && role.kind === 'role' ? Object.values(role.inlinePolicies) : [];
        return (
          docs.some((d) => identityPolicyAllows(d, 'kms:Encrypt', arn)) ||
          need('an inline policy on analytics')
        );
      }),
      hints: [
        { level: 'nudge', text: 'The IAM call runs in the partner account: use its clients.' },
        {
          level: 'concept',
          text: "Both sides must allow: the key policy in the key's account, IAM in the caller's.",
        },
        {
          level: 'call',
          text: `\`await lab.clients({ principal: '${PARTNER}' }).iam.putRolePolicy({ RoleName: 'analytics', PolicyName: 'use-shared-key', PolicyDocument })\``,
        },
      ],
    },
    {
      id: 'use',
      text: 'As the analytics role, encrypt with the key. Use the ARN: `alias/shared` means nothing in the other account.',
      check: check(
        'a successful Encrypt by the analytics role with the shared key',
        (w) =>
          events(w, 'Encrypt', { ok: true, by: ':assumed-role/analytics/', keyArn: arn }).length > 0 ||
          need('Encrypt as analytics'),
      ),
      hints: [
        { level: 'nudge', text: 'A KMS client acting as the role.' },
        { level: 'concept', text: 'Cross-account calls must name the key by key ARN (or alias ARN).' },
        {
          level: 'call',
          text: `\`await lab.as({ principal: '${ROLE}' }).encrypt({ KeyId: '${arn}', Plaintext: lab.utf8('x') })\``,
        },
      ],
    },
  ],
  solution: `const { Policy } = await kms.getKeyPolicy({ KeyId: '${KEY}', PolicyName: 'default' });
const doc = JSON.parse(Policy);
doc.Statement.push({
  Sid: 'PartnerUse', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::${PARTNER}:root' },
  Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*',
});
await kms.putKeyPolicy({ KeyId: '${KEY}', PolicyName: 'default', Policy: JSON.stringify(doc) });
await lab.clients({ principal: '${PARTNER}' }).iam.putRolePolicy({
  RoleName: 'analytics',
  PolicyName: 'use-shared-key',
  PolicyDocument: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '${arn}' }],
  }),
});
await lab.as({ principal: '${ROLE}' }).encrypt({ KeyId: '${arn}', Plaintext: lab.utf8('shared') });
`,
  par: 4,
  minutes: 6,
};
