/**
 * Shared set-up for the interop tests: an engine in memory, keys of any spec, their public keys
 * as node:crypto KeyObjects, and a way to give a KMS key a private key node:crypto made (as
 * importing key material would), so node:crypto signatures can be checked by Verify.
 */
import * as nodeCrypto from 'node:crypto';
import { wrapMaterial } from '../../src/kms/crypto/domainKey.ts';
import { newHexId } from '../../src/kms/crypto/random.ts';
import { createKms, MemoryStore, type Kms } from '../../src/kms/index.ts';
import type { KeySpec, KeyUsage } from '../../src/kms/model/enums.ts';

export interface Lab {
  readonly kms: Kms;
  readonly store: MemoryStore;
}

export async function newLab(): Promise<Lab> {
  const store = new MemoryStore();
  return { kms: await createKms({ store, startTime: new Date('2026-01-01T00:00:00Z') }), store };
}

export async function createKey(lab: Lab, KeySpec: KeySpec, KeyUsage: KeyUsage): Promise<string> {
  const { KeyMetadata } = await lab.kms.call('CreateKey', { KeySpec, KeyUsage });
  return KeyMetadata!.Arn!;
}

/** The key's public key, downloaded with GetPublicKey and loaded by node:crypto. */
export async function downloadPublicKey(lab: Lab, keyId: string): Promise<nodeCrypto.KeyObject> {
  const { PublicKey } = await lab.kms.call('GetPublicKey', { KeyId: keyId });
  return nodeCrypto.createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
}

/**
 * A KMS key whose private key is `privateKey` (made by node:crypto): the world is snapshotted,
 * the key's wrapped material replaced by node's PKCS#8 wrapped under the store's domain key, and
 * restored, exactly as the engine persists keys.
 */
export async function keyWithNodePrivateKey(
  lab: Lab,
  spec: KeySpec,
  usage: KeyUsage,
  privateKey: nodeCrypto.KeyObject,
): Promise<string> {
  const arn = await createKey(lab, spec, usage);
  const world = await lab.kms.snapshot();
  const key = world.keys.find((k) => k.arn === arn)!;
  const id = newHexId(32);
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  key.materials = [
    { id, createdAt: key.createdAt, wrapped: await wrapMaterial(await lab.store.domainKey(), id, pkcs8) },
  ];
  key.publicKey = new Uint8Array(
    nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
  );
  await lab.kms.restore(world);
  return arn;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hash = (name: string, data: Uint8Array): Uint8Array =>
  new Uint8Array(nodeCrypto.createHash(name).update(data).digest());
