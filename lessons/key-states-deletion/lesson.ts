import { all, check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const LEGACY = '8d4e5f60-3142-4d5e-9f60-7b8c9d0e1f20';
const CRITICAL = '9e5f6071-4253-4e6f-8071-8c9d0e1f2031';

export const lesson: Lesson = {
  id: 'key-states-deletion',
  title: 'Key states: disable, schedule deletion, cancel',
  intro:
    'Deleting a KMS key destroys its material and makes every ciphertext under it unrecoverable, so KMS ' +
    'waits 7–30 days (PendingDeletion) before it does, and you can cancel meanwhile. Disabling is the ' +
    'reversible way to stop a key being used. Someone scheduled `alias/critical` for deletion by mistake.',
  tags: { areas: ['key-states'], domains: ['SCS: Data Protection', 'SCS: Incident Response'] },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': {
        Keys: [
          { KeyId: LEGACY, Aliases: ['alias/legacy'], Description: 'No longer used' },
          { KeyId: CRITICAL, Aliases: ['alias/critical'], Description: 'Protects the customer database' },
        ],
      },
    },
  },
  setup: `await kms.scheduleKeyDeletion({ KeyId: '${CRITICAL}', PendingWindowInDays: 30 });`,
  steps: [
    {
      id: 'disable',
      text: 'Disable `alias/legacy`, then see an Encrypt with it fail.',
      check: all(
        'the legacy key is Disabled and an Encrypt with it failed with DisabledException',
        (w) => keyOf(w, LEGACY)?.state === 'Disabled' || need('DisableKey on the legacy key'),
        (w) =>
          events(w, 'Encrypt', { ok: 'DisabledException' }).length > 0 ||
          need('an Encrypt with the disabled key'),
      ),
      hints: [
        { level: 'nudge', text: 'Disabling is one call; then try to use the key.' },
        {
          level: 'concept',
          text: 'A disabled key refuses cryptographic operations with DisabledException; EnableKey undoes it.',
        },
        { level: 'call', text: "`await kms.disableKey({ KeyId: '" + LEGACY + "' })`" },
      ],
    },
    {
      id: 'rescue',
      text: 'Rescue `alias/critical`: cancel its deletion and make it usable again.',
      check: all(
        'the deletion of the critical key was cancelled and the key is Enabled',
        (w) => events(w, 'CancelKeyDeletion', { ok: true }).length > 0 || need('CancelKeyDeletion'),
        (w) => keyOf(w, CRITICAL)?.state === 'Enabled' || 'a cancelled key comes back Disabled: enable it',
      ),
      hints: [
        { level: 'nudge', text: 'Two calls: cancelling is not the end.' },
        { level: 'concept', text: 'CancelKeyDeletion leaves the key Disabled, on purpose.' },
        {
          level: 'call',
          text:
            "`await kms.cancelKeyDeletion({ KeyId: '" +
            CRITICAL +
            "' }); await kms.enableKey({ KeyId: '" +
            CRITICAL +
            "' })`",
        },
      ],
    },
    {
      id: 'schedule',
      text: 'Schedule `alias/legacy` for deletion with the shortest waiting period.',
      check: check('the legacy key is PendingDeletion with a 7-day window', (w) => {
        const k = keyOf(w, LEGACY);
        if (!k)
          return events(w, 'ScheduleKeyDeletion', { ok: true }).length > 0 || need('ScheduleKeyDeletion');
        return (
          (k.state === 'PendingDeletion' && k.pendingWindowInDays === 7) ||
          need('ScheduleKeyDeletion with PendingWindowInDays 7')
        );
      }),
      hints: [
        { level: 'nudge', text: 'The waiting period is a parameter.' },
        { level: 'concept', text: 'PendingWindowInDays: 7 to 30 (default 30).' },
        {
          level: 'call',
          text: "`await kms.scheduleKeyDeletion({ KeyId: '" + LEGACY + "', PendingWindowInDays: 7 })`",
        },
      ],
    },
    {
      id: 'deleted',
      text: 'Let the week pass. The key, its material and its alias are gone for good.',
      check: check(
        'the legacy key no longer exists',
        (w) => !keyOf(w, LEGACY) || need('the key deleted (advance the clock 7 days)'),
      ),
      hints: [
        { level: 'nudge', text: 'Only time finishes a deletion.' },
        { level: 'concept', text: 'At the deletion date KMS deletes the key and its aliases.' },
        { level: 'call', text: '`await clock.advance({ days: 7 })`' },
      ],
    },
  ],
  solution: `await kms.disableKey({ KeyId: '${LEGACY}' });
try {
  await kms.encrypt({ KeyId: 'alias/legacy', Plaintext: lab.utf8('x') });
} catch (e) {
  console.log(e.name); // DisabledException
}
await kms.cancelKeyDeletion({ KeyId: '${CRITICAL}' });
await kms.enableKey({ KeyId: '${CRITICAL}' });
await kms.scheduleKeyDeletion({ KeyId: '${LEGACY}', PendingWindowInDays: 7 });
await clock.advance({ days: 7, minutes: 1 });
`,
  par: 5,
  minutes: 5,
};
