/**
 * Key rotation (kms-api.md §2.3, §6): automatic rotation on the simulated clock with a RotateKey
 * service event, on-demand rotation and its limits, ListKeyRotations, and the rules for disabled,
 * pending-deletion and unsupported keys.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

let kms: Kms;
let keyId: string;
let arn: string;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  const { KeyMetadata } = await kms.call('CreateKey', {});
  keyId = KeyMetadata!.KeyId!;
  arn = KeyMetadata!.Arn!;
});

const materialId = async (id = keyId) =>
  (await kms.call('DescribeKey', { KeyId: id })).KeyMetadata!.CurrentKeyMaterialId!;

describe('EnableKeyRotation / GetKeyRotationStatus / DisableKeyRotation', () => {
  it('is off by default, then on with the default 365-day period', async () => {
    expect(await kms.call('GetKeyRotationStatus', { KeyId: keyId })).toEqual({
      KeyRotationEnabled: false,
      KeyId: arn,
    });
    expect(await kms.call('EnableKeyRotation', { KeyId: keyId })).toEqual({});
    expect(await kms.call('GetKeyRotationStatus', { KeyId: keyId })).toEqual({
      KeyRotationEnabled: true,
      KeyId: arn,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(START.getTime() + 365 * DAY_MS),
    });
    await kms.call('DisableKeyRotation', { KeyId: keyId });
    expect((await kms.call('GetKeyRotationStatus', { KeyId: keyId })).KeyRotationEnabled).toBe(false);
  });

  it('takes RotationPeriodInDays 90–2560', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 });
    const s = await kms.call('GetKeyRotationStatus', { KeyId: keyId });
    expect(s.RotationPeriodInDays).toBe(90);
    expect(s.NextRotationDate).toEqual(new Date(START.getTime() + 90 * DAY_MS));
    for (const bad of [89, 2561]) {
      const e = await rejection(kms.call('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: bad }));
      expect(e.code).toBe('ValidationException');
      expect(e.message).toContain(`Value '${bad}' at 'rotationPeriodInDays' failed to satisfy constraint`);
    }
  });

  it('refuses asymmetric, HMAC and imported keys with UnsupportedOperationException', async () => {
    const rsa = await kms.call('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const hmac = await kms.call('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const k of [rsa, hmac]) {
      const e = await rejection(kms.call('EnableKeyRotation', { KeyId: k.KeyMetadata!.KeyId! }));
      expect(e.code).toBe('UnsupportedOperationException');
      const r = await rejection(kms.call('RotateKeyOnDemand', { KeyId: k.KeyMetadata!.KeyId! }));
      expect(r.code).toBe('UnsupportedOperationException');
    }
    const ext = await kms.call('CreateKey', { Origin: 'EXTERNAL' });
    const e = await rejection(kms.call('EnableKeyRotation', { KeyId: ext.KeyMetadata!.KeyId! }));
    expect(e.code).toBe('UnsupportedOperationException');
    expect(e.message).toBe(
      `${ext.KeyMetadata!.Arn} origin is EXTERNAL which is not valid for this operation.`,
    );
  });

  it('refuses a disabled key with DisabledException', async () => {
    await kms.call('DisableKey', { KeyId: keyId });
    const e = await rejection(kms.call('EnableKeyRotation', { KeyId: keyId }));
    expect(e.code).toBe('DisabledException');
    expect(e.message).toBe(`${arn} is disabled.`);
  });

  it('reports false while pending deletion and restores the setting on cancel', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId });
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId });
    expect((await kms.call('GetKeyRotationStatus', { KeyId: keyId })).KeyRotationEnabled).toBe(false);
    await kms.call('CancelKeyDeletion', { KeyId: keyId });
    expect((await kms.call('GetKeyRotationStatus', { KeyId: keyId })).KeyRotationEnabled).toBe(true);
  });
});

describe('automatic rotation on the simulated clock', () => {
  it('after 400 days the key has rotated, old ciphertext decrypts, new ciphertext uses new material', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId });
    const first = await materialId();
    const old = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new TextEncoder().encode('before') });

    const fired = await kms.advanceClock(400 * DAY_S);
    expect(fired.map((e) => e.kind)).toEqual(['RotateKey']);
    expect(fired[0]!.at).toBe(START.getTime() + 365 * DAY_MS);

    const second = await materialId();
    expect(second).not.toBe(first);
    const dec = await kms.call('Decrypt', { CiphertextBlob: old.CiphertextBlob! });
    expect(new TextDecoder().decode(dec.Plaintext)).toBe('before');

    const fresh = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) });
    expect(fresh.CiphertextBlob).not.toEqual(old.CiphertextBlob);
    const keyView = kms.keys().find((k) => k.arn === arn)!;
    expect(keyView.materials.map((m) => m.id)).toEqual([first, second]);

    const event = kms.trail().find((r) => r.eventName === 'RotateKey')!;
    expect(event).toMatchObject({
      eventType: 'AwsServiceEvent',
      userIdentity: { accountId: '111122223333', invokedBy: 'AWS Internal' },
      serviceEventDetails: { keyId },
      eventTime: '2027-01-01T00:00:00Z',
      resources: [{ ARN: arn, type: 'AWS::KMS::Key', accountId: '111122223333' }],
    });
    const s = await kms.call('GetKeyRotationStatus', { KeyId: keyId });
    expect(s.NextRotationDate).toEqual(new Date(START.getTime() + 730 * DAY_MS));
  });

  it('rotates every period: three rotations in three years and a bit', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 365 });
    const fired = await kms.advanceClock(3 * 365 * DAY_S + DAY_S);
    expect(fired.filter((e) => e.kind === 'RotateKey')).toHaveLength(3);
    const rotations = await kms.call('ListKeyRotations', { KeyId: keyId });
    expect(rotations.Rotations).toHaveLength(3);
    expect(rotations.Rotations!.every((r) => r.RotationType === 'AUTOMATIC')).toBe(true);
  });

  it('does not rotate a disabled key; re-enabling an overdue key rotates it right away', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId });
    const first = await materialId();
    await kms.call('DisableKey', { KeyId: keyId });
    expect(await kms.advanceClock(400 * DAY_S)).toEqual([]);
    expect(await materialId()).toBe(first);
    await kms.call('EnableKey', { KeyId: keyId });
    expect(await materialId()).not.toBe(first);
    const s = await kms.call('GetKeyRotationStatus', { KeyId: keyId });
    expect(s.NextRotationDate).toEqual(new Date(START.getTime() + (400 + 365) * DAY_MS));
  });

  it('does not rotate a key pending deletion', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 });
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 30 });
    await kms.advanceClock(10 * DAY_S);
    expect(kms.upcoming().map((e) => e.kind)).toEqual(['DeleteKey']);
  });
});

describe('RotateKeyOnDemand', () => {
  it('rotates now, without shifting the automatic schedule', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId });
    const first = await materialId();
    expect(await kms.call('RotateKeyOnDemand', { KeyId: keyId })).toEqual({ KeyId: arn });
    expect(await materialId()).not.toBe(first);
    const s = await kms.call('GetKeyRotationStatus', { KeyId: keyId });
    expect(s.NextRotationDate).toEqual(new Date(START.getTime() + 365 * DAY_MS));
    const list = await kms.call('ListKeyRotations', { KeyId: keyId });
    expect(list.Rotations).toEqual([
      {
        KeyId: keyId,
        KeyMaterialId: await materialId(),
        KeyMaterialState: 'CURRENT',
        RotationDate: new Date(START.getTime()),
        RotationType: 'ON_DEMAND',
      },
    ]);
    const all = await kms.call('ListKeyRotations', { KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
    expect(all.Rotations!.map((r) => [r.KeyMaterialId, r.KeyMaterialState])).toEqual([
      [first, 'NON_CURRENT'],
      [await materialId(), 'CURRENT'],
    ]);
  });

  it('works without automatic rotation and stops at 25 per key', async () => {
    for (let i = 0; i < 25; i++) await kms.call('RotateKeyOnDemand', { KeyId: keyId });
    const e = await rejection(kms.call('RotateKeyOnDemand', { KeyId: keyId }));
    expect(e.code).toBe('LimitExceededException');
    expect(e.message).toBe(
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${arn}`,
    );
    const list = await kms.call('ListKeyRotations', { KeyId: keyId, Limit: 10 });
    expect(list.Rotations).toHaveLength(10);
    expect(list.Truncated).toBe(true);
  });

  it('conflicts with an automatic rotation due within 20 minutes', async () => {
    await kms.call('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 });
    await kms.advanceClock(90 * DAY_S - 10 * 60);
    const e = await rejection(kms.call('RotateKeyOnDemand', { KeyId: keyId }));
    expect(e.code).toBe('ConflictException');
  });

  it('refuses a disabled key', async () => {
    await kms.call('DisableKey', { KeyId: keyId });
    const e = await rejection(kms.call('RotateKeyOnDemand', { KeyId: keyId }));
    expect(e.code).toBe('DisabledException');
  });
});
