/**
 * The key state table (kms-api.md §4) for the implemented operations, in the states a simulated key
 * can reach today: Enabled, Disabled, PendingDeletion and PendingImport (Origin EXTERNAL). Each
 * refusal carries AWS's exception and message and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');

type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
const STATES: State[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];

interface World {
  kms: Kms;
  /** The key under test, in the requested state. */
  keyId: string;
  arn: string;
  /** A ciphertext of the key made while it was Enabled (none for PendingImport). */
  blob?: Uint8Array;
  /** An Enabled key, its alias and a ciphertext under it. */
  spare: { keyId: string; arn: string; blob: Uint8Array };
}

/** A fresh world with the key in `state`, `alias/k` pointing to it and `alias/spare` to the spare key. */
async function keyIn(state: State): Promise<World> {
  const kms = await createKms({ store: new MemoryStore(), startTime: START });
  const plaintext = new Uint8Array([1, 2, 3, 4]);
  const { KeyMetadata: s } = await kms.call('CreateKey', {});
  const spare = {
    keyId: s!.KeyId!,
    arn: s!.Arn!,
    blob: (await kms.call('Encrypt', { KeyId: s!.KeyId!, Plaintext: plaintext })).CiphertextBlob!,
  };
  await kms.call('CreateAlias', { AliasName: 'alias/spare', TargetKeyId: spare.keyId });
  const { KeyMetadata } = await kms.call(
    'CreateKey',
    state === 'PendingImport' ? { Origin: 'EXTERNAL' } : {},
  );
  const keyId = KeyMetadata!.KeyId!;
  await kms.call('CreateAlias', { AliasName: 'alias/k', TargetKeyId: keyId });
  const blob =
    state === 'PendingImport'
      ? undefined
      : (await kms.call('Encrypt', { KeyId: keyId, Plaintext: plaintext })).CiphertextBlob!;
  if (state === 'Disabled') await kms.call('DisableKey', { KeyId: keyId });
  if (state === 'PendingDeletion') await kms.call('ScheduleKeyDeletion', { KeyId: keyId });
  const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId });
  expect(m!.KeyState).toBe(state);
  return { kms, keyId, arn: KeyMetadata!.Arn!, blob, spare };
}

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

// The footnotes of the state table, verbatim.
type Verdict = 'ok' | { code: string; message: (arn: string) => string };
const disabled: Verdict = { code: 'DisabledException', message: (a) => `${a} is disabled.` };
const pendingDeletion: Verdict = {
  code: 'KMSInvalidStateException',
  message: (a) => `${a} is pending deletion (or pending replica deletion).`,
};
const notPendingDeletion: Verdict = {
  code: 'KMSInvalidStateException',
  message: (a) => `${a} is not pending deletion (or pending replica deletion).`,
};
const pendingImport: Verdict = {
  code: 'KMSInvalidStateException',
  message: (a) => `${a} is pending import.`,
};
const aliasTargetPendingDeletion: Verdict = {
  code: 'KMSInvalidStateException',
  message: (a) => `${a} is pending deletion.`,
};

type Row = Partial<Record<State, Verdict>>;
const all = (v: Verdict): Row => ({ Enabled: v, Disabled: v, PendingDeletion: v, PendingImport: v });
const CRYPTO: Row = {
  Enabled: 'ok',
  Disabled: disabled,
  PendingDeletion: pendingDeletion,
  PendingImport: pendingImport,
};
const NOT_PENDING_DELETION: Row = { ...all('ok'), PendingDeletion: pendingDeletion };
const ENABLE_DISABLE: Row = { ...all('ok'), PendingDeletion: pendingDeletion, PendingImport: pendingImport };

/** Operation → how to call it on the key under test → the verdict per state. */
const TABLE: [string, (w: World) => Promise<unknown>, Row][] = [
  ['Encrypt', (w) => w.kms.call('Encrypt', { KeyId: w.keyId, Plaintext: new Uint8Array([9]) }), CRYPTO],
  ['GenerateDataKey', (w) => w.kms.call('GenerateDataKey', { KeyId: w.keyId, KeySpec: 'AES_256' }), CRYPTO],
  [
    'GenerateDataKeyWithoutPlaintext',
    (w) => w.kms.call('GenerateDataKeyWithoutPlaintext', { KeyId: w.keyId, NumberOfBytes: 64 }),
    CRYPTO,
  ],
  [
    'Decrypt',
    (w) => w.kms.call('Decrypt', { CiphertextBlob: w.blob! }),
    { Enabled: 'ok', Disabled: disabled, PendingDeletion: pendingDeletion },
  ],
  [
    'ReEncrypt (key as source)',
    (w) => w.kms.call('ReEncrypt', { CiphertextBlob: w.blob!, DestinationKeyId: w.spare.keyId }),
    { Enabled: 'ok', Disabled: disabled, PendingDeletion: pendingDeletion },
  ],
  [
    'ReEncrypt (key as destination)',
    (w) => w.kms.call('ReEncrypt', { CiphertextBlob: w.spare.blob, DestinationKeyId: w.keyId }),
    CRYPTO,
  ],
  ['DescribeKey', (w) => w.kms.call('DescribeKey', { KeyId: w.keyId }), all('ok')],
  ['GetKeyPolicy', (w) => w.kms.call('GetKeyPolicy', { KeyId: w.keyId }), all('ok')],
  [
    'PutKeyPolicy',
    (w) =>
      w.kms.call('PutKeyPolicy', {
        KeyId: w.keyId,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
        }),
      }),
    all('ok'),
  ],
  ['ListKeyPolicies', (w) => w.kms.call('ListKeyPolicies', { KeyId: w.keyId }), all('ok')],
  ['ListResourceTags', (w) => w.kms.call('ListResourceTags', { KeyId: w.keyId }), all('ok')],
  ['ListAliases', (w) => w.kms.call('ListAliases', { KeyId: w.keyId }), all('ok')],
  ['DeleteAlias', (w) => w.kms.call('DeleteAlias', { AliasName: 'alias/k' }), all('ok')],
  ['GetKeyLastUsage', (w) => w.kms.call('GetKeyLastUsage', { KeyId: w.keyId }), all('ok')],
  [
    'CreateAlias',
    (w) => w.kms.call('CreateAlias', { AliasName: 'alias/new', TargetKeyId: w.keyId }),
    NOT_PENDING_DELETION,
  ],
  [
    'UpdateAlias (key as new target)',
    (w) => w.kms.call('UpdateAlias', { AliasName: 'alias/spare', TargetKeyId: w.keyId }),
    { ...all('ok'), PendingDeletion: aliasTargetPendingDeletion },
  ],
  [
    'UpdateAlias (key as current target)',
    (w) => w.kms.call('UpdateAlias', { AliasName: 'alias/k', TargetKeyId: w.spare.keyId }),
    all('ok'),
  ],
  ['EnableKey', (w) => w.kms.call('EnableKey', { KeyId: w.keyId }), ENABLE_DISABLE],
  ['DisableKey', (w) => w.kms.call('DisableKey', { KeyId: w.keyId }), ENABLE_DISABLE],
  ['ScheduleKeyDeletion', (w) => w.kms.call('ScheduleKeyDeletion', { KeyId: w.keyId }), NOT_PENDING_DELETION],
  [
    'CancelKeyDeletion',
    (w) => w.kms.call('CancelKeyDeletion', { KeyId: w.keyId }),
    { ...all(notPendingDeletion), PendingDeletion: 'ok' },
  ],
  [
    'TagResource',
    (w) => w.kms.call('TagResource', { KeyId: w.keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }),
    NOT_PENDING_DELETION,
  ],
  [
    'UntagResource',
    (w) => w.kms.call('UntagResource', { KeyId: w.keyId, TagKeys: ['a'] }),
    NOT_PENDING_DELETION,
  ],
  [
    'UpdateKeyDescription',
    (w) => w.kms.call('UpdateKeyDescription', { KeyId: w.keyId, Description: 'new' }),
    NOT_PENDING_DELETION,
  ],
];

const CASES = TABLE.flatMap(([op, call, row]) =>
  STATES.filter((s) => row[s] !== undefined).map((s) => [op, s, call, row[s]!] as const),
);

describe('the key state table', () => {
  it.each(CASES)('%s on a %s key', async (_op, state, call, verdict) => {
    const w = await keyIn(state);
    if (verdict === 'ok') {
      await call(w);
      return;
    }
    const before = await w.kms.snapshot();
    const e = await rejection(call(w));
    expect({ name: e.name, message: e.message }).toEqual({
      name: verdict.code,
      message: verdict.message(w.arn),
    });
    const after = await w.kms.snapshot();
    expect({ keys: after.keys, aliases: after.aliases }).toEqual({
      keys: before.keys,
      aliases: before.aliases,
    });
  });
});

describe('state transitions', () => {
  const stateOf = async (w: World) => (await w.kms.call('DescribeKey', { KeyId: w.keyId })).KeyMetadata!;

  it('creates keys Enabled, and EXTERNAL-origin keys PendingImport without material', async () => {
    const kms = await createKms({ store: new MemoryStore(), startTime: START });
    const { KeyMetadata: k } = await kms.call('CreateKey', {});
    expect([k!.KeyState, k!.Enabled]).toEqual(['Enabled', true]);
    expect(k!.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const { KeyMetadata: x } = await kms.call('CreateKey', { Origin: 'EXTERNAL' });
    expect([x!.KeyState, x!.Enabled, x!.Origin]).toEqual(['PendingImport', false, 'EXTERNAL']);
    expect(x!.CurrentKeyMaterialId).toBeUndefined();
  });

  it('toggles Enabled ⇄ Disabled, idempotently, with the Enabled flag following', async () => {
    const w = await keyIn('Enabled');
    await w.kms.call('EnableKey', { KeyId: w.keyId });
    expect(await stateOf(w)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    await w.kms.call('DisableKey', { KeyId: w.keyId });
    expect(await stateOf(w)).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await w.kms.call('DisableKey', { KeyId: w.keyId });
    expect(await stateOf(w)).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await w.kms.call('EnableKey', { KeyId: w.keyId });
    expect(await stateOf(w)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    // Re-enabled, the key decrypts what it encrypted before.
    const { Plaintext } = await w.kms.call('Decrypt', { CiphertextBlob: w.blob! });
    expect(Plaintext).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it.each(['Enabled', 'Disabled'] as const)(
    'CancelKeyDeletion leaves a key that was %s Disabled, not Enabled',
    async (state) => {
      const w = await keyIn(state);
      await w.kms.call('ScheduleKeyDeletion', { KeyId: w.keyId, PendingWindowInDays: 7 });
      expect(await stateOf(w)).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
      const out = await w.kms.call('CancelKeyDeletion', { KeyId: w.keyId });
      expect(out).toEqual({ KeyId: w.arn });
      const m = await stateOf(w);
      expect(m).toMatchObject({ KeyState: 'Disabled', Enabled: false });
      expect(m.DeletionDate).toBeUndefined();
      await expect(w.kms.call('Encrypt', { KeyId: w.keyId, Plaintext: new Uint8Array([1]) })).rejects.toThrow(
        `${w.arn} is disabled.`,
      );
    },
  );

  it('schedules a PendingImport key for deletion', async () => {
    const w = await keyIn('PendingImport');
    const out = await w.kms.call('ScheduleKeyDeletion', { KeyId: w.keyId });
    expect(out.KeyState).toBe('PendingDeletion');
    expect((await stateOf(w)).KeyState).toBe('PendingDeletion');
  });

  it('keeps a PendingDeletion key listed by ListKeys and described by DescribeKey', async () => {
    const w = await keyIn('PendingDeletion');
    const { Keys } = await w.kms.call('ListKeys', {});
    expect(Keys!.map((k) => k.KeyId)).toContain(w.keyId);
    const m = await stateOf(w);
    expect(m.Enabled).toBe(false);
    expect(m.DeletionDate).toBeInstanceOf(Date);
  });

  it('applies the state check before DryRun is answered', async () => {
    const w = await keyIn('Disabled');
    const e = await rejection(
      w.kms.call('Encrypt', { KeyId: w.keyId, Plaintext: new Uint8Array([1]), DryRun: true }),
    );
    expect([e.name, e.message]).toEqual(['DisabledException', `${w.arn} is disabled.`]);
  });

  it('refuses a disabled key through its alias with the key ARN in the message', async () => {
    const w = await keyIn('Disabled');
    const e = await rejection(w.kms.call('GenerateDataKey', { KeyId: 'alias/k', NumberOfBytes: 32 }));
    expect([e.name, e.message]).toEqual(['DisabledException', `${w.arn} is disabled.`]);
  });
});
