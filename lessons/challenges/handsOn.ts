/** Hands-on challenges: reach a goal on the world; each has a reference script and a par. */
import { check, events, keyOf, need, recordContext, recordTime } from '../../src/learn/checks.ts';
import type { HandsOnChallenge } from '../../src/learn/challenges.ts';

const A = '111122223333';
const REPORTS = 'd3920415-8697-42a3-8415-203142536475';
const CUSTOMERS = 'e4a31526-97a8-43b4-9526-314253647586';
const MRK = 'mrk-3c4d5e6f7a8b49c0d1e2f3a4b5c6d7e8';
const APP = 'f5b42637-a8b9-44c5-a637-425364758697';
const DOCS = '06c53748-b9ca-45d6-b748-536475869708';
const SECRETS = '17d64859-cadb-46e7-8859-647586970819';

export const handsOn: readonly HandsOnChallenge[] = [
  {
    kind: 'hands-on',
    id: 'context-only-decrypt',
    title: 'Decrypt only with the right context',
    prompt:
      'Make it so that the role `reporting` can decrypt with `alias/reports` only when the encryption context ' +
      'has `dept=finance`. Prove it: as `reporting`, decrypt a `dept=finance` ciphertext, and be denied on a `dept=hr` one.',
    tags: {
      areas: ['encryption-context', 'key-policies'],
      domains: ['SCS: Data Protection', 'SCS: Identity and Access Management'],
    },
    explanation:
      'A key policy (or IAM) condition on `kms:EncryptionContext:dept` limits which data a principal may decrypt. ' +
      'A condition denies by not allowing; unlike a wrong context, it yields AccessDeniedException, not InvalidCiphertextException.',
    world: {
      KmsLabScenario: 1,
      Accounts: {
        [A]: { Roles: [{ RoleName: 'reporting' }], Keys: [{ KeyId: REPORTS, Aliases: ['alias/reports'] }] },
      },
    },
    goals: [
      check(
        'the reporting role decrypted with context dept=finance',
        (w) =>
          events(w, 'Decrypt', { ok: true, by: ':assumed-role/reporting/' }).some(
            (r) => recordContext(r)['dept'] === 'finance',
          ) || need('a successful Decrypt by reporting with dept=finance'),
      ),
      check(
        'the reporting role was denied with context dept=hr',
        (w) =>
          events(w, 'Decrypt', { ok: 'AccessDeniedException', by: ':assumed-role/reporting/' }).some(
            (r) => recordContext(r)['dept'] === 'hr',
          ) || need('a denied Decrypt by reporting with dept=hr'),
      ),
    ],
    hints: [
      { level: 'nudge', text: 'The role has no permissions yet: give it some, with a condition.' },
      { level: 'concept', text: 'Condition key `kms:EncryptionContext:dept` with StringEquals.' },
      {
        level: 'call',
        text: "A key policy statement for the role's ARN with `Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } }`",
      },
    ],
    solution: `const role = 'arn:aws:iam::${A}:role/reporting';
const { Policy } = await kms.getKeyPolicy({ KeyId: '${REPORTS}', PolicyName: 'default' });
const doc = JSON.parse(Policy);
doc.Statement.push({
  Effect: 'Allow', Principal: { AWS: role }, Action: 'kms:Decrypt', Resource: '*',
  Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } },
});
await kms.putKeyPolicy({ KeyId: '${REPORTS}', PolicyName: 'default', Policy: JSON.stringify(doc) });
const fin = await kms.encrypt({ KeyId: 'alias/reports', Plaintext: lab.utf8('q1'), EncryptionContext: { dept: 'finance' } });
const hr = await kms.encrypt({ KeyId: 'alias/reports', Plaintext: lab.utf8('pay'), EncryptionContext: { dept: 'hr' } });
const reporting = lab.as({ principal: role });
await reporting.decrypt({ CiphertextBlob: fin.CiphertextBlob, EncryptionContext: { dept: 'finance' } });
try {
  await reporting.decrypt({ CiphertextBlob: hr.CiphertextBlob, EncryptionContext: { dept: 'hr' } });
} catch (e) {
  console.log(e.name);
}
`,
    par: 6,
  },
  {
    kind: 'hands-on',
    id: 'recover-pending-deletion',
    title: 'Recover a key scheduled for deletion',
    prompt:
      '`alias/customers` was scheduled for deletion. Bring it back into service: Encrypt with it must work.',
    tags: { areas: ['key-states'], domains: ['SCS: Incident Response', 'SCS: Data Protection'] },
    explanation:
      'CancelKeyDeletion returns the key to Disabled; EnableKey makes it usable. After the waiting period nothing can restore it.',
    world: {
      KmsLabScenario: 1,
      Accounts: { [A]: { Keys: [{ KeyId: CUSTOMERS, Aliases: ['alias/customers'] }] } },
    },
    setup: `await kms.scheduleKeyDeletion({ KeyId: '${CUSTOMERS}', PendingWindowInDays: 7 });`,
    goals: [
      check(
        'the customers key is Enabled',
        (w) => keyOf(w, CUSTOMERS)?.state === 'Enabled' || need('the key Enabled'),
      ),
      check('a successful Encrypt with alias/customers', (w) => {
        const k = keyOf(w, CUSTOMERS);
        return (
          (!!k && events(w, 'Encrypt', { ok: true, keyArn: k.arn }).length > 0) ||
          need('Encrypt with the key')
        );
      }),
    ],
    hints: [
      { level: 'nudge', text: 'Two state changes, then a test.' },
      { level: 'concept', text: 'A cancelled deletion leaves the key Disabled.' },
      { level: 'call', text: '`cancelKeyDeletion`, `enableKey`, `encrypt`' },
    ],
    solution: `await kms.cancelKeyDeletion({ KeyId: '${CUSTOMERS}' });
await kms.enableKey({ KeyId: '${CUSTOMERS}' });
await kms.encrypt({ KeyId: 'alias/customers', Plaintext: lab.utf8('ok') });
`,
    par: 3,
  },
  {
    kind: 'hands-on',
    id: 'survive-region-loss',
    title: 'Keep decrypting when us-east-1 is lost',
    prompt:
      'Data is encrypted in us-east-1 under the multi-Region key `alias/orders`. Prepare for the loss of us-east-1 ' +
      'and show that a ciphertext made in us-east-1 decrypts in us-west-2.',
    tags: { areas: ['multi-region'], domains: ['SCS: Data Protection', 'SAA: Design Secure Architectures'] },
    explanation:
      'A replica of a multi-Region key shares its ID and material, so ciphertexts decrypt in the replica Region without calling the ' +
      'primary. Single-Region keys cannot be converted; data under them must be re-encrypted.',
    world: {
      KmsLabScenario: 1,
      Accounts: { [A]: { Keys: [{ KeyId: MRK, MultiRegion: true, Aliases: ['alias/orders'] }] } },
    },
    goals: [
      check(
        'an Enabled replica in us-west-2',
        (w) => keyOf(w, MRK, 'us-west-2')?.state === 'Enabled' || need('a replica in us-west-2'),
      ),
      check('a ciphertext from us-east-1 decrypted in us-west-2', (w) => {
        const enc = events(w, 'Encrypt', { ok: true, region: 'us-east-1' })[0];
        return (
          (!!enc &&
            events(w, 'Decrypt', { ok: true, region: 'us-west-2', after: recordTime(enc) }).length > 0) ||
          need('Encrypt in us-east-1, then Decrypt in us-west-2')
        );
      }),
    ],
    hints: [
      { level: 'nudge', text: 'The key is already multi-Region.' },
      { level: 'concept', text: 'ReplicateKey, then use a us-west-2 client.' },
      { level: 'call', text: `\`await kms.replicateKey({ KeyId: '${MRK}', ReplicaRegion: 'us-west-2' })\`` },
    ],
    solution: `await kms.replicateKey({ KeyId: '${MRK}', ReplicaRegion: 'us-west-2' });
await clock.advance(60);
const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/orders', Plaintext: lab.utf8('order') });
await lab.as({ region: 'us-west-2' }).decrypt({ KeyId: '${MRK}', CiphertextBlob });
`,
    par: 3,
  },
  {
    kind: 'hands-on',
    id: 'grant-token-now',
    title: 'Access now, without touching the policy',
    prompt:
      'User `Eve` must encrypt with `alias/app` within the next minute. Do not change the key policy or any IAM policy.',
    tags: { areas: ['grants'], domains: ['SCS: Identity and Access Management'] },
    explanation:
      'A grant adds permissions without policy edits; its token makes it effective before it propagates.',
    world: {
      KmsLabScenario: 1,
      Accounts: { [A]: { Users: [{ UserName: 'Eve' }], Keys: [{ KeyId: APP, Aliases: ['alias/app'] }] } },
    },
    goals: [
      check(
        'no key or IAM policy was changed',
        (w) =>
          (events(w, 'PutKeyPolicy').length === 0 &&
            !w.trail.some(
              (r) => r.eventSource === 'iam.amazonaws.com' && /Policy$/.test(r.eventName) && !r.readOnly,
            )) ||
          'policies were changed',
      ),
      check(
        'Eve encrypted with alias/app',
        (w) =>
          events(w, 'Encrypt', { ok: true, by: ':user/Eve' }).length > 0 || need("Eve's successful Encrypt"),
      ),
    ],
    hints: [
      { level: 'nudge', text: 'Not a policy: the other permission mechanism.' },
      { level: 'concept', text: 'CreateGrant returns a GrantToken usable at once.' },
      {
        level: 'call',
        text: "`createGrant({ KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:user/Eve', Operations: ['Encrypt'] })`",
      },
    ],
    solution: `const { GrantToken } = await kms.createGrant({
  KeyId: '${APP}', GranteePrincipal: 'arn:aws:iam::${A}:user/Eve', Operations: ['Encrypt'],
});
await lab.as({ principal: 'arn:aws:iam::${A}:user/Eve' }).encrypt({
  KeyId: 'alias/app', Plaintext: lab.utf8('now'), GrantTokens: [GrantToken],
});
`,
    par: 2,
  },
  {
    kind: 'hands-on',
    id: 'rotate-quarterly',
    title: 'Quarterly rotation, starting today',
    prompt: 'Compliance wants `alias/app` rotated every 90 days, and once right now.',
    tags: {
      areas: ['rotation'],
      domains: ['SCS: Security Foundations and Governance', 'SCS: Data Protection'],
    },
    explanation:
      'RotationPeriodInDays goes from 90 to 2560; RotateKeyOnDemand rotates now without changing the schedule.',
    world: { KmsLabScenario: 1, Accounts: { [A]: { Keys: [{ KeyId: APP, Aliases: ['alias/app'] }] } } },
    goals: [
      check('automatic rotation every 90 days', (w) => {
        const r = keyOf(w, APP)?.rotation;
        return (r?.enabled === true && r.periodDays === 90) || need('EnableKeyRotation with 90 days');
      }),
      check(
        'an on-demand rotation',
        (w) =>
          (keyOf(w, APP)?.materials ?? []).some((m) => m.rotationType === 'ON_DEMAND') ||
          need('RotateKeyOnDemand'),
      ),
    ],
    hints: [
      { level: 'nudge', text: 'Two calls.' },
      { level: 'concept', text: 'Both take the key ID, not the alias.' },
      {
        level: 'call',
        text: '`enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })`, `rotateKeyOnDemand({ KeyId })`',
      },
    ],
    solution: `await kms.enableKeyRotation({ KeyId: '${APP}', RotationPeriodInDays: 90 });
await kms.rotateKeyOnDemand({ KeyId: '${APP}' });
`,
    par: 2,
  },
  {
    kind: 'hands-on',
    id: 's3-two-key-access',
    title: 'AccessDenied on an S3 download',
    prompt:
      'User `Reader` may `s3:GetObject` from bucket `docs`, yet downloads of `report.txt` fail. The bucket uses SSE-KMS ' +
      'with `alias/docs`. Fix it with the least privilege and download the object as Reader.',
    tags: {
      areas: ['services', 'iam'],
      domains: ['SCS: Data Protection', 'SCS: Identity and Access Management'],
    },
    explanation:
      'SSE-KMS needs two permissions: the S3 action and kms:Decrypt on the key for the same caller (S3 calls KMS on their behalf, ' +
      'with kms:ViaService s3).',
    world: {
      KmsLabScenario: 1,
      Accounts: {
        [A]: {
          Users: [
            {
              UserName: 'Reader',
              InlinePolicies: {
                s3: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::docs/*' }],
                },
              },
            },
          ],
          Keys: [{ KeyId: DOCS, Aliases: ['alias/docs'] }],
        },
      },
    },
    setup: `await s3.createBucket({ Bucket: 'docs' });
await s3.putBucketEncryption({ Bucket: 'docs', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/docs' } }] } });
await s3.putObject({ Bucket: 'docs', Key: 'report.txt', Body: lab.utf8('numbers') });`,
    goals: [
      check(
        'S3 decrypted for Reader (a successful Decrypt by Reader via S3)',
        (w) =>
          events(w, 'Decrypt', { ok: true, by: ':user/Reader' }).length > 0 || need('a download by Reader'),
      ),
    ],
    hints: [
      { level: 'nudge', text: 'Who calls KMS when Reader downloads?' },
      { level: 'concept', text: 'S3 calls KMS as Reader: Reader needs kms:Decrypt on the key.' },
      {
        level: 'call',
        text: "`iam.putUserPolicy({ UserName: 'Reader', PolicyName: 'kms', PolicyDocument })` with kms:Decrypt on the key ARN",
      },
    ],
    solution: `await iam.putUserPolicy({
  UserName: 'Reader',
  PolicyName: 'decrypt-docs',
  PolicyDocument: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:${A}:key/${DOCS}' }],
  }),
});
const reader = lab.clients({ principal: 'arn:aws:iam::${A}:user/Reader' });
const { Body } = await reader.s3.getObject({ Bucket: 'docs', Key: 'report.txt' });
console.log(lab.text(Body));
`,
    par: 2,
  },
  {
    kind: 'hands-on',
    id: 'contain-leak',
    title: 'Contain a leaked credential, reversibly',
    prompt:
      'Credentials that can use `alias/secrets` leaked. Stop every use of that key immediately, in a way you can undo ' +
      'once the investigation is over.',
    tags: { areas: ['key-states'], domains: ['SCS: Incident Response'] },
    explanation:
      'DisableKey stops all cryptographic use at once and is reversible; scheduling deletion risks losing every ciphertext.',
    world: {
      KmsLabScenario: 1,
      Accounts: { [A]: { Keys: [{ KeyId: SECRETS, Aliases: ['alias/secrets'] }] } },
    },
    goals: [
      check(
        'the secrets key is Disabled',
        (w) => keyOf(w, SECRETS)?.state === 'Disabled' || need('DisableKey'),
      ),
      check(
        'no deletion was scheduled',
        (w) =>
          events(w, 'ScheduleKeyDeletion', { ok: true }).length === 0 ||
          'deletion is not reversible after the waiting period',
      ),
    ],
    hints: [
      { level: 'nudge', text: 'The reversible off switch.' },
      { level: 'concept', text: 'Disabled keys refuse every cryptographic operation.' },
      { level: 'call', text: `\`await kms.disableKey({ KeyId: '${SECRETS}' })\`` },
    ],
    solution: `await kms.disableKey({ KeyId: '${SECRETS}' });
`,
    par: 1,
  },
];
