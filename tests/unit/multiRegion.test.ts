/**
 * Multi-Region keys (kms-api.md §2.9, §7, §9): ReplicateKey (Creating → Enabled on the clock, own
 * policy, description and tags), MultiRegionConfiguration, shared material and rotation with
 * SynchronizeMultiRegionKey events, cross-Region decryption, UpdatePrimaryRegion and
 * PendingReplicaDeletion.
 */
import * as nodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createKms,
  KmsError,
  MemoryStore,
  rootPrincipal,
  type CallerContext,
  type Kms,
} from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const DAY_S = 86_400;
const ACCOUNT = '111122223333';
const east: CallerContext = { principal: rootPrincipal(ACCOUNT), region: 'us-east-1' };
const west: CallerContext = { principal: rootPrincipal(ACCOUNT), region: 'eu-west-1' };
const oregon: CallerContext = { principal: rootPrincipal(ACCOUNT), region: 'us-west-2' };

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
let primaryArn: string;
const arnIn = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  const { KeyMetadata } = await kms.call('CreateKey', { MultiRegion: true, Description: 'primary' }, east);
  keyId = KeyMetadata!.KeyId!;
  primaryArn = KeyMetadata!.Arn!;
});

async function replicate(region = 'eu-west-1', extra: Record<string, unknown> = {}) {
  const out = await kms.call('ReplicateKey', { KeyId: keyId, ReplicaRegion: region, ...extra }, east);
  await kms.advanceClock(60);
  return out;
}

describe('CreateKey MultiRegion', () => {
  it('makes a primary with an mrk- key ID and a MultiRegionConfiguration', async () => {
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId }, east);
    expect(m!.MultiRegion).toBe(true);
    expect(m!.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: primaryArn, Region: 'us-east-1' },
      ReplicaKeys: [],
    });
  });
});

describe('ReplicateKey', () => {
  it('creates a replica that is Creating, then Enabled on the clock, with its own policy, description and tags', async () => {
    const out = await kms.call(
      'ReplicateKey',
      {
        KeyId: keyId,
        ReplicaRegion: 'eu-west-1',
        Description: 'replica',
        Tags: [{ TagKey: 'site', TagValue: 'dr' }],
      },
      east,
    );
    expect(out.ReplicaKeyMetadata).toMatchObject({
      KeyId: keyId,
      Arn: arnIn('eu-west-1'),
      KeyState: 'Creating',
      Enabled: false,
      Description: 'replica',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: primaryArn, Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: arnIn('eu-west-1'), Region: 'eu-west-1' }],
      },
    });
    expect(JSON.parse(out.ReplicaPolicy!).Statement[0].Sid).toBe('Enable IAM User Permissions');
    expect(out.ReplicaTags).toEqual([{ TagKey: 'site', TagValue: 'dr' }]);

    const e = await rejection(kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }, west));
    expect([e.code, e.message]).toEqual(['KMSInvalidStateException', `${arnIn('eu-west-1')} is creating.`]);

    const fired = await kms.advanceClock(60);
    expect(fired.map((x) => x.kind)).toEqual(['SynchronizeMultiRegionKey']);
    const { KeyMetadata: replica } = await kms.call('DescribeKey', { KeyId: keyId }, west);
    expect(replica).toMatchObject({ KeyState: 'Enabled', Description: 'replica' });
    const { KeyMetadata: primary } = await kms.call('DescribeKey', { KeyId: keyId }, east);
    expect(primary!.Description).toBe('primary');
    expect(primary!.MultiRegionConfiguration!.ReplicaKeys).toEqual([
      { Arn: arnIn('eu-west-1'), Region: 'eu-west-1' },
    ]);
    expect((await kms.call('ListResourceTags', { KeyId: keyId }, east)).Tags).toEqual([]);

    const trail = kms.trail();
    expect(trail.filter((r) => r.eventName === 'ReplicateKey').map((r) => r.awsRegion)).toEqual([
      'us-east-1',
    ]);
    expect(trail.filter((r) => r.eventName === 'CreateKey').map((r) => r.awsRegion)).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);
  });

  it('refuses a second replica in the same Region, replicating a replica, and single-Region keys', async () => {
    await replicate();
    const again = await rejection(
      kms.call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east),
    );
    expect(again.code).toBe('AlreadyExistsException');
    const fromReplica = await rejection(
      kms.call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'us-west-2' }, west),
    );
    expect([fromReplica.code, fromReplica.message]).toEqual([
      'UnsupportedOperationException',
      `${arnIn('eu-west-1')} is not a multi-region primary key.`,
    ]);
    const { KeyMetadata: single } = await kms.call('CreateKey', {}, east);
    const e = await rejection(
      kms.call('ReplicateKey', { KeyId: single!.KeyId!, ReplicaRegion: 'eu-west-1' }, east),
    );
    expect(e.message).toBe(`${single!.Arn} is not a multi-region primary key.`);
  });
});

describe('shared material', () => {
  it('a ciphertext made in us-east-1 decrypts with the related key in eu-west-1, and back', async () => {
    await replicate();
    const ct = await kms.call(
      'Encrypt',
      { KeyId: keyId, Plaintext: new TextEncoder().encode('dr'), EncryptionContext: { app: 'x' } },
      east,
    );
    const pt = await kms.call(
      'Decrypt',
      { CiphertextBlob: ct.CiphertextBlob!, EncryptionContext: { app: 'x' } },
      west,
    );
    expect(new TextDecoder().decode(pt.Plaintext)).toBe('dr');
    expect(pt.KeyId).toBe(arnIn('eu-west-1'));
    const back = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([9]) }, west);
    expect((await kms.call('Decrypt', { CiphertextBlob: back.CiphertextBlob! }, east)).Plaintext).toEqual(
      new Uint8Array([9]),
    );
  });

  it('enabled state is independent', async () => {
    await replicate();
    await kms.call('DisableKey', { KeyId: keyId }, west);
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Enabled');
  });

  it('rotating the primary synchronises replicas (SynchronizeMultiRegionKey); old ciphertext decrypts everywhere', async () => {
    await replicate();
    await replicate('us-west-2');
    await kms.call('EnableKeyRotation', { KeyId: keyId }, east);
    const replicaStatus = await kms.call('GetKeyRotationStatus', { KeyId: keyId }, west);
    expect(replicaStatus.KeyRotationEnabled).toBe(true);
    const e = await rejection(kms.call('EnableKeyRotation', { KeyId: keyId }, west));
    expect(e.code).toBe('UnsupportedOperationException');

    const old = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([5]) }, east);
    const fired = await kms.advanceClock(400 * DAY_S);
    expect(fired.map((x) => x.kind)).toEqual(['RotateKey']);
    const syncs = kms
      .trail()
      .filter((r) => r.eventName === 'SynchronizeMultiRegionKey' && r.eventTime.startsWith('2027'));
    expect(syncs.map((r) => r.awsRegion).sort()).toEqual(['eu-west-1', 'us-west-2']);

    const ids = await Promise.all(
      [east, west, oregon].map(
        async (c) => (await kms.call('DescribeKey', { KeyId: keyId }, c)).KeyMetadata!.CurrentKeyMaterialId,
      ),
    );
    expect(new Set(ids).size).toBe(1);
    for (const c of [west, oregon])
      expect((await kms.call('Decrypt', { CiphertextBlob: old.CiphertextBlob! }, c)).Plaintext).toEqual(
        new Uint8Array([5]),
      );
    const fresh = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([6]) }, west);
    expect((await kms.call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob! }, east)).Plaintext).toEqual(
      new Uint8Array([6]),
    );
  });
});

describe('UpdatePrimaryRegion', () => {
  it('puts both keys in Updating, then swaps primary and replica', async () => {
    await replicate();
    expect(await kms.call('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'eu-west-1' }, east)).toEqual(
      {},
    );
    for (const c of [east, west])
      expect((await kms.call('DescribeKey', { KeyId: keyId }, c)).KeyMetadata!.KeyState).toBe('Updating');
    // Crypto still works while Updating.
    await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }, east);
    await kms.advanceClock(60);
    const { KeyMetadata: now } = await kms.call('DescribeKey', { KeyId: keyId }, west);
    expect(now).toMatchObject({
      KeyState: 'Enabled',
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: arnIn('eu-west-1'), Region: 'eu-west-1' },
        ReplicaKeys: [{ Arn: primaryArn, Region: 'us-east-1' }],
      },
    });
    const { KeyMetadata: old } = await kms.call('DescribeKey', { KeyId: keyId }, east);
    expect(old!.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
    // The new primary replicates; the old one no longer can.
    await kms.call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'us-west-2' }, west);
    const e = await rejection(
      kms.call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'ap-southeast-2' }, east),
    );
    expect(e.code).toBe('UnsupportedOperationException');
  });

  it('refuses a Region without a replica', async () => {
    const e = await rejection(
      kms.call('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'eu-west-1' }, east),
    );
    expect(e.code).toBe('NotFoundException');
  });
});

describe('deletion', () => {
  it('a primary with replicas waits in PendingReplicaDeletion until its last replica is deleted', async () => {
    await replicate();
    const out = await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, east);
    expect(out).toEqual({ KeyId: primaryArn, KeyState: 'PendingReplicaDeletion', PendingWindowInDays: 7 });
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId }, east);
    expect(m).toMatchObject({ KeyState: 'PendingReplicaDeletion', PendingDeletionWindowInDays: 7 });
    expect(m!.DeletionDate).toBeUndefined();

    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, west);
    const fired = await kms.advanceClock(7 * DAY_S);
    expect(fired.map((x) => x.kind)).toEqual(['DeleteKey']);
    const { KeyMetadata: after } = await kms.call('DescribeKey', { KeyId: keyId }, east);
    expect(after).toMatchObject({ KeyState: 'PendingDeletion' });
    expect(after!.MultiRegionConfiguration!.ReplicaKeys).toEqual([]);
    await kms.advanceClock(7 * DAY_S);
    expect((await rejection(kms.call('DescribeKey', { KeyId: keyId }, east))).code).toBe('NotFoundException');
  });

  it('a replica pending deletion still blocks ReplicateKey into its Region', async () => {
    await replicate();
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId }, west);
    const e = await rejection(kms.call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east));
    expect(e.code).toBe('AlreadyExistsException');
  });
});

describe('imported material', () => {
  it('a replica of an EXTERNAL primary needs the same material imported', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', { MultiRegion: true, Origin: 'EXTERNAL' }, east);
    const id = KeyMetadata!.KeyId!;
    const material = nodeCrypto.randomBytes(32);
    const importInto = async (
      caller: CallerContext,
      bytes: Uint8Array = material,
      extra: Record<string, unknown> = {},
    ) => {
      const p = await kms.call(
        'GetParametersForImport',
        { KeyId: id, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' },
        caller,
      );
      const key = nodeCrypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
      const wrapped = nodeCrypto.publicEncrypt(
        { key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        bytes,
      );
      return kms.call(
        'ImportKeyMaterial',
        {
          KeyId: id,
          ImportToken: p.ImportToken!,
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          ...extra,
        },
        caller,
      );
    };
    const first = await importInto(east);
    await kms.call('ReplicateKey', { KeyId: id, ReplicaRegion: 'eu-west-1' }, east);
    await kms.advanceClock(60);
    expect((await kms.call('DescribeKey', { KeyId: id }, west)).KeyMetadata!.KeyState).toBe('PendingImport');
    const second = await importInto(west);
    expect(second.KeyMaterialId).toBe(first.KeyMaterialId);
    const ct = await kms.call('Encrypt', { KeyId: id, Plaintext: new Uint8Array([3]) }, east);
    expect((await kms.call('Decrypt', { CiphertextBlob: ct.CiphertextBlob! }, west)).Plaintext).toEqual(
      new Uint8Array([3]),
    );

    // On-demand rotation of a multi-Region imported key: import NEW_KEY_MATERIAL into the primary,
    // the same material into each replica (EXISTING_KEY_MATERIAL), then rotate.
    const next = nodeCrypto.randomBytes(32);
    const pending = await importInto(east, next, { ImportType: 'NEW_KEY_MATERIAL' });
    const early = await rejection(kms.call('RotateKeyOnDemand', { KeyId: id }, east));
    expect(early.code).toBe('KMSInvalidStateException');
    await importInto(west, next, {
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: pending.KeyMaterialId,
    });
    await kms.call('RotateKeyOnDemand', { KeyId: id }, east);
    for (const c of [east, west])
      expect((await kms.call('DescribeKey', { KeyId: id }, c)).KeyMetadata!.CurrentKeyMaterialId).toBe(
        pending.KeyMaterialId,
      );
    const fresh = await kms.call('Encrypt', { KeyId: id, Plaintext: new Uint8Array([4]) }, west);
    expect((await kms.call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob! }, east)).Plaintext).toEqual(
      new Uint8Array([4]),
    );
    expect((await kms.call('Decrypt', { CiphertextBlob: ct.CiphertextBlob! }, west)).Plaintext).toEqual(
      new Uint8Array([3]),
    );
  });
});
