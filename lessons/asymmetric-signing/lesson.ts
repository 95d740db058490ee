import { check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

export const lesson: Lesson = {
  id: 'asymmetric-signing',
  title: 'Asymmetric keys: sign in KMS, verify anywhere',
  intro:
    'An asymmetric KMS key is a key pair. The private key never leaves KMS; the public key can be ' +
    'downloaded with GetPublicKey and used by anyone, without AWS credentials, to verify signatures (or to ' +
    'encrypt, for RSA encryption keys). A key pair is for signing or for encryption, never both.',
  tags: { areas: ['asymmetric'], domains: ['SCS: Data Protection'] },
  world: { KmsLabScenario: 1, Accounts: { '111122223333': {} } },
  steps: [
    {
      id: 'create-signing-key',
      text: 'Create an `ECC_NIST_P256` key for `SIGN_VERIFY` and call it `alias/release-signing`.',
      check: check('alias/release-signing names an ECC_NIST_P256 SIGN_VERIFY key', (w) => {
        const k = keyOf(w, 'alias/release-signing');
        if (!k) return need('an alias alias/release-signing');
        return (
          (k.keySpec === 'ECC_NIST_P256' && k.keyUsage === 'SIGN_VERIFY') ||
          'the key must be ECC_NIST_P256 with SIGN_VERIFY'
        );
      }),
      hints: [
        { level: 'nudge', text: 'CreateKey takes the key spec and the key usage.' },
        {
          level: 'concept',
          text: 'KeySpec ECC_NIST_P256 signs with ECDSA_SHA_256; KeyUsage must be SIGN_VERIFY.',
        },
        {
          level: 'call',
          text: "`await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })`, then createAlias",
        },
      ],
    },
    {
      id: 'sign',
      text: 'Sign the message `release 1.0` with `ECDSA_SHA_256` (MessageType `RAW`: KMS hashes it for you).',
      check: check('a successful Sign with the release-signing key', (w) => {
        const k = keyOf(w, 'alias/release-signing');
        return (
          (!!k && events(w, 'Sign', { ok: true, keyArn: k.arn }).length > 0) ||
          need('a Sign call with alias/release-signing')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Sign needs a key, a message and an algorithm.' },
        {
          level: 'concept',
          text: 'RAW messages up to 4 KB are hashed by KMS; for larger data, send a DIGEST.',
        },
        {
          level: 'call',
          text: "`await kms.sign({ KeyId: 'alias/release-signing', Message: lab.utf8('release 1.0'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })`",
        },
      ],
    },
    {
      id: 'public-key',
      text:
        'Download the public key and verify the signature outside KMS (WebCrypto). KMS returns DER-encoded ' +
        'ECDSA signatures; WebCrypto wants the raw `r‖s` form.',
      check: check('a successful GetPublicKey of the release-signing key', (w) => {
        const k = keyOf(w, 'alias/release-signing');
        return (
          (!!k && events(w, 'GetPublicKey', { ok: true, keyArn: k.arn }).length > 0) || need('GetPublicKey')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Whoever verifies needs the public half only.' },
        {
          level: 'concept',
          text: 'GetPublicKey returns a DER SubjectPublicKeyInfo: WebCrypto imports it as `spki`.',
        },
        {
          level: 'call',
          text: "`const { PublicKey } = await kms.getPublicKey({ KeyId: 'alias/release-signing' })`",
        },
      ],
    },
    {
      id: 'tampered',
      text: 'Ask KMS to Verify the signature against a tampered message, `release 1.1`. It must refuse.',
      check: check(
        'a Verify that failed with KMSInvalidSignatureException',
        (w) =>
          events(w, 'Verify', { ok: 'KMSInvalidSignatureException' }).length > 0 ||
          need('a Verify of a tampered message'),
      ),
      hints: [
        { level: 'nudge', text: 'Same signature, different message.' },
        { level: 'concept', text: 'Verify throws KMSInvalidSignatureException rather than returning false.' },
        {
          level: 'call',
          text: "`await kms.verify({ KeyId: 'alias/release-signing', Message: lab.utf8('release 1.1'), MessageType: 'RAW', Signature, SigningAlgorithm: 'ECDSA_SHA_256' })`",
        },
      ],
    },
  ],
  solution: `const { KeyMetadata } = await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
await kms.createAlias({ AliasName: 'alias/release-signing', TargetKeyId: KeyMetadata.KeyId });
const message = lab.utf8('release 1.0');
const { Signature } = await kms.sign({
  KeyId: 'alias/release-signing', Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256',
});

// Verify outside KMS: DER SEQUENCE { INTEGER r, INTEGER s } → 64-byte r‖s for WebCrypto.
const { PublicKey } = await kms.getPublicKey({ KeyId: 'alias/release-signing' });
const der = Signature;
const int = (at) => {
  const len = der[at + 1];
  let bytes = der.subarray(at + 2, at + 2 + len);
  while (bytes.length > 32 && bytes[0] === 0) bytes = bytes.subarray(1);
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return { out, next: at + 2 + len };
};
const r = int(2);
const s = int(r.next);
const raw = new Uint8Array([...r.out, ...s.out]);
const pub = await crypto.subtle.importKey('spki', PublicKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, raw, message);
if (!valid) throw new Error('the signature should verify outside KMS');

try {
  await kms.verify({
    KeyId: 'alias/release-signing', Message: lab.utf8('release 1.1'), MessageType: 'RAW',
    Signature, SigningAlgorithm: 'ECDSA_SHA_256',
  });
} catch (e) {
  console.log('tampered:', e.name);
}
`,
  par: 5,
  minutes: 6,
};
