import { check, events, need } from '../../src/learn/checks.ts';
import type { KeyView } from '../../src/kms/index.ts';
import type { Lesson, WorldView } from '../../src/learn/types.ts';

const byok = (w: WorldView): KeyView | undefined =>
  w.keys.find((k) => k.origin === 'EXTERNAL' && k.accountId === '111122223333');

export const lesson: Lesson = {
  id: 'import-key-material',
  title: 'Importing key material (BYOK)',
  intro:
    'With origin EXTERNAL you bring the key material: KMS gives you a wrapping public key and an import ' +
    'token (valid 24 hours), you wrap your 256-bit material with it and upload it, optionally with an ' +
    'expiry. You own durability: if the material expires or is deleted, only re-importing the same bytes ' +
    'brings the key back.',
  tags: { areas: ['import'], domains: ['SCS: Data Protection', 'SCS: Security Foundations and Governance'] },
  world: { KmsLabScenario: 1, Accounts: { '111122223333': {} } },
  steps: [
    {
      id: 'external-key',
      text: 'Create a key with origin `EXTERNAL` and alias `alias/byok`. It starts in PendingImport.',
      check: check(
        'a key with origin EXTERNAL exists',
        (w) => !!byok(w) || need('CreateKey with Origin EXTERNAL'),
      ),
      hints: [
        { level: 'nudge', text: 'The origin is chosen when the key is created and never changes.' },
        { level: 'concept', text: 'Origin EXTERNAL: KMS makes the key without material.' },
        { level: 'call', text: "`await kms.createKey({ Origin: 'EXTERNAL' })`" },
      ],
    },
    {
      id: 'import',
      text:
        'Get the import parameters (`RSAES_OAEP_SHA_256`, `RSA_2048`), wrap 32 random bytes with the public key ' +
        '(WebCrypto RSA-OAEP with SHA-256), and import them so that they expire in 30 days.',
      check: check('the EXTERNAL key is Enabled with material that expires', (w) => {
        const k = byok(w);
        const m = k?.materials.find((x) => x.imported?.importState === 'IMPORTED');
        return (
          (k?.state === 'Enabled' && m?.imported?.expirationModel === 'KEY_MATERIAL_EXPIRES') ||
          need('ImportKeyMaterial with ExpirationModel KEY_MATERIAL_EXPIRES and a ValidTo')
        );
      }),
      hints: [
        { level: 'nudge', text: 'GetParametersForImport, wrap, ImportKeyMaterial.' },
        {
          level: 'concept',
          text: 'The public key is DER SPKI: `crypto.subtle.importKey("spki", …, { name: "RSA-OAEP", hash: "SHA-256" })`.',
        },
        {
          level: 'call',
          text: "`await kms.importKeyMaterial({ KeyId, ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(clock.now().getTime() + 30 * 86400000) })`",
        },
      ],
    },
    {
      id: 'expired',
      text: 'Let 31 days pass. KMS deletes the expired material; the key goes back to PendingImport.',
      check: check(
        'KMS deleted the expired material',
        (w) =>
          w.trail.some((r) => r.eventName === 'DeleteExpiredKeyMaterial') ||
          need('the material to expire (advance the clock)'),
      ),
      hints: [
        { level: 'nudge', text: 'The clock.' },
        { level: 'concept', text: 'Expiry is a service event in CloudTrail: DeleteExpiredKeyMaterial.' },
        { level: 'call', text: '`await clock.advance({ days: 31 })`' },
      ],
    },
    {
      id: 'reimport',
      text: 'Re-import the same material (new parameters needed), this time without expiry. Old ciphertexts decrypt again.',
      check: check('the EXTERNAL key is Enabled again with material that does not expire', (w) => {
        const k = byok(w);
        const again = events(w, 'ImportKeyMaterial', { ok: true }).length >= 2;
        const m = k?.materials.find((x) => x.imported?.importState === 'IMPORTED');
        return (
          (again &&
            k?.state === 'Enabled' &&
            m?.imported?.expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') ||
          need('a second ImportKeyMaterial with KEY_MATERIAL_DOES_NOT_EXPIRE')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Import tokens expire after 24 hours, so ask again.' },
        { level: 'concept', text: 'Only the same bytes fit: a key cannot get different material.' },
        {
          level: 'call',
          text: "`importKeyMaterial({ …, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })`",
        },
      ],
    },
  ],
  solution: `const { KeyMetadata } = await kms.createKey({ Origin: 'EXTERNAL', Description: 'BYOK' });
const KeyId = KeyMetadata.KeyId;
await kms.createAlias({ AliasName: 'alias/byok', TargetKeyId: KeyId });
const material = crypto.getRandomValues(new Uint8Array(32)); // keep it safe: you own durability

const upload = async (expiry) => {
  const { ImportToken, PublicKey } = await kms.getParametersForImport({
    KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048',
  });
  const wrapping = await crypto.subtle.importKey('spki', PublicKey, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const EncryptedKeyMaterial = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrapping, material));
  await kms.importKeyMaterial({ KeyId, ImportToken, EncryptedKeyMaterial, ...expiry });
};
await upload({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(clock.now().getTime() + 30 * 86400000) });
const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/byok', Plaintext: lab.utf8('kept') });
await clock.advance({ days: 31 });
await upload({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
await kms.decrypt({ CiphertextBlob });
`,
  par: 8,
  minutes: 8,
};
