import { check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const MRK = 'mrk-2b3c4d5e6f7a48b9c0d1e2f3a4b5c6d7';
const eu = `arn:aws:kms:eu-west-1:111122223333:key/${MRK}`;
const us = `arn:aws:kms:us-east-1:111122223333:key/${MRK}`;

export const lesson: Lesson = {
  id: 'multi-region-signing',
  title: 'Multi-Region signing keys for global applications',
  intro:
    'A signing application deployed in several Regions can sign locally with a replica of the same ' +
    'multi-Region key, and every verifier trusts one public key. Asymmetric multi-Region keys work the same ' +
    'way as symmetric ones.',
  tags: {
    areas: ['multi-region', 'asymmetric'],
    domains: ['SCS: Data Protection', 'SAA: Design Secure Architectures'],
  },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': {
        Keys: [
          {
            KeyId: MRK,
            MultiRegion: true,
            KeySpec: 'ECC_NIST_P256',
            KeyUsage: 'SIGN_VERIFY',
            Aliases: ['alias/tokens'],
          },
        ],
      },
    },
  },
  steps: [
    {
      id: 'replicate',
      text: 'Replicate the signing key into eu-west-1 and wait until it is Enabled.',
      check: check(
        'an Enabled replica in eu-west-1',
        (w) =>
          keyOf(w, MRK, 'eu-west-1')?.state === 'Enabled' || need('ReplicateKey to eu-west-1, then wait'),
      ),
      hints: [
        { level: 'nudge', text: 'Same as for a symmetric key.' },
        { level: 'concept', text: 'The replica has the same key ID and the same key pair.' },
        {
          level: 'call',
          text: `\`await kms.replicateKey({ KeyId: '${MRK}', ReplicaRegion: 'eu-west-1' }); await clock.advance(60)\``,
        },
      ],
    },
    {
      id: 'sign-in-europe',
      text: 'Sign the message `token for Dana` in eu-west-1 with `ECDSA_SHA_256`.',
      check: check(
        'a successful Sign with the eu-west-1 replica',
        (w) => events(w, 'Sign', { ok: true, keyArn: eu }).length > 0 || need('Sign in eu-west-1'),
      ),
      hints: [
        { level: 'nudge', text: 'A client for eu-west-1; the key ID works there.' },
        { level: 'concept', text: 'Signing happens next to the application: no cross-Region latency.' },
        {
          level: 'call',
          text:
            "`await lab.as({ region: 'eu-west-1' }).sign({ KeyId: '" +
            MRK +
            "', Message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })`",
        },
      ],
    },
    {
      id: 'verify-in-us',
      text: 'Verify that signature in us-east-1 with the primary key.',
      check: check(
        'a successful Verify with the us-east-1 key',
        (w) => events(w, 'Verify', { ok: true, keyArn: us }).length > 0 || need('Verify in us-east-1'),
      ),
      hints: [
        { level: 'nudge', text: 'Same key ID, other Region.' },
        {
          level: 'concept',
          text: "Related keys share the key pair, so either verifies the other's signatures.",
        },
        {
          level: 'call',
          text:
            "`await kms.verify({ KeyId: '" +
            MRK +
            "', Message, MessageType: 'RAW', Signature, SigningAlgorithm: 'ECDSA_SHA_256' })`",
        },
      ],
    },
  ],
  solution: `await kms.replicateKey({ KeyId: '${MRK}', ReplicaRegion: 'eu-west-1' });
await clock.advance(60);
const Message = lab.utf8('token for Dana');
const { Signature } = await lab.as({ region: 'eu-west-1' }).sign({
  KeyId: '${MRK}', Message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256',
});
const { SignatureValid } = await kms.verify({
  KeyId: '${MRK}', Message, MessageType: 'RAW', Signature, SigningAlgorithm: 'ECDSA_SHA_256',
});
console.log(SignatureValid);
`,
  par: 3,
  minutes: 4,
};
