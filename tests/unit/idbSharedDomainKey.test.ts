import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { generateDomainKey } from '../../src/kms/crypto/domainKey.ts';
import { openIdbStore } from '../../src/kms/store/idbStore.ts';

describe('IdbStore domainKey option (workspaces sharing one domain key)', () => {
  it('stores the given key in a new database and keeps it across reopen', async () => {
    const shared = await generateDomainKey();
    const a = await openIdbStore('shared-key-a', { domainKey: shared });
    expect(await a.domainKey()).toBe(shared);
    a.close();
    const again = await openIdbStore('shared-key-a');
    const stored = await again.domainKey();
    again.close();
    expect(stored.type).toBe('secret');
    expect(stored.extractable).toBe(false);
  });

  it('keeps the key a database already has: its material is wrapped under it', async () => {
    const first = await openIdbStore('shared-key-b');
    const own = await first.domainKey();
    first.close();
    const reopened = await openIdbStore('shared-key-b', { domainKey: await generateDomainKey() });
    const kept = await reopened.domainKey();
    reopened.close();
    const iv = new Uint8Array(12);
    const data = new TextEncoder().encode('x');
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, own, data);
    await expect(crypto.subtle.decrypt({ name: 'AES-GCM', iv }, kept, sealed)).resolves.toBeInstanceOf(
      ArrayBuffer,
    );
  });
});
