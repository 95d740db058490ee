import { all, check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const appKey = (w: Parameters<typeof keyOf>[0]) => keyOf(w, 'alias/app');

export const lesson: Lesson = {
  id: 'envelope-encryption',
  title: 'Symmetric keys and envelope encryption',
  intro:
    'A KMS key never leaves KMS, and Encrypt takes at most 4 KB. To protect real data you ask KMS for a ' +
    'data key, encrypt locally with it, keep only its encrypted copy next to the data, and ask KMS to ' +
    'decrypt that copy when you need the data again: envelope encryption.',
  tags: {
    areas: ['symmetric', 'envelope-encryption'],
    domains: ['SCS: Data Protection', 'SAA: Design Secure Architectures'],
  },
  world: { KmsLabScenario: 1, Description: 'An empty account.', Accounts: { '111122223333': {} } },
  steps: [
    {
      id: 'create-key',
      text: 'Create a symmetric encryption key (the default `SYMMETRIC_DEFAULT`, AES-256-GCM) and name it `alias/app`.',
      check: check('alias/app names an enabled SYMMETRIC_DEFAULT key you manage', (w) => {
        const k = appKey(w);
        if (!k) return need('an alias alias/app pointing at a key');
        return (
          (k.keySpec === 'SYMMETRIC_DEFAULT' && k.keyManager === 'CUSTOMER' && k.state === 'Enabled') ||
          'alias/app must name an enabled, customer managed SYMMETRIC_DEFAULT key'
        );
      }),
      hints: [
        { level: 'nudge', text: 'Two calls: one makes the key, one gives it a friendly name.' },
        {
          level: 'concept',
          text: 'CreateKey with no parameters makes a symmetric encryption key; aliases start with `alias/`.',
        },
        {
          level: 'call',
          text: "`const { KeyMetadata } = await kms.createKey({}); await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId });`",
        },
      ],
    },
    {
      id: 'data-key',
      text:
        'Ask for a 256-bit data key under `alias/app`. You get it twice: `Plaintext` (use it, then forget it) ' +
        'and `CiphertextBlob` (store it with the data).',
      check: check('a successful GenerateDataKey with the alias/app key', (w) => {
        const k = appKey(w);
        return (
          (!!k && events(w, 'GenerateDataKey', { ok: true, keyArn: k.arn }).length > 0) ||
          need('GenerateDataKey with alias/app')
        );
      }),
      hints: [
        { level: 'nudge', text: 'KMS generates the data key for you: you do not make it yourself.' },
        { level: 'concept', text: 'GenerateDataKey needs a KeySpec (AES_256) or NumberOfBytes.' },
        {
          level: 'call',
          text: "`const dk = await kms.generateDataKey({ KeyId: 'alias/app', KeySpec: 'AES_256' });`",
        },
      ],
    },
    {
      id: 'decrypt-data-key',
      text:
        'Later, to read the data, decrypt the stored `CiphertextBlob`. A symmetric ciphertext says which key ' +
        'made it, so Decrypt needs no KeyId (passing one is still good practice).',
      check: all('a successful Decrypt with the alias/app key after a GenerateDataKey', (w) => {
        const k = appKey(w);
        const gen = k && events(w, 'GenerateDataKey', { ok: true, keyArn: k.arn })[0];
        if (!k || !gen) return need('a data key from alias/app first');
        return (
          events(w, 'Decrypt', { ok: true, keyArn: k.arn, after: Date.parse(gen.eventTime) }).length > 0 ||
          need('Decrypt of the encrypted data key')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Which of the two copies of the data key can you keep on disk?' },
        {
          level: 'concept',
          text: 'Decrypt takes the CiphertextBlob from GenerateDataKey and returns the same Plaintext.',
        },
        {
          level: 'call',
          text: '`const { Plaintext } = await kms.decrypt({ CiphertextBlob: dk.CiphertextBlob });`',
        },
      ],
    },
  ],
  solution: `const { KeyMetadata } = await kms.createKey({ Description: 'Wraps the data keys of the app' });
await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId });

// Envelope encryption: a fresh data key per object.
const dk = await kms.generateDataKey({ KeyId: 'alias/app', KeySpec: 'AES_256' });
const aes = await crypto.subtle.importKey('raw', dk.Plaintext, 'AES-GCM', false, ['encrypt', 'decrypt']);
const iv = crypto.getRandomValues(new Uint8Array(12));
const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, lab.utf8('a large document…'));
// Store { sealed, iv, encryptedKey: dk.CiphertextBlob }; drop dk.Plaintext.

const { Plaintext } = await kms.decrypt({ KeyId: 'alias/app', CiphertextBlob: dk.CiphertextBlob });
const again = await crypto.subtle.importKey('raw', Plaintext, 'AES-GCM', false, ['decrypt']);
console.log(lab.text(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, again, sealed))));
`,
  par: 4,
  minutes: 5,
};
