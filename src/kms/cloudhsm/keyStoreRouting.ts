/**
 * The key store routing step of the call pipeline: where a cryptographic operation runs.
 *
 * Keys in the default key store run in the AWS KMS HSM fleet and pass through unchanged. Keys in
 * an AWS CloudHSM key store run "inside an HSM" of their cluster: the engine (engine.ts) routes
 * every cryptographic call on such a key here before its handler, which
 * - refuses operations CloudHSM key stores do not support (GenerateDataKeyPair…);
 * - checks the store is CONNECTED and picks an available HSM holding the key's material, spreading
 *   calls over the Availability Zones (round robin), skipping stopped HSMs and lost AZs, each skip
 *   a trace hop; with none available the call fails with KMSInvalidStateException, which AWS
 *   documents as the generic failure of cryptographic operations in custom key stores;
 * - records `additionalEventData.customKeyStoreId` in CloudTrail and names the HSM and AZ in the
 *   trace (`ctx.servedBy`);
 * - hands the handler the key with its material as the HSM holds it (wrapped in the cluster
 *   record), so the symmetric crypto runs unchanged.
 * Keys in an external key store go to their XKS proxy instead (xks/keyStores.ts `routeToXks`): the
 * KMS layer and the external key's layer (double encryption), the trace naming the proxy.
 * GenerateRandom with a CustomKeyStoreId uses `routeRandom`, the same step without a key
 * (UnsupportedOperationException for an external key store).
 */
import { Err } from '../errors.ts';
import type { KeyRecord } from '../model/key.ts';
import type { CallContext } from '../operations/context.ts';
import {
  findCluster,
  findKeyStore,
  hsmsOf,
  hsmUnavailability,
  isCloudHsmStore,
  type CloudHsmKeyStore,
  type Cluster,
  type Hsm,
  type XksKeyStore,
} from './model.ts';
import { KeyStoreErr } from './keyStores.ts';
import { routeToXks } from '../xks/keyStores.ts';

/** Cryptographic operations an AWS CloudHSM key store key supports (kms-api.md §10). */
const SUPPORTED = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
]);

/** Round-robin cursors per cluster (in memory: which HSM serves next is not world state). */
const cursors = new Map<string, number>();

/** The key as the handler must use it: routed to an HSM when it lives in a custom key store. */
export function routeToKeyStore(ctx: CallContext, key: KeyRecord): KeyRecord {
  if (!key.customKeyStoreId) return key;
  if (!SUPPORTED.has(ctx.op.name))
    throw Err.UnsupportedOperation(
      `${key.arn} origin is ${key.origin} which is not valid for this operation.`,
    );
  const store = findKeyStore(ctx.tx, key.accountId, key.region, key.customKeyStoreId);
  noteStore(ctx, key.customKeyStoreId);
  if (store?.data.connectionState !== 'CONNECTED') throw Err.InvalidState(`${key.arn} is unavailable.`);
  // An external key store: the call goes through its XKS proxy (double encryption, xks/keyStores.ts).
  if (!isCloudHsmStore(store)) return routeToXks(ctx, key, store as XksKeyStore);
  const cluster = findCluster(ctx.tx, key.accountId, key.region, store.data.cloudHsmClusterId);
  pickHsm(ctx, store, cluster, key.currentMaterialId);
  const materials = cluster!.data.keyMaterial.filter((m) => m.keyArn === key.arn);
  return { ...key, materials: key.materials.map((m) => materials.find((x) => x.id === m.id) ?? m) };
}

/** GenerateRandom with a CustomKeyStoreId: random bytes from an HSM of a CONNECTED CloudHSM store. */
export function routeRandom(ctx: CallContext, customKeyStoreId: string): void {
  const store = findKeyStore(ctx.tx, ctx.accountId, ctx.region, customKeyStoreId);
  if (!store) throw KeyStoreErr.notFound(customKeyStoreId);
  if (!isCloudHsmStore(store))
    // The model's GenerateRandom documentation: external key store IDs are not valid here.
    throw Err.UnsupportedOperation(
      `Custom key store ${customKeyStoreId} is an external key store (EXTERNAL_KEY_STORE); GenerateRandom does not support external key stores.`,
    );
  noteStore(ctx, customKeyStoreId);
  if (store.data.connectionState !== 'CONNECTED')
    throw KeyStoreErr.invalidState(
      `Custom key store ${customKeyStoreId} is ${store.data.connectionState}; it must be CONNECTED to generate random bytes.`,
    );
  pickHsm(ctx, store, findCluster(ctx.tx, ctx.accountId, ctx.region, store.data.cloudHsmClusterId));
}

function noteStore(ctx: CallContext, customKeyStoreId: string) {
  ctx.trail.additionalEventData = { ...ctx.trail.additionalEventData, customKeyStoreId };
}

/** HSMs interleaved by AZ (a1, b1, a2, b2…), so that round robin spreads over the AZs. */
function spreadOverAzs(hsms: Hsm[]): Hsm[] {
  const byAz = new Map<string, Hsm[]>();
  for (const h of [...hsms].sort((a, b) => (a.data.hsmId < b.data.hsmId ? -1 : 1)))
    byAz.set(h.data.availabilityZone, [...(byAz.get(h.data.availabilityZone) ?? []), h]);
  const lanes = [...byAz.keys()].sort().map((az) => byAz.get(az)!);
  const out: Hsm[] = [];
  for (let i = 0; lanes.some((l) => i < l.length); i++) for (const l of lanes) if (l[i]) out.push(l[i]!);
  return out;
}

function pickHsm(
  ctx: CallContext,
  store: CloudHsmKeyStore,
  cluster: Cluster | undefined,
  materialId?: string,
): Hsm {
  const { customKeyStoreId: storeId, cloudHsmClusterId: clusterId } = store.data;
  // (unverified) wording: AWS documents KMSInvalidStateException as the generic failure of
  // cryptographic operations on keys in a custom key store, without a fixed message.
  const noHsm = () =>
    Err.InvalidState(
      `KMS cannot perform this operation because the AWS CloudHSM cluster ${clusterId} associated with custom key store ${storeId} has no available HSM.`,
    );
  if (!cluster) throw noHsm();
  const ordered = spreadOverAzs(hsmsOf(ctx.tx, cluster));
  const usable: Hsm[] = [];
  for (const h of ordered) {
    const why =
      hsmUnavailability(ctx.tx, h) ??
      (materialId && !h.data.materialIds.includes(materialId) ? 'key material not synchronised' : undefined);
    if (why)
      ctx.hops.push({
        stage: 'keyStore',
        latencyMs: 1,
        label: `${h.data.hsmId} in ${h.data.availabilityZone} unavailable: ${why}`,
        ok: false,
      });
    else usable.push(h);
  }
  if (usable.length === 0) throw noHsm();
  const n = cursors.get(cluster.arn) ?? 0;
  cursors.set(cluster.arn, n + 1);
  // Round robin over the usable HSMs, in AZ-interleaved order.
  const hsm = usable[n % usable.length]!;
  ctx.servedBy = `${hsm.data.hsmId} in ${hsm.data.availabilityZone} (${clusterId}, ${storeId})`;
  return hsm;
}
