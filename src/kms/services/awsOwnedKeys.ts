/**
 * AWS owned keys (kms-api.md §6, issue 6): keys a service owns in its own account and uses for many
 * customers (S3's SSE-S3). They live in the resources collection under the service's account, are
 * never KMS keys of the customer's world: ListKeys, ListAliases and the customer's trail never show
 * them, and using them is no KMS API call. Material is wrapped under the domain key like any other.
 */
import type { Keyring } from '../crypto/keyring.ts';
import { newKeyId, randomBytes } from '../crypto/random.ts';
import type { KeyMaterialRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';
import { utf8 } from './common.ts';

export const AWS_OWNED_KEY_KIND = 'aws:owned-key';
/** The account that holds AWS owned keys in this world (not a customer account). */
export const AWS_SERVICE_ACCOUNT = 'aws';

interface OwnedKeyData {
  readonly service: string;
  readonly keyId: string;
  readonly material: KeyMaterialRecord;
}

/** The service's AWS owned key in a Region, created the first time the service needs it. */
async function ownedKey(tx: WorldTx, keyring: Keyring, service: string, region: string, now: number) {
  const arn = `aws-owned-key:${service}:${region}`;
  const existing = tx.resource<OwnedKeyData>(arn);
  if (existing) return existing.data;
  const data: OwnedKeyData = {
    service,
    keyId: newKeyId(),
    material: await keyring.newSymmetricMaterial(now),
  };
  tx.putResource({
    arn,
    kind: AWS_OWNED_KEY_KIND,
    accountId: AWS_SERVICE_ACCOUNT,
    region,
    createdAt: now,
    data,
  });
  return data;
}

/** Encrypts a data key under the service's AWS owned key, bound to `context` (IV ‖ ciphertext ‖ tag). */
export async function sealWithOwnedKey(
  tx: WorldTx,
  keyring: Keyring,
  service: string,
  region: string,
  now: number,
  plaintext: Uint8Array<ArrayBuffer>,
  context: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const { material } = await ownedKey(tx, keyring, service, region, now);
  const iv = randomBytes(12);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(context) },
      await keyring.aesKey(material),
      plaintext,
    ),
  );
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv);
  out.set(sealed, 12);
  return out;
}

/** Decrypts what {@link sealWithOwnedKey} produced. */
export async function openWithOwnedKey(
  tx: WorldTx,
  keyring: Keyring,
  service: string,
  region: string,
  now: number,
  sealed: Uint8Array<ArrayBuffer>,
  context: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const { material } = await ownedKey(tx, keyring, service, region, now);
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: utf8(context) },
      await keyring.aesKey(material),
      sealed.subarray(12),
    ),
  );
}
