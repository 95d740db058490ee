import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { unwrapMaterial } from '../../src/kms/crypto/domainKey.ts';
import { createKms, MemoryStore, type Kms, type KmsStore, type PersistedWorld } from '../../src/kms/index.ts';
import type { KeyRecord } from '../../src/kms/model/key.ts';
import { openIdbStore } from '../../src/kms/store/idbStore.ts';

const START = new Date('2026-03-01T12:00:00Z');
const text = (s: string) => new TextEncoder().encode(s);
const EC = { purpose: 'persistence-test', tenant: 't1' };

let dbCounter = 0;
const newDbName = () => `kms-lab-test-${++dbCounter}-${crypto.randomUUID()}`;

/** A store under test: `reopen` hands back the same world as a fresh process would see it. */
interface Harness {
  readonly store: KmsStore;
  reopen(): Promise<KmsStore>;
}

const harnesses: { name: string; make: () => Promise<Harness> }[] = [
  {
    name: 'IdbStore',
    async make() {
      const name = newDbName();
      let store = await openIdbStore(name);
      return {
        get store() {
          return store;
        },
        async reopen() {
          store.close();
          store = await openIdbStore(name);
          return store;
        },
      };
    },
  },
  {
    name: 'MemoryStore',
    async make() {
      const store = new MemoryStore();
      return { store, reopen: async () => store };
    },
  },
];

/** Keys, an alias, a ciphertext under an encryption context, a scheduled deletion, time moved on. */
async function buildWorld(kms: Kms) {
  const app = (await kms.call('CreateKey', { Description: 'app key' })).KeyMetadata!;
  const doomed = (await kms.call('CreateKey', { Description: 'doomed' })).KeyMetadata!;
  const off = (await kms.call('CreateKey', { Description: 'disabled' })).KeyMetadata!;
  await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: app.KeyId! });
  await kms.call('DisableKey', { KeyId: off.KeyId! });
  const { CiphertextBlob } = await kms.call('Encrypt', {
    KeyId: 'alias/app',
    Plaintext: text('persist me'),
    EncryptionContext: EC,
  });
  await kms.call('ScheduleKeyDeletion', { KeyId: doomed.KeyId!, PendingWindowInDays: 7 });
  await kms.advanceClock(3600);
  return { app, doomed, off, ciphertext: CiphertextBlob! };
}

const byArn = <T extends { arn: string } | { aliasArn: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => {
    const [x, y] = [a, b].map((i) => ('arn' in i ? i.arn : i.aliasArn));
    return x! < y! ? -1 : 1;
  });

const stateOf = (kms: Kms) => Object.fromEntries(kms.keys().map((k) => [k.keyId, k.state] as const));

/** Expects `e` to be a KmsError with the given AWS exception name. */
async function rejectsWith(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toMatchObject({ code });
}

/** Every byte array anywhere inside `value`. */
function byteArrays(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value);
  else if (value instanceof ArrayBuffer) out.push(new Uint8Array(value));
  else if (Array.isArray(value)) for (const v of value) byteArrays(v, out);
  else if (typeof value === 'object' && value !== null && !(value instanceof CryptoKey))
    for (const v of Object.values(value)) byteArrays(v, out);
  return out;
}

const contains = (hay: Uint8Array, needle: Uint8Array) => {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

describe.each(harnesses)('$name: persistence across reopen', ({ make }) => {
  it('load() is undefined for a new store', async () => {
    const h = await make();
    expect(await h.store.load()).toBeUndefined();
    h.store.close?.();
  });

  it('brings back keys, aliases, states, clock, trail, and decrypts old ciphertext', async () => {
    const h = await make();
    const kms = await createKms({ store: h.store, startTime: START });
    const { app, doomed, off, ciphertext } = await buildWorld(kms);
    const before = {
      now: kms.now(),
      keys: kms.keys(),
      aliases: kms.aliases(),
      trail: structuredClone(kms.trail()),
      upcoming: kms.upcoming(),
    };
    expect(stateOf(kms)).toEqual({
      [app.KeyId!]: 'Enabled',
      [doomed.KeyId!]: 'PendingDeletion',
      [off.KeyId!]: 'Disabled',
    });

    // A new engine with a different start time: the persisted clock must win.
    const kms2 = await createKms({ store: await h.reopen(), startTime: new Date('2030-01-01Z') });
    expect(kms2.now()).toBe(before.now);
    expect(kms2.now()).toBe(START.getTime() + 3600_000);
    // Same-millisecond keys may come back in another order (IdbStore breaks ties by ARN).
    expect(byArn(kms2.keys())).toEqual(byArn(before.keys));
    expect(stateOf(kms2)).toEqual(stateOf(kms));
    expect(byArn(kms2.aliases())).toEqual(byArn(before.aliases));
    expect(kms2.trail()).toEqual(before.trail);
    expect(kms2.trail().map((r) => r.eventName)).toEqual([
      'CreateKey',
      'CreateKey',
      'CreateKey',
      'CreateAlias',
      'DisableKey',
      'Encrypt',
      'ScheduleKeyDeletion',
    ]);
    expect(kms2.upcoming()).toEqual(before.upcoming);

    const dec = await kms2.call('Decrypt', { CiphertextBlob: ciphertext, EncryptionContext: EC });
    expect(new TextDecoder().decode(dec.Plaintext)).toBe('persist me');
    expect(dec.KeyId).toBe(app.Arn);
    await rejectsWith(
      kms2.call('Decrypt', { CiphertextBlob: ciphertext, EncryptionContext: { purpose: 'other' } }),
      'InvalidCiphertextException',
    );
    const viaAlias = await kms2.call('Encrypt', { KeyId: 'alias/app', Plaintext: text('x') });
    expect(viaAlias.KeyId).toBe(app.Arn);

    // The scheduled deletion still fires after the reopen, and that too persists.
    await kms2.advanceClock(7 * 86_400);
    expect(kms2.keys().map((k) => k.keyId)).not.toContain(doomed.KeyId);
    const kms3 = await createKms({ store: await h.reopen() });
    expect(
      kms3
        .keys()
        .map((k) => k.keyId)
        .sort(),
    ).toEqual([app.KeyId, off.KeyId].sort());
    expect(kms3.trail().at(-1)).toMatchObject({ eventName: 'DeleteKey', eventType: 'AwsServiceEvent' });
    expect(kms3.now()).toBe(kms2.now());
    h.store.close?.();
  });

  it('a failing call persists nothing but its CloudTrail record', async () => {
    const h = await make();
    const kms = await createKms({ store: h.store, startTime: START });
    const { app } = await buildWorld(kms);
    const before = (await h.store.load())!;

    await rejectsWith(
      kms.call('Encrypt', { KeyId: 'alias/missing', Plaintext: text('x'), EncryptionContext: EC }),
      'NotFoundException',
    );
    await rejectsWith(
      kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: app.KeyId! }),
      'AlreadyExistsException',
    );

    const after = (await (await h.reopen()).load())!;
    expect(after.keys).toEqual(before.keys);
    expect(after.aliases).toEqual(before.aliases);
    // realAnchor is the wall time of the snapshot, meaningless while the clock stands still.
    expect(after.clock).toMatchObject({ simAnchor: before.clock!.simAnchor, running: false });
    expect(after.trail.slice(0, before.trail.length)).toEqual(before.trail);
    expect(after.trail.slice(before.trail.length)).toMatchObject([
      { eventName: 'Encrypt', errorCode: 'NotFoundException' },
      { eventName: 'CreateAlias', errorCode: 'AlreadyExistsException' },
    ]);
    h.store.close?.();
  });

  it('CreateKey + CreateAlias leave a consistent world after reopen', async () => {
    const h = await make();
    const kms = await createKms({ store: h.store, startTime: START });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { KeyMetadata } = await kms.call('CreateKey', {});
      await kms.call('CreateAlias', { AliasName: `alias/k${i}`, TargetKeyId: KeyMetadata!.KeyId! });
      created.push(KeyMetadata!.KeyId!);
      await kms.advanceClock(1);
    }
    const world = (await (await h.reopen()).load())!;
    const kms2 = await createKms({ store: h.store });
    expect((await kms2.call('ListKeys', {})).Keys!.map((k) => k.KeyId)).toEqual(created);
    expect(world.keys).toHaveLength(5);
    expect(world.aliases).toHaveLength(5);
    const keyIds = new Set(world.keys.map((k) => k.keyId));
    for (const a of world.aliases) expect(keyIds.has(a.targetKeyId)).toBe(true);
    expect(world.trail).toHaveLength(10);
    h.store.close?.();
  });

  it('restore() replaces the whole world, durably', async () => {
    const h = await make();
    const kms = await createKms({ store: h.store, startTime: START });
    await kms.call('CreateKey', { Description: 'first' });
    const snap = await kms.snapshot();
    await kms.call('CreateKey', { Description: 'second' });
    await kms.advanceClock(60);

    await kms.restore(snap);
    const kms2 = await createKms({ store: await h.reopen(), startTime: START });
    expect(await h.store.load()).toEqual(snap);
    expect(kms2.keys().map((k) => k.description)).toEqual(['first']);

    await kms2.restore();
    const fresh = (await (await h.reopen()).load())!;
    expect(fresh).toMatchObject({ keys: [], aliases: [], trail: [] });
    expect(fresh.clock?.simAnchor).toBe(START.getTime());
    h.store.close?.();
  });
});

describe('IdbStore: key material at rest', () => {
  it('stores material only wrapped, under a non-extractable domain key', async () => {
    const name = newDbName();
    const store = await openIdbStore(name);
    const kms = await createKms({ store, startTime: START });
    const { app } = await buildWorld(kms);
    await kms.call('GenerateDataKey', { KeyId: app.KeyId!, KeySpec: 'AES_256' });
    store.close();

    // Read the database as any other code on the origin could.
    const db = await openDB(name);
    const dump = Object.fromEntries(
      await Promise.all([...db.objectStoreNames].map(async (s) => [s, await db.getAll(s)] as const)),
    );
    const domainKey = (await db.get('meta', 'domainKey')) as CryptoKey;
    db.close();
    expect(Object.keys(dump).sort()).toEqual(['aliases', 'identities', 'keys', 'meta', 'resources', 'trail']);

    expect(domainKey).toBeInstanceOf(CryptoKey);
    expect(domainKey.extractable).toBe(false);
    expect(domainKey.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    await expect(crypto.subtle.exportKey('raw', domainKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('jwk', domainKey)).rejects.toThrow();

    const records = dump.keys as KeyRecord[];
    expect(records).toHaveLength(3);
    for (const r of records) for (const b of byteArrays(r)) expect(b.length).not.toBe(32);

    const stranger = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, [
      'encrypt',
      'decrypt',
    ]);
    const allBytes = byteArrays(dump);
    for (const r of records) {
      expect(r.materials).toHaveLength(1);
      const m = r.materials[0]!;
      expect(m.wrapped.length).toBe(12 + 32 + 16); // IV + material + tag
      await expect(unwrapMaterial(stranger, m.id, m.wrapped)).rejects.toThrow();
      await expect(unwrapMaterial(domainKey, 'another-material-id', m.wrapped)).rejects.toThrow();
      // The domain key does unwrap it, and those raw bytes appear nowhere in the database.
      const raw = await unwrapMaterial(domainKey, m.id, m.wrapped);
      expect(raw.length).toBe(32);
      for (const b of allBytes) expect(contains(b, raw)).toBe(false);
    }
  });

  it('keeps one domain key per database, across reopens', async () => {
    const name = newDbName();
    const a = await openIdbStore(name);
    const b = await openIdbStore(name); // a concurrent opener
    const kms = await createKms({ store: a });
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const { CiphertextBlob } = await kms.call('Encrypt', {
      KeyId: KeyMetadata!.KeyId!,
      Plaintext: text('same key'),
    });
    const kmsB = await createKms({ store: b });
    const out = await kmsB.call('Decrypt', { CiphertextBlob: CiphertextBlob! });
    expect(new TextDecoder().decode(out.Plaintext)).toBe('same key');
    a.close();
    b.close();

    // Another world (database) has its own domain key: it cannot read this one's material.
    const other = await openIdbStore(newDbName());
    const reopened = await openIdbStore(name);
    const world = (await reopened.load())!;
    const m = world.keys[0]!.materials[0]!;
    await expect(unwrapMaterial(await other.domainKey(), m.id, m.wrapped)).rejects.toThrow();
    expect((await unwrapMaterial(await reopened.domainKey(), m.id, m.wrapped)).length).toBe(32);
    other.close();
    reopened.close();
  });

  it('a commit that fails part-way writes nothing', async () => {
    const name = newDbName();
    const store = await openIdbStore(name);
    const kms = await createKms({ store, startTime: START });
    await buildWorld(kms);
    const before = (await store.load()) as PersistedWorld;
    const key = structuredClone(before.keys[0]!);
    key.description = 'changed';

    const bad = [
      // An alias without its key path: the put throws synchronously, after earlier puts.
      { aliasArn: undefined } as never,
      // A value IndexedDB cannot clone.
      { ...before.aliases[0]!, lastUpdatedAt: (() => 0) as never },
    ];
    for (const alias of bad)
      await expect(
        store.commit({
          putKeys: [key],
          deleteKeys: [before.keys[1]!.arn],
          putAliases: [alias],
          deleteAliases: [],
          trail: [before.trail[0]!],
          clock: { simAnchor: 0, realAnchor: 0, running: false },
        }),
      ).rejects.toThrow();

    store.close();
    const reopened = await openIdbStore(name);
    expect(await reopened.load()).toEqual(before);
    // And the store still works after the aborted transactions.
    const kms2 = await createKms({ store: reopened });
    await kms2.call('CreateKey', {});
    expect((await reopened.load())!.keys).toHaveLength(before.keys.length + 1);
    reopened.close();
  });
});
