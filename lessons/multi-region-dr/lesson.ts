import { check, events, keyOf, need, recordTime } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const MRK = 'mrk-1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6';
const east = `arn:aws:kms:us-east-1:111122223333:key/${MRK}`;
const west = `arn:aws:kms:us-west-2:111122223333:key/${MRK}`;

export const lesson: Lesson = {
  id: 'multi-region-dr',
  title: 'Multi-Region keys for disaster recovery',
  intro:
    'A KMS key never leaves its Region. A multi-Region key is a set of related keys in several Regions with ' +
    'the same key ID and key material, so a ciphertext from one Region decrypts in another without a ' +
    'cross-Region call. Aliases, policies, grants and enabled state stay independent per Region. The same ' +
    'property serves DynamoDB global tables with client-side encryption and active-active applications.',
  tags: { areas: ['multi-region'], domains: ['SCS: Data Protection', 'SAA: Design Secure Architectures'] },
  world: {
    KmsLabScenario: 1,
    Accounts: { '111122223333': { Keys: [{ KeyId: MRK, MultiRegion: true, Aliases: ['alias/orders'] }] } },
  },
  steps: [
    {
      id: 'replicate',
      text: 'Replicate the multi-Region key `alias/orders` into us-west-2 and let it finish creating (about a minute).',
      check: check(
        'an Enabled replica of the key in us-west-2',
        (w) =>
          keyOf(w, MRK, 'us-west-2')?.state === 'Enabled' || need('ReplicateKey to us-west-2, then wait'),
      ),
      hints: [
        { level: 'nudge', text: 'The primary makes its replicas.' },
        {
          level: 'concept',
          text: "ReplicateKey runs in the primary's Region; the replica is Creating, then Enabled.",
        },
        {
          level: 'call',
          text: `\`await kms.replicateKey({ KeyId: '${MRK}', ReplicaRegion: 'us-west-2' }); await clock.advance(60)\``,
        },
      ],
    },
    {
      id: 'alias',
      text: 'Aliases are Regional: create `alias/orders` in us-west-2 for the replica.',
      check: check(
        'alias/orders in us-west-2 names the replica',
        (w) => keyOf(w, 'alias/orders', 'us-west-2')?.keyId === MRK || need('alias/orders in us-west-2'),
      ),
      hints: [
        { level: 'nudge', text: 'Use a client for the other Region.' },
        {
          level: 'concept',
          text: 'Nothing but the key material and ID is shared; aliases are made per Region.',
        },
        {
          level: 'call',
          text:
            "`await lab.as({ region: 'us-west-2' }).createAlias({ AliasName: 'alias/orders', TargetKeyId: '" +
            MRK +
            "' })`",
        },
      ],
    },
    {
      id: 'failover',
      text: 'Encrypt in us-east-1; then, as if us-east-1 were down, decrypt that ciphertext in us-west-2.',
      check: check('an Encrypt in us-east-1 followed by a Decrypt in us-west-2 with the related key', (w) => {
        const enc = events(w, 'Encrypt', { ok: true, keyArn: east })[0];
        if (!enc) return need('Encrypt with the key in us-east-1');
        return (
          events(w, 'Decrypt', { ok: true, keyArn: west, after: recordTime(enc) }).length > 0 ||
          need('Decrypt in us-west-2')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Two clients, two Regions, one ciphertext.' },
        { level: 'concept', text: 'The ciphertext names the key ID, which is the same in both Regions.' },
        { level: 'call', text: "`await lab.as({ region: 'us-west-2' }).decrypt({ CiphertextBlob })`" },
      ],
    },
    {
      id: 'promote',
      text: 'Make us-west-2 the primary Region, so that it can replicate and rotate for the set.',
      check: check(
        'the us-west-2 key is the primary',
        (w) =>
          keyOf(w, MRK, 'us-west-2')?.multiRegionInfo?.type === 'PRIMARY' ||
          need('UpdatePrimaryRegion to us-west-2'),
      ),
      hints: [
        { level: 'nudge', text: 'Call it on the current primary.' },
        { level: 'concept', text: 'UpdatePrimaryRegion takes a while: both keys are Updating meanwhile.' },
        {
          level: 'call',
          text: `\`await kms.updatePrimaryRegion({ KeyId: '${MRK}', PrimaryRegion: 'us-west-2' }); await clock.advance(60)\``,
        },
      ],
    },
  ],
  solution: `await kms.replicateKey({ KeyId: '${MRK}', ReplicaRegion: 'us-west-2' });
await clock.advance(60);
const oregon = lab.as({ region: 'us-west-2' });
await oregon.createAlias({ AliasName: 'alias/orders', TargetKeyId: '${MRK}' });
const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/orders', Plaintext: lab.utf8('order 77') });
const { Plaintext } = await oregon.decrypt({ KeyId: 'alias/orders', CiphertextBlob });
console.log(lab.text(Plaintext));
await kms.updatePrimaryRegion({ KeyId: '${MRK}', PrimaryRegion: 'us-west-2' });
await clock.advance(120);
`,
  par: 5,
  minutes: 7,
};
