import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { WorldTx, type WorldData } from '../../src/kms/model/world.ts';
import type { ResourceRecord } from '../../src/kms/model/resource.ts';
import { openIdbStore } from '../../src/kms/store/idbStore.ts';
import { MemoryStore } from '../../src/kms/store/memoryStore.ts';
import type { KmsStore } from '../../src/kms/store/store.ts';

const world = (): WorldData => ({
  keys: new Map(),
  aliases: new Map(),
  identities: new Map(),
  resources: new Map(),
  clock: { simAnchor: 0, realAnchor: 0, running: false },
});

const cluster = (id: string, createdAt: number): ResourceRecord<{ state: string }> => ({
  arn: `arn:aws:cloudhsm:us-east-1:111122223333:cluster/${id}`,
  kind: 'cloudhsm:cluster',
  accountId: '111122223333',
  region: 'us-east-1',
  createdAt,
  data: { state: 'ACTIVE' },
});

describe('the resources collection', () => {
  it('stages puts and deletes and applies them only on apply()', () => {
    const w = world();
    const tx = new WorldTx(w);
    tx.putResource(cluster('cluster-b', 2));
    tx.putResource(cluster('cluster-a', 1));
    expect(tx.resources('cloudhsm:cluster').map((r) => r.arn.split('/')[1])).toEqual([
      'cluster-a',
      'cluster-b',
    ]);
    expect(tx.resources('s3:bucket')).toEqual([]);
    expect(w.resources.size).toBe(0);
    tx.apply();
    expect(w.resources.size).toBe(2);
    const tx2 = new WorldTx(w);
    tx2.deleteResource(cluster('cluster-a', 1).arn);
    expect(tx2.resource(cluster('cluster-a', 1).arn)).toBeUndefined();
    expect(tx2.changes().deleteResources).toEqual([cluster('cluster-a', 1).arn]);
    expect(w.resources.size).toBe(2);
  });

  for (const [name, open] of [
    ['MemoryStore', async () => new MemoryStore()],
    ['IdbStore', () => openIdbStore(`resources-${Math.random()}`)],
  ] as [string, () => Promise<KmsStore>][])
    it(`persists through ${name}`, async () => {
      const store = await open();
      await store.commit({
        putKeys: [],
        deleteKeys: [],
        putAliases: [],
        deleteAliases: [],
        putResources: [cluster('cluster-a', 1), cluster('cluster-b', 2)],
        deleteResources: [],
        trail: [],
        clock: { simAnchor: 5, realAnchor: 0, running: false },
      });
      await store.commit({
        putKeys: [],
        deleteKeys: [],
        putAliases: [],
        deleteAliases: [],
        deleteResources: [cluster('cluster-a', 1).arn],
        trail: [],
        clock: { simAnchor: 6, realAnchor: 0, running: false },
      });
      const loaded = await store.load();
      expect(loaded?.resources?.map((r) => r.arn)).toEqual([cluster('cluster-b', 2).arn]);
      expect(loaded?.resources?.[0]?.data).toEqual({ state: 'ACTIVE' });
    });
});
