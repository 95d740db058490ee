import { check, events, keyOf, need } from '../../src/learn/checks.ts';
import type { Lesson } from '../../src/learn/types.ts';

const KEY = '6b2c3d4e-1f20-4b3c-9d4e-5f6a7b8c9d0e';
const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;
const ROLE = 'arn:aws:iam::111122223333:role/transcoder';
const SESSION = ':assumed-role/transcoder/';

export const lesson: Lesson = {
  id: 'grants',
  title: 'Grants: temporary, narrow, delegable permissions',
  intro:
    'A grant gives one principal some operations on one key, optionally only for some encryption ' +
    'context, without editing the key policy. Services such as EBS use grants all the time. Grants are ' +
    'eventually consistent (a few minutes in AWS; 5 simulated minutes here); the grant token works at once.',
  tags: {
    areas: ['grants', 'encryption-context'],
    domains: ['SCS: Identity and Access Management', 'SCS: Data Protection'],
  },
  world: {
    KmsLabScenario: 1,
    Accounts: {
      '111122223333': {
        Roles: [{ RoleName: 'transcoder', Description: 'Has no KMS permissions of its own' }],
        Keys: [{ KeyId: KEY, Aliases: ['alias/media'] }],
      },
    },
  },
  steps: [
    {
      id: 'create-grant',
      text:
        "Give the role `transcoder` a grant on `alias/media`'s key for `GenerateDataKey` and `Decrypt`, only when " +
        'the encryption context contains `project=film`.',
      check: check(
        'a grant for role transcoder with GenerateDataKey and Decrypt, constrained to project=film',
        (w) => {
          const g = (keyOf(w, 'alias/media')?.grants ?? []).find((x) => x.granteePrincipal === ROLE);
          if (!g) return need('a grant whose GranteePrincipal is the transcoder role ARN');
          if (!g.operations.includes('Decrypt') || !g.operations.includes('GenerateDataKey'))
            return 'the grant must allow GenerateDataKey and Decrypt';
          const c = g.constraints?.EncryptionContextSubset ?? g.constraints?.EncryptionContextEquals;
          return c?.['project'] === 'film' || 'constrain the grant to the context project=film';
        },
      ),
      hints: [
        { level: 'nudge', text: 'CreateGrant needs a key ID (not an alias), a grantee and operations.' },
        {
          level: 'concept',
          text: 'Constraints: EncryptionContextSubset lets callers add more pairs; Equals does not.',
        },
        {
          level: 'call',
          text: "`await kms.createGrant({ KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:role/transcoder', Operations: ['GenerateDataKey', 'Decrypt'], Constraints: { EncryptionContextSubset: { project: 'film' } } })`",
        },
      ],
    },
    {
      id: 'use-token',
      text:
        'Right away, as `transcoder`, generate a data key with the context `project=film`. Pass the grant token: ' +
        'the grant has not propagated yet.',
      check: check(
        'a successful GenerateDataKey by the transcoder role with the media key',
        (w) =>
          events(w, 'GenerateDataKey', { ok: true, by: SESSION, keyArn: arn }).length > 0 ||
          need('GenerateDataKey as transcoder'),
      ),
      hints: [
        { level: 'nudge', text: 'CreateGrant returned two things. One of them is for right now.' },
        {
          level: 'concept',
          text: 'GrantTokens make a new grant effective immediately, before it is eventually consistent.',
        },
        {
          level: 'call',
          text: "`await lab.as({ principal: 'arn:aws:iam::111122223333:role/transcoder' }).generateDataKey({ KeyId: 'alias/media', KeySpec: 'AES_256', EncryptionContext: { project: 'film' }, GrantTokens: [GrantToken] })`",
        },
      ],
    },
    {
      id: 'retire',
      text: 'The job is done: retire the grant (the grantee can, with the token) so the permission does not linger.',
      check: check('a successful RetireGrant or RevokeGrant, and no grant for transcoder left', (w) => {
        const left = (keyOf(w, 'alias/media')?.grants ?? []).some((x) => x.granteePrincipal === ROLE);
        const done =
          events(w, 'RetireGrant', { ok: true }).length + events(w, 'RevokeGrant', { ok: true }).length > 0;
        return (done && !left) || need('the grant retired or revoked');
      }),
      hints: [
        {
          level: 'nudge',
          text: 'Retire is for the grantee or retiring principal; revoke is for administrators.',
        },
        {
          level: 'concept',
          text: 'RetireGrant accepts the GrantToken alone; RevokeGrant needs the key ID and grant ID.',
        },
        { level: 'call', text: '`await transcoder.retireGrant({ GrantToken })`' },
      ],
    },
  ],
  solution: `const { KeyMetadata } = await kms.describeKey({ KeyId: 'alias/media' });
const { GrantToken } = await kms.createGrant({
  KeyId: KeyMetadata.KeyId,
  GranteePrincipal: 'arn:aws:iam::111122223333:role/transcoder',
  Operations: ['GenerateDataKey', 'Decrypt', 'RetireGrant'],
  Constraints: { EncryptionContextSubset: { project: 'film' } },
  Name: 'transcode-job-42',
});
const transcoder = lab.as({ principal: 'arn:aws:iam::111122223333:role/transcoder' });
await transcoder.generateDataKey({
  KeyId: 'alias/media', KeySpec: 'AES_256', EncryptionContext: { project: 'film' }, GrantTokens: [GrantToken],
});
await transcoder.retireGrant({ GrantToken });
`,
  par: 4,
  minutes: 6,
};
