import { check, events, keyOf, need, recordTime } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const KEY = '7c3d4e5f-2031-4c4d-8e5f-6a7b8c9d0e1f';
const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;
const ledger = (w: Parameters<typeof keyOf>[0]) => keyOf(w, KEY);

export const lesson: Lesson = {
  id: 'rotation',
  title: 'Key rotation: automatic and on demand',
  intro:
    'Rotating a KMS key gives it new key material and keeps every older material, so old ciphertexts still ' +
    'decrypt and nothing needs re-encrypting. Key ID, ARN, aliases and policy stay the same. Automatic rotation ' +
    'runs every 90–2560 days (365 by default); RotateKeyOnDemand rotates now (a few times per key).',
  tags: {
    areas: ['rotation'],
    domains: ['SCS: Data Protection', 'SCS: Security Foundations and Governance'],
  },
  world: {
    KmsLabScenario: 1,
    Accounts: { '111122223333': { Keys: [{ KeyId: KEY, Aliases: ['alias/ledger'] }] } },
  },
  steps: [
    {
      id: 'before',
      text: 'Encrypt the text `entry 1` under `alias/ledger` and keep the ciphertext.',
      check: check(
        'a successful Encrypt with the ledger key',
        (w) =>
          events(w, 'Encrypt', { ok: true, keyArn: arn }).length > 0 || need('Encrypt with alias/ledger'),
      ),
      hints: [
        { level: 'nudge', text: 'A plain Encrypt call.' },
        { level: 'concept', text: 'The ciphertext records which material version encrypted it.' },
        {
          level: 'call',
          text: "`const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/ledger', Plaintext: lab.utf8('entry 1') })`",
        },
      ],
    },
    {
      id: 'automatic',
      text: 'Turn on automatic rotation every 180 days.',
      check: check('automatic rotation is on with a 180-day period', (w) => {
        const r = ledger(w)?.rotation;
        return (
          (r?.enabled === true && r.periodDays === 180) ||
          need('EnableKeyRotation with RotationPeriodInDays 180')
        );
      }),
      hints: [
        { level: 'nudge', text: 'One call, with a period.' },
        {
          level: 'concept',
          text: 'RotationPeriodInDays accepts 90 to 2560; rotation works for symmetric AWS_KMS keys only.',
        },
        {
          level: 'call',
          text: '`await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 180 })` (KeyId: the key ID, not the alias)',
        },
      ],
    },
    {
      id: 'on-demand',
      text: 'A colleague may have seen the material: rotate on demand, now.',
      check: check(
        'the ledger key has an ON_DEMAND rotation',
        (w) =>
          (ledger(w)?.materials ?? []).some((m) => m.rotationType === 'ON_DEMAND') ||
          need('RotateKeyOnDemand'),
      ),
      hints: [
        { level: 'nudge', text: 'There is an operation named for exactly this.' },
        { level: 'concept', text: 'On-demand rotation does not change the automatic schedule.' },
        { level: 'call', text: '`await kms.rotateKeyOnDemand({ KeyId })`' },
      ],
    },
    {
      id: 'old-still-decrypts',
      text: 'Decrypt the ciphertext from the first step. The old material is still there.',
      check: check('a successful Decrypt with the ledger key after it rotated', (w) => {
        const rotated = events(w, 'RotateKeyOnDemand', { ok: true, keyArn: arn })[0];
        if (!rotated) return need('a rotation first');
        return (
          events(w, 'Decrypt', { ok: true, keyArn: arn, after: recordTime(rotated) }).length > 0 ||
          need('Decrypt after the rotation')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Nothing to re-encrypt: just decrypt.' },
        { level: 'concept', text: 'KMS picks the material version recorded in the ciphertext.' },
        { level: 'call', text: '`await kms.decrypt({ CiphertextBlob })`' },
      ],
    },
    {
      id: 'time-passes',
      text: 'Let 180 days pass (`clock.advance({ days: 180 })`) and watch the automatic rotation happen.',
      check: check(
        'the ledger key has an AUTOMATIC rotation',
        (w) =>
          (ledger(w)?.materials ?? []).some((m) => m.rotationType === 'AUTOMATIC') ||
          need('an automatic rotation (advance the clock)'),
      ),
      hints: [
        { level: 'nudge', text: 'Time moves only when you move it.' },
        {
          level: 'concept',
          text: 'The next rotation date is set when you enable rotation; on-demand rotations do not move it.',
        },
        { level: 'call', text: '`await clock.advance({ days: 180 })`' },
      ],
    },
  ],
  solution: `const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: 'alias/ledger', Plaintext: lab.utf8('entry 1') });
await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 180 });
await kms.rotateKeyOnDemand({ KeyId });
const { Plaintext } = await kms.decrypt({ CiphertextBlob });
console.log(lab.text(Plaintext));
await clock.advance({ days: 180 });
`,
  par: 4,
  minutes: 6,
};
