/**
 * AWS CloudHSM key stores (kms-api.md §2.10, §10, §4 Unavailable, §13 additionalEventData): the
 * simulated cluster, the store's life (create, connect on the clock, disconnect, update, delete),
 * keys whose material lives in the HSMs, routing over the AZs, and the faults.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, MemoryStore, type Kms } from '../../src/kms/index.ts';
import {
  activeCluster,
  addHsm,
  connect,
  connectionState,
  createStore,
  east,
  PASSWORD,
  rejection,
  servedBy,
  traces,
  TRUST_ANCHOR,
} from './cloudHsmSetup.ts';

const START = new Date('2026-01-01T00:00:00Z');
let kms: Kms;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
});

describe('CreateCustomKeyStore', () => {
  it('is refused with one HSM, or with two HSMs in one AZ, and accepted with two AZs', async () => {
    const { clusterId } = await activeCluster(kms, ['us-east-1a']);
    const one = await rejection(createStore(kms, clusterId));
    expect(one.code).toBe('CloudHsmClusterInvalidConfigurationException');
    await addHsm(kms, clusterId, 'us-east-1a');
    const sameAz = await rejection(createStore(kms, clusterId));
    expect(sameAz.code).toBe('CloudHsmClusterInvalidConfigurationException');
    await addHsm(kms, clusterId, 'us-east-1b');
    const id = await createStore(kms, clusterId);
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);
    expect(await connectionState(kms, id)).toEqual({ state: 'DISCONNECTED', error: undefined });
  });

  it('checks the cluster: not found, not active, wrong trust anchor, in use; and the name', async () => {
    const missing = await rejection(createStore(kms, 'cluster-abcdefghijk'));
    expect(missing.code).toBe('CloudHsmClusterNotFoundException');
    const { Cluster } = (await kms.cloudHsm(
      'CreateCluster',
      { HsmType: 'hsm2m.medium', SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'] },
      east,
    )) as { Cluster: { ClusterId: string } };
    expect((await rejection(createStore(kms, Cluster.ClusterId))).code).toBe(
      'CloudHsmClusterNotActiveException',
    );
    const { clusterId } = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    const wrongAnchor = await rejection(
      kms.call(
        'CreateCustomKeyStore',
        {
          CustomKeyStoreName: 'x',
          CloudHsmClusterId: clusterId,
          TrustAnchorCertificate: TRUST_ANCHOR.replace('customerCA', 'anotherCA'),
          KeyStorePassword: PASSWORD,
        },
        east,
      ),
    );
    expect(wrongAnchor.code).toBe('IncorrectTrustAnchorException');
    await createStore(kms, clusterId, 'first');
    expect((await rejection(createStore(kms, clusterId, 'second'))).code).toBe(
      'CloudHsmClusterInUseException',
    );
    const other = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    expect((await rejection(createStore(kms, other.clusterId, 'first'))).code).toBe(
      'CustomKeyStoreNameInUseException',
    );
  });

  it('never logs the kmsuser password', async () => {
    const { clusterId } = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    await createStore(kms, clusterId);
    const record = kms.trail().find((r) => r.eventName === 'CreateCustomKeyStore')!;
    expect(record.requestParameters!.keyStorePassword).toBe('HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(JSON.stringify(kms.trail())).not.toContain(PASSWORD);
    expect(kms.trail().find((r) => r.eventName === 'CreateCluster')!.eventSource).toBe(
      'cloudhsm.amazonaws.com',
    );
  });
});

describe('keys in a CloudHSM key store', () => {
  let clusterId: string;
  let hsmA: string;
  let hsmB: string;
  let storeId: string;
  let keyId: string;

  beforeEach(async () => {
    const c = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    clusterId = c.clusterId;
    [hsmA, hsmB] = c.hsmIds as [string, string];
    storeId = await createStore(kms, clusterId);
    const early = await rejection(
      kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: storeId }, east),
    );
    expect(early.code).toBe('CustomKeyStoreInvalidStateException');
    expect(await connect(kms, storeId)).toEqual({ state: 'CONNECTED', error: undefined });
    const { KeyMetadata } = await kms.call(
      'CreateKey',
      { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: storeId },
      east,
    );
    keyId = KeyMetadata!.KeyId!;
    expect(KeyMetadata).toMatchObject({
      Origin: 'AWS_CLOUDHSM',
      CustomKeyStoreId: storeId,
      CloudHsmClusterId: clusterId,
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
  });

  const encrypt = (text = 'hello') =>
    kms.call('Encrypt', { KeyId: keyId, Plaintext: new TextEncoder().encode(text) }, east);

  it('encrypts and decrypts in an HSM, spreading calls over both AZs, with customKeyStoreId in CloudTrail', async () => {
    const seen = traces(kms);
    const { CiphertextBlob } = await encrypt();
    const { Plaintext } = await kms.call('Decrypt', { CiphertextBlob }, east);
    expect(new TextDecoder().decode(Plaintext)).toBe('hello');
    await encrypt();
    await encrypt();
    const azs = new Set(seen.map((t) => /in (us-east-1[ab])/.exec(servedBy(t) ?? '')?.[1]));
    expect(azs).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    const records = kms.trail().filter((r) => r.eventName === 'Encrypt' || r.eventName === 'Decrypt');
    expect(records.length).toBe(4);
    for (const r of records) expect(r.additionalEventData).toEqual({ customKeyStoreId: storeId });
    const dk = await kms.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }, east);
    const re = await kms.call(
      'ReEncrypt',
      { CiphertextBlob: dk.CiphertextBlob, DestinationKeyId: keyId },
      east,
    );
    const back = await kms.call('Decrypt', { CiphertextBlob: re.CiphertextBlob }, east);
    expect(back.Plaintext).toEqual(dk.Plaintext);
  });

  it('keeps working with the HSM of one AZ stopped, and the trace names the other AZ', async () => {
    await kms.lab('StopHsm', { HsmId: hsmA }, east);
    const seen = traces(kms);
    for (let i = 0; i < 3; i++) await encrypt();
    for (const t of seen) {
      expect(servedBy(t)).toContain(`${hsmB} in us-east-1b`);
      expect(
        t.hops.some((h) => !h.ok && h.label.startsWith(`${hsmA} in us-east-1a unavailable: stopped`)),
      ).toBe(true);
    }
  });

  it('keeps working when an AZ is lost, and fails as documented when no HSM is left', async () => {
    const { CiphertextBlob } = await encrypt('before');
    await kms.lab('LoseAvailabilityZone', { AvailabilityZone: 'us-east-1b' }, east);
    const seen = traces(kms);
    await encrypt();
    expect(servedBy(seen[0]!)).toContain('us-east-1a');
    await kms.lab('StopHsm', { HsmId: hsmA }, east);
    const err = await rejection(encrypt());
    expect(err.code).toBe('KMSInvalidStateException');
    expect(err.message).toContain(`has no available HSM`);
    const failed = seen.at(-1)!;
    expect(failed.outcome).toBe('error');
    expect(failed.hops.filter((h) => h.stage === 'keyStore' && !h.ok).length).toBeGreaterThanOrEqual(2);
    // The store stays CONNECTED and the key Enabled: only the calls fail.
    expect((await connectionState(kms, storeId)).state).toBe('CONNECTED');
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Enabled');
    const failedRecord = kms
      .trail()
      .filter((r) => r.eventName === 'Encrypt')
      .at(-1)!;
    expect(failedRecord.errorCode).toBe('KMSInvalidStateException');
    expect(failedRecord.additionalEventData).toEqual({ customKeyStoreId: storeId });
    await kms.lab('StartHsm', { HsmId: hsmA }, east);
    await kms.lab('RestoreAvailabilityZone', { AvailabilityZone: 'us-east-1b' }, east);
    const { Plaintext } = await kms.call('Decrypt', { CiphertextBlob }, east);
    expect(new TextDecoder().decode(Plaintext)).toBe('before');
  });

  it('makes keys Unavailable when disconnected; reconnecting decrypts old ciphertext', async () => {
    const { CiphertextBlob } = await encrypt('old secret');
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Unavailable');
    const err = await rejection(kms.call('Decrypt', { CiphertextBlob }, east));
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'KMSInvalidStateException',
      message: `${arn} is unavailable.`,
    });
    // DisableKey succeeds but takes effect when the key is available again (§4 [12]).
    await kms.call('DisableKey', { KeyId: keyId }, east);
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Unavailable');
    const twice = await rejection(kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east));
    expect(twice.code).toBe('CustomKeyStoreInvalidStateException');
    expect(await connect(kms, storeId)).toEqual({ state: 'CONNECTED', error: undefined });
    expect((await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState).toBe('Disabled');
    await kms.call('EnableKey', { KeyId: keyId }, east);
    const { Plaintext } = await kms.call('Decrypt', { CiphertextBlob }, east);
    expect(new TextDecoder().decode(Plaintext)).toBe('old secret');
  });

  it('synchronises key material to every HSM, including one added later or restarted', async () => {
    const material = (await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!
      .CurrentKeyMaterialId!;
    const cluster = () => kms.clusters().find((c) => c.clusterId === clusterId)!;
    for (const h of cluster().hsms) expect(h.materialIds).toContain(material);
    // A key created while an HSM is stopped reaches it when it starts again.
    await kms.lab('StopHsm', { HsmId: hsmB }, east);
    const hsmC = await addHsm(kms, clusterId, 'us-east-1a');
    expect(cluster().hsms.find((h) => h.hsmId === hsmC)!.materialIds).toContain(material);
    await kms.lab('StartHsm', { HsmId: hsmB }, east); // two AZs again, for CreateKey
    await kms.lab('StopHsm', { HsmId: hsmA }, east);
    const second = (await kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: storeId }, east))
      .KeyMetadata!.CurrentKeyMaterialId!;
    expect(cluster().hsms.find((h) => h.hsmId === hsmA)!.materialIds).not.toContain(second);
    await kms.lab('StartHsm', { HsmId: hsmA }, east);
    expect(cluster().hsms.find((h) => h.hsmId === hsmA)!.materialIds).toContain(second);
    // The new HSM alone serves the key: it really holds the material.
    const { CiphertextBlob } = await encrypt('kept');
    await kms.lab('StopHsm', { HsmId: hsmA }, east);
    await kms.lab('DeleteHsm', { HsmId: hsmB }, east);
    const { Plaintext } = await kms.call('Decrypt', { CiphertextBlob }, east);
    expect(new TextDecoder().decode(Plaintext)).toBe('kept');
    // Views never carry material, not even wrapped; the snapshot keeps it wrapped at rest.
    expect(JSON.stringify(kms.clusters())).not.toContain('wrapped');
    expect(kms.keys().find((k) => k.keyId === keyId)!.materials[0]).not.toHaveProperty('wrapped');
  });

  it('deletes the key material from the cluster when the key is deleted; orphans it when disconnected', async () => {
    const cluster = () => kms.clusters().find((c) => c.clusterId === clusterId)!;
    const materialOf = async (id: string) =>
      (await kms.call('DescribeKey', { KeyId: id }, east)).KeyMetadata!.CurrentKeyMaterialId!;
    const first = await materialOf(keyId);
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, east);
    expect(cluster().keyMaterials.map((m) => m.id)).toContain(first);
    await kms.advanceClock(7 * 86_400);
    expect(cluster().keyMaterials.map((m) => m.id)).not.toContain(first);
    for (const h of cluster().hsms) expect(h.materialIds).not.toContain(first);
    // Deleted while the store is disconnected: KMS cannot reach the cluster, the material stays.
    const second = (await kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: storeId }, east))
      .KeyMetadata!.KeyId!;
    const material = await materialOf(second);
    await kms.call('ScheduleKeyDeletion', { KeyId: second, PendingWindowInDays: 7 }, east);
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    await kms.advanceClock(7 * 86_400);
    expect((await rejection(kms.call('DescribeKey', { KeyId: second }, east))).code).toBe(
      'NotFoundException',
    );
    expect(cluster().keyMaterials.find((m) => m.id === material)).toMatchObject({ orphaned: true });
  });

  it('cancels deletion into Unavailable while the store is disconnected, Disabled once it reconnects', async () => {
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, east);
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    const state = async () => (await kms.call('DescribeKey', { KeyId: keyId }, east)).KeyMetadata!.KeyState;
    expect(await state()).toBe('PendingDeletion');
    await kms.call('CancelKeyDeletion', { KeyId: keyId }, east);
    expect(await state()).toBe('Unavailable');
    expect(await connect(kms, storeId)).toEqual({ state: 'CONNECTED', error: undefined });
    expect(await state()).toBe('Disabled');
  });

  it('refuses to delete a store that holds keys, or is not disconnected', async () => {
    const connected = await rejection(kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: storeId }, east));
    expect(connected.code).toBe('CustomKeyStoreInvalidStateException');
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    const withKeys = await rejection(kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: storeId }, east));
    expect(withKeys.code).toBe('CustomKeyStoreHasCMKsException');
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, east);
    expect(
      (await rejection(kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: storeId }, east))).code,
    ).toBe('CustomKeyStoreHasCMKsException');
    await kms.advanceClock(7 * 86_400);
    await kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    expect((await rejection(connectionState(kms, storeId))).code).toBe('CustomKeyStoreNotFoundException');
  });

  it('refuses what CloudHSM key stores do not support', async () => {
    for (const input of [
      { KeySpec: 'RSA_2048' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const },
      { MultiRegion: true },
    ])
      expect(
        (
          await rejection(
            kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: storeId, ...input }, east),
          )
        ).code,
      ).toBe('UnsupportedOperationException');
    const pair = await rejection(
      kms.call('GenerateDataKeyPair', { KeyId: keyId, KeyPairSpec: 'RSA_2048' }, east),
    );
    expect(pair.code).toBe('UnsupportedOperationException');
    const rotation = await rejection(kms.call('EnableKeyRotation', { KeyId: keyId }, east));
    expect(rotation.code).toBe('UnsupportedOperationException');
    expect(
      (
        await rejection(
          kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-00000000000000000' }, east),
        )
      ).code,
    ).toBe('CustomKeyStoreNotFoundException');
  });

  it('generates random bytes in an HSM of a connected store', async () => {
    const { Plaintext } = await kms.call(
      'GenerateRandom',
      { NumberOfBytes: 32, CustomKeyStoreId: storeId },
      east,
    );
    expect(Plaintext!.length).toBe(32);
    expect(kms.trail().at(-1)!.additionalEventData).toEqual({ customKeyStoreId: storeId });
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: storeId }, east);
    const err = await rejection(
      kms.call('GenerateRandom', { NumberOfBytes: 32, CustomKeyStoreId: storeId }, east),
    );
    expect(err.code).toBe('CustomKeyStoreInvalidStateException');
  });
});

describe('ConnectCustomKeyStore failures', () => {
  it('fails with INVALID_CREDENTIALS, USER_LOCKED_OUT and INSUFFICIENT_CLOUDHSM_HSMS, fixed by disconnect → update → connect', async () => {
    const { clusterId, hsmIds } = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    const id = await createStore(kms, clusterId);
    await kms.lab('WrongKmsUserPassword', { ClusterId: clusterId }, east);
    expect(await connect(kms, id)).toEqual({ state: 'FAILED', error: 'INVALID_CREDENTIALS' });
    const again = await rejection(kms.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, east));
    expect(again.code).toBe('CustomKeyStoreInvalidStateException');
    const update = await rejection(
      kms.call('UpdateCustomKeyStore', { CustomKeyStoreId: id, KeyStorePassword: 'new-Passw0rd' }, east),
    );
    expect(update.code).toBe('CustomKeyStoreInvalidStateException');
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    await kms.lab('SetKmsUserPassword', { ClusterId: clusterId, Password: 'new-Passw0rd' }, east);
    await kms.call('UpdateCustomKeyStore', { CustomKeyStoreId: id, KeyStorePassword: 'new-Passw0rd' }, east);
    await kms.lab('LockKmsUser', { ClusterId: clusterId }, east);
    expect(await connect(kms, id)).toEqual({ state: 'FAILED', error: 'USER_LOCKED_OUT' });
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    await kms.lab('SetKmsUserPassword', { ClusterId: clusterId, Password: 'new-Passw0rd' }, east);
    for (const h of hsmIds) await kms.lab('StopHsm', { HsmId: h }, east);
    expect(await connect(kms, id)).toEqual({ state: 'FAILED', error: 'INSUFFICIENT_CLOUDHSM_HSMS' });
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    await kms.lab('StartHsm', { HsmId: hsmIds[0]! }, east);
    // One active HSM is enough to connect (two are needed to create keys).
    expect(await connect(kms, id)).toEqual({ state: 'CONNECTED', error: undefined });
    const one = await rejection(
      kms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id }, east),
    );
    expect(one.code).toBe('CloudHsmClusterInvalidConfigurationException');
    await kms.call('UpdateCustomKeyStore', { CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' }, east);
    const { CustomKeyStores } = await kms.call(
      'DescribeCustomKeyStores',
      { CustomKeyStoreName: 'renamed' },
      east,
    );
    expect(CustomKeyStores![0]).toMatchObject({ CustomKeyStoreId: id, CustomKeyStoreType: 'AWS_CLOUDHSM' });
    // Lab faults are traced but not in CloudTrail.
    expect(kms.trail().some((r) => /Hsm|KmsUser/.test(r.eventName) && r.eventName !== 'CreateHsm')).toBe(
      false,
    );
  });

  it('rotates the kmsuser password on connect: a later change in the cluster fails the next connection', async () => {
    const { clusterId } = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    const id = await createStore(kms, clusterId);
    expect(await connect(kms, id)).toEqual({ state: 'CONNECTED', error: undefined });
    // KMS knows the password it rotated to: reconnecting works.
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    expect(await connect(kms, id)).toEqual({ state: 'CONNECTED', error: undefined });
    // Someone sets kmsuser's password in the cluster (even back to the one KMS was first given).
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    await kms.lab('SetKmsUserPassword', { ClusterId: clusterId, Password: PASSWORD }, east);
    expect(await connect(kms, id)).toEqual({ state: 'FAILED', error: 'INVALID_CREDENTIALS' });
    await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    await kms.call('UpdateCustomKeyStore', { CustomKeyStoreId: id, KeyStorePassword: PASSWORD }, east);
    expect(await connect(kms, id)).toEqual({ state: 'CONNECTED', error: undefined });
  });

  it('schedules the connection on the clock', async () => {
    const { clusterId } = await activeCluster(kms, ['us-east-1a', 'us-east-1b']);
    const id = await createStore(kms, clusterId);
    await kms.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, east);
    expect(kms.upcoming().map((e) => e.kind)).toContain('ConnectCustomKeyStore');
    expect(kms.customKeyStores()[0]).toMatchObject({ customKeyStoreId: id, connectionState: 'CONNECTING' });
    expect(JSON.stringify(kms.customKeyStores())).not.toContain(PASSWORD);
  });
});

describe('traces of CloudHSM and lab calls', () => {
  it('name the endpoint that answers: CloudHSM v2, or the KMS Lab control', async () => {
    const seen = traces(kms);
    await activeCluster(kms, ['us-east-1a']);
    const endpoints = seen.map((t) => [t.operation, t.hops.find((h) => h.stage === 'endpoint')!.label]);
    expect(endpoints).toEqual([
      ['cloudhsm:CreateCluster', 'cloudhsmv2.us-east-1.amazonaws.com'],
      ['cloudhsm:CreateHsm', 'cloudhsmv2.us-east-1.amazonaws.com'],
      ['cloudhsm:InitializeCluster', 'cloudhsmv2.us-east-1.amazonaws.com'],
      ['lab:ActivateCluster', 'KMS Lab control'],
      ['lab:SetKmsUserPassword', 'KMS Lab control'],
    ]);
    await kms.call('ListKeys', {}, east);
    expect(seen.at(-1)!.hops.find((h) => h.stage === 'endpoint')!.label).toBe('kms.us-east-1.amazonaws.com');
  });
});
