import { check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const cli = (ua: string) => ua.startsWith('aws-cli/');

export const lesson: Lesson = {
  id: 'cli-and-sdk',
  title: 'The same calls from the AWS CLI and the SDK',
  intro:
    'Every way to call KMS — console, CLI, SDK — ends in the same API. The CLI turns `--kebab-case` options ' +
    "into the API's members, reads binary input with `fileb://` and prints base64 for blobs; the SDK takes " +
    "and returns bytes. The trail's userAgent tells them apart.",
  tags: { areas: ['cli-sdk', 'cloudtrail'], domains: ['SCS: Security Foundations and Governance'] },
  world: { KmsLabScenario: 1, Accounts: { '111122223333': {} } },
  steps: [
    {
      id: 'cli-create',
      text: 'With the CLI, create a key and the alias `alias/cli-demo` (`aws kms create-key`, `aws kms create-alias`).',
      check: check('alias/cli-demo names a key created from the CLI', (w) => {
        const k = keyOf(w, 'alias/cli-demo');
        if (!k) return need('alias/cli-demo');
        return (
          events(w, 'CreateKey', { ok: true, keyArn: k.arn }).some((r) => cli(r.userAgent)) ||
          'create the key with aws kms create-key'
        );
      }),
      hints: [
        { level: 'nudge', text: 'In the terminal, or `lab.cli("aws kms …")` in a script.' },
        {
          level: 'concept',
          text: '`--query KeyMetadata.KeyId --output text` prints just the ID; `$(…)` is not needed: use a variable.',
        },
        {
          level: 'call',
          text: '`aws kms create-key --description demo` then `aws kms create-alias --alias-name alias/cli-demo --target-key-id <KeyId>`',
        },
      ],
    },
    {
      id: 'cli-encrypt',
      text: 'With the CLI, encrypt the file `note.txt` under `alias/cli-demo` and save the ciphertext (base64-decoded) to `note.enc`.',
      check: check('a successful Encrypt from the CLI with the cli-demo key', (w) => {
        const k = keyOf(w, 'alias/cli-demo');
        return (
          (!!k && events(w, 'Encrypt', { ok: true, keyArn: k.arn }).some((r) => cli(r.userAgent))) ||
          need('aws kms encrypt')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Binary input: `fileb://`.' },
        {
          level: 'concept',
          text: 'The CLI prints blobs as base64; `--query CiphertextBlob --output text | base64 --decode` gives bytes.',
        },
        {
          level: 'call',
          text: '`aws kms encrypt --key-id alias/cli-demo --plaintext fileb://note.txt --query CiphertextBlob --output text`',
        },
      ],
    },
    {
      id: 'sdk-decrypt',
      text: "From a script (the SDK), decrypt that ciphertext. Compare the two records' userAgent in the trail.",
      check: check('a successful Decrypt with the cli-demo key that did not come from the CLI', (w) => {
        const k = keyOf(w, 'alias/cli-demo');
        return (
          (!!k && events(w, 'Decrypt', { ok: true, keyArn: k.arn }).some((r) => !cli(r.userAgent))) ||
          need('Decrypt from the SDK')
        );
      }),
      hints: [
        { level: 'nudge', text: "The scratchpad's `kms` client." },
        { level: 'concept', text: 'The SDK wants the ciphertext as bytes, not base64 text.' },
        { level: 'call', text: '`await kms.decrypt({ CiphertextBlob: lab.fromBase64(base64Text) })`' },
      ],
    },
  ],
  solution: `lab.files.write('note.txt', lab.utf8('meet at noon'));
const created = await lab.cli('aws kms create-key --description demo --query KeyMetadata.KeyId --output text');
const keyId = created.stdout.trim();
await lab.cli(\`aws kms create-alias --alias-name alias/cli-demo --target-key-id \${keyId}\`);
const enc = await lab.cli('aws kms encrypt --key-id alias/cli-demo --plaintext fileb://note.txt --query CiphertextBlob --output text');
const { Plaintext } = await kms.decrypt({ CiphertextBlob: lab.fromBase64(enc.stdout.trim()) });
console.log(lab.text(Plaintext));
`,
  par: 4,
  minutes: 5,
};
