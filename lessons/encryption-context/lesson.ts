import { check, events, need, recordContext } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const KEY = '0b1e7c2a-4d3f-4a5b-9c8d-1e2f3a4b5c6d';
const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;

export const lesson: Lesson = {
  id: 'encryption-context',
  title: 'Encryption context: authenticated, logged, not secret',
  intro:
    'An encryption context is a set of key–value pairs bound to a ciphertext as additional authenticated ' +
    'data. Decrypt succeeds only with exactly the same context, and CloudTrail logs it, so it tells auditors ' +
    'which data a call was about. Never put secrets in it.',
  tags: { areas: ['encryption-context', 'symmetric'], domains: ['SCS: Data Protection'] },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': { Keys: [{ KeyId: KEY, Description: 'Order data', Aliases: ['alias/orders'] }] },
    },
  },
  steps: [
    {
      id: 'encrypt-with-context',
      text: 'Encrypt the text `ship to Alice` under `alias/orders` with the encryption context `{"order": "1234"}`.',
      check: check(
        'a successful Encrypt with the orders key and context order=1234',
        (w) =>
          events(w, 'Encrypt', { ok: true, keyArn: arn }).some((r) => recordContext(r)['order'] === '1234') ||
          need('Encrypt with EncryptionContext {"order": "1234"}'),
      ),
      hints: [
        { level: 'nudge', text: 'Encrypt takes an optional member for the context.' },
        {
          level: 'concept',
          text: 'EncryptionContext is a map of strings; it is authenticated, not encrypted.',
        },
        {
          level: 'call',
          text: "`await kms.encrypt({ KeyId: 'alias/orders', Plaintext: lab.utf8('ship to Alice'), EncryptionContext: { order: '1234' } })`",
        },
      ],
    },
    {
      id: 'wrong-context',
      text: 'Try to decrypt that ciphertext with the context `{"order": "9999"}`. What does KMS answer?',
      check: check(
        'a Decrypt that failed with InvalidCiphertextException',
        (w) =>
          events(w, 'Decrypt', { ok: 'InvalidCiphertextException' }).length > 0 ||
          need('a Decrypt with a different context (it must fail)'),
      ),
      hints: [
        {
          level: 'nudge',
          text: 'Keep the CiphertextBlob from the previous step and change only the context.',
        },
        {
          level: 'concept',
          text: 'A different context means different authenticated data: the ciphertext looks invalid.',
        },
        {
          level: 'call',
          text: "`await kms.decrypt({ CiphertextBlob, EncryptionContext: { order: '9999' } })` inside try/catch",
        },
      ],
    },
    {
      id: 'right-context',
      text: 'Now decrypt it with the right context. Then look at the Decrypt record in the trail: the context is there.',
      check: check(
        'a successful Decrypt with the orders key and context order=1234',
        (w) =>
          events(w, 'Decrypt', { ok: true, keyArn: arn }).some((r) => recordContext(r)['order'] === '1234') ||
          need('Decrypt with EncryptionContext {"order": "1234"}'),
      ),
      hints: [
        { level: 'nudge', text: 'Exactly the same pairs, nothing more, nothing less.' },
        { level: 'concept', text: 'The context is not stored in the ciphertext: you must supply it again.' },
        {
          level: 'call',
          text: "`await kms.decrypt({ CiphertextBlob, EncryptionContext: { order: '1234' } })`",
        },
      ],
    },
  ],
  solution: `const { CiphertextBlob } = await kms.encrypt({
  KeyId: 'alias/orders',
  Plaintext: lab.utf8('ship to Alice'),
  EncryptionContext: { order: '1234' },
});
try {
  await kms.decrypt({ CiphertextBlob, EncryptionContext: { order: '9999' } });
} catch (e) {
  console.log('as expected:', e.name); // InvalidCiphertextException
}
const { Plaintext } = await kms.decrypt({ CiphertextBlob, EncryptionContext: { order: '1234' } });
console.log(lab.text(Plaintext));
`,
  par: 3,
  minutes: 4,
};
