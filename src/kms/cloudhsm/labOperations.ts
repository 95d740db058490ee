/**
 * Lab controls for the simulated CloudHSM: the setup steps this lab has no CloudHSM CLI for, and
 * the faults a learner injects to watch a custom key store work and break. Named `lab:<Name>`,
 * called with `kms.lab('StopHsm', { HsmId })` or `KmsLab.StopHsm` on the wire. They are traced
 * (the UI animates them) but are no AWS API calls: no CloudTrail record. They act in the caller's
 * account and Region, as that account's root user.
 *
 * Setup: ActivateCluster (CloudHSM CLI `cluster activate`), SetKmsUserPassword (create the `kmsuser`
 * crypto user, or reset its password and unlock it).
 * Faults: StopHsm / StartHsm, LoseAvailabilityZone / RestoreAvailabilityZone, DeleteHsm,
 * WrongKmsUserPassword (someone changed kmsuser's password in the cluster: the next connection
 * fails with INVALID_CREDENTIALS), LockKmsUser (USER_LOCKED_OUT), DisconnectCustomKeyStore.
 * The external key store's controls (XKS proxy, external keys) follow: xks/labOperations.ts.
 */
import { KmsError } from '../errors.ts';
import { newHexId } from '../crypto/random.ts';
import type { CallContext } from '../operations/context.ts';
import type { OperationFamily } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import { REGIONS } from '../world/regions.ts';
import { disconnectStore, KeyStoreErr } from './keyStores.ts';
import {
  AZ_OUTAGE_KIND,
  azOutageArn,
  CLUSTER_KIND,
  edit,
  findKeyStore,
  HSM_KIND,
  synchroniseCluster,
  type ClusterData,
  type Hsm,
  type HsmData,
} from './model.ts';
import { clusterFor, invalidRequest, resourceNotFound } from './operations.ts';
import { clusterView } from './views.ts';
import { lab } from './endpoints.ts';
import { xksLabOperations } from '../xks/labOperations.ts';

const clusterId = S.str(undefined, undefined, '^cluster-[2-7a-zA-Z]{11,16}$');
const hsmId = S.str(undefined, undefined, '^hsm-[2-7a-zA-Z]{11,16}$');
const az = S.str(1, 32, '^[a-z]{2}(-gov)?-[a-z]+-\\d[a-z]$');

function hsmFor(ctx: CallContext, id: string): Hsm {
  const hsm = ctx.tx.resources<HsmData>(HSM_KIND, ctx.accountId, ctx.region).find((h) => h.data.hsmId === id);
  if (!hsm) throw resourceNotFound(`The HSM ${id} does not exist in ${ctx.region}.`);
  return hsm;
}

/** Every cluster of the Region catches up on key material (an HSM or AZ came back). */
function synchroniseRegion(ctx: CallContext, region: string) {
  for (const c of ctx.tx.resources<ClusterData>(CLUSTER_KIND, undefined, region))
    synchroniseCluster(ctx.tx, c);
}

const clusterOutput = (ctx: CallContext, id: string) => ({
  Cluster: clusterView(ctx.tx, clusterFor(ctx, id)),
});

/** The lab controls: CloudHSM's, then the external key store's (xks/labOperations.ts). */
export const cloudHsmLabOperations: OperationFamily = [
  lab({
    name: 'ActivateCluster',
    input: S.struct({ ClusterId: clusterId }, ['ClusterId']),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      if (cluster.data.state !== 'INITIALIZED')
        throw invalidRequest(
          `The cluster ${cluster.data.clusterId} is ${cluster.data.state}; only an INITIALIZED cluster can be activated.`,
        );
      const c = edit(ctx.tx, cluster);
      c.data.state = 'ACTIVE';
      delete c.data.stateMessage;
      return clusterOutput(ctx, ctx.input.ClusterId);
    },
  }),
  lab({
    name: 'SetKmsUserPassword',
    input: S.struct({ ClusterId: clusterId, Password: { ...S.str(7, 32), sensitive: true } }, [
      'ClusterId',
      'Password',
    ]),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      if (cluster.data.state !== 'ACTIVE')
        throw invalidRequest(`The cluster ${cluster.data.clusterId} must be ACTIVE to manage its users.`);
      edit(ctx.tx, cluster).data.kmsUser = { password: ctx.input.Password, lockedOut: false };
      return clusterOutput(ctx, ctx.input.ClusterId);
    },
  }),
  lab({
    name: 'WrongKmsUserPassword',
    input: S.struct({ ClusterId: clusterId }, ['ClusterId']),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      if (!cluster.data.kmsUser)
        throw invalidRequest(`The cluster ${cluster.data.clusterId} has no kmsuser.`);
      // Someone changed kmsuser's password in the cluster; no key store knows the new one.
      edit(ctx.tx, cluster).data.kmsUser = { ...cluster.data.kmsUser, password: newHexId(12) };
      return clusterOutput(ctx, ctx.input.ClusterId);
    },
  }),
  lab({
    name: 'LockKmsUser',
    input: S.struct({ ClusterId: clusterId }, ['ClusterId']),
    handler(ctx) {
      const cluster = clusterFor(ctx, ctx.input.ClusterId);
      if (!cluster.data.kmsUser)
        throw invalidRequest(`The cluster ${cluster.data.clusterId} has no kmsuser.`);
      edit(ctx.tx, cluster).data.kmsUser = { ...cluster.data.kmsUser, lockedOut: true };
      return clusterOutput(ctx, ctx.input.ClusterId);
    },
  }),
  lab({
    name: 'StopHsm',
    input: S.struct({ HsmId: hsmId }, ['HsmId']),
    handler(ctx) {
      const hsm = hsmFor(ctx, ctx.input.HsmId);
      edit(ctx.tx, hsm).data.stopped = true;
      return clusterOutput(ctx, hsm.data.clusterId);
    },
  }),
  lab({
    name: 'StartHsm',
    input: S.struct({ HsmId: hsmId }, ['HsmId']),
    handler(ctx) {
      const hsm = hsmFor(ctx, ctx.input.HsmId);
      delete edit(ctx.tx, hsm).data.stopped;
      synchroniseCluster(ctx.tx, clusterFor(ctx, hsm.data.clusterId));
      return clusterOutput(ctx, hsm.data.clusterId);
    },
  }),
  lab({
    name: 'DeleteHsm',
    input: S.struct({ HsmId: hsmId }, ['HsmId']),
    handler(ctx) {
      const hsm = hsmFor(ctx, ctx.input.HsmId);
      ctx.tx.deleteResource(hsm.arn);
      return clusterOutput(ctx, hsm.data.clusterId);
    },
  }),
  lab({
    name: 'LoseAvailabilityZone',
    input: S.struct({ AvailabilityZone: az }, ['AvailabilityZone']),
    handler(ctx) {
      const zone = ctx.input.AvailabilityZone as string;
      const region = regionOfAz(zone);
      if (!ctx.tx.resource(azOutageArn(region, zone)))
        ctx.tx.putResource({
          arn: azOutageArn(region, zone),
          kind: AZ_OUTAGE_KIND,
          // An outage is the Region's, not an account's.
          accountId: '',
          region,
          createdAt: ctx.now,
          data: { availabilityZone: zone },
        });
      return { AvailabilityZone: zone, Available: false };
    },
  }),
  lab({
    name: 'RestoreAvailabilityZone',
    input: S.struct({ AvailabilityZone: az }, ['AvailabilityZone']),
    handler(ctx) {
      const zone = ctx.input.AvailabilityZone as string;
      const region = regionOfAz(zone);
      ctx.tx.deleteResource(azOutageArn(region, zone));
      synchroniseRegion(ctx, region);
      return { AvailabilityZone: zone, Available: true };
    },
  }),
  lab({
    name: 'DisconnectCustomKeyStore',
    input: S.struct({ CustomKeyStoreId: S.str(1, 64) }, ['CustomKeyStoreId']),
    handler(ctx) {
      const store = findKeyStore(ctx.tx, ctx.accountId, ctx.region, ctx.input.CustomKeyStoreId);
      if (!store) throw KeyStoreErr.notFound(ctx.input.CustomKeyStoreId);
      if (store.data.connectionState !== 'DISCONNECTED') disconnectStore(ctx.tx, store);
      return { CustomKeyStoreId: store.data.customKeyStoreId, ConnectionState: 'DISCONNECTED' };
    },
  }),
  ...xksLabOperations,
];

function regionOfAz(zone: string): string {
  const region = REGIONS.find((r) => r.availabilityZones.includes(zone));
  if (!region) throw new KmsError('ValidationException', `Unknown Availability Zone ${zone}.`);
  return region.name;
}

/** The names of the fault controls (the rest of the lab family sets a cluster up). */
export const CLOUDHSM_FAULTS = [
  'StopHsm',
  'StartHsm',
  'LoseAvailabilityZone',
  'RestoreAvailabilityZone',
  'DeleteHsm',
  'WrongKmsUserPassword',
  'LockKmsUser',
  'DisconnectCustomKeyStore',
] as const;
export type CloudHsmFault = (typeof CLOUDHSM_FAULTS)[number];
