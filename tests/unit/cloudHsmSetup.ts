/** Shared set-up of the CloudHSM tests: a cluster with HSMs, initialized, activated, with kmsuser. */
import { expect } from 'vitest';
import {
  KmsError,
  rootPrincipal,
  type CallerContext,
  type CallTrace,
  type Kms,
} from '../../src/kms/index.ts';

export const ACCOUNT = '111122223333';
export const east: CallerContext = { principal: rootPrincipal(ACCOUNT), region: 'us-east-1' };
export const PASSWORD = 'kmsuser-Passw0rd';
export const TRUST_ANCHOR =
  '-----BEGIN CERTIFICATE-----\nMIIBcustomerCAcertificateForTheLab==\n-----END CERTIFICATE-----\n';
export const SIGNED_CERT =
  '-----BEGIN CERTIFICATE-----\nMIIBclusterCertificateSignedByTheCA==\n-----END CERTIFICATE-----\n';

export async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

/** An ACTIVE cluster in us-east-1 with subnets in AZs a and b, HSMs in the given AZs, and kmsuser. */
export async function activeCluster(
  kms: Kms,
  azs: string[],
): Promise<{ clusterId: string; hsmIds: string[] }> {
  const { Cluster } = (await kms.cloudHsm(
    'CreateCluster',
    { HsmType: 'hsm2m.medium', SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'] },
    east,
  )) as { Cluster: { ClusterId: string; State: string } };
  expect(Cluster.State).toBe('UNINITIALIZED');
  const hsmIds: string[] = [];
  for (const az of azs) hsmIds.push(await addHsm(kms, Cluster.ClusterId, az));
  const init = await kms.cloudHsm(
    'InitializeCluster',
    { ClusterId: Cluster.ClusterId, SignedCert: SIGNED_CERT, TrustAnchor: TRUST_ANCHOR },
    east,
  );
  expect(init.State).toBe('INITIALIZED');
  await kms.lab('ActivateCluster', { ClusterId: Cluster.ClusterId }, east);
  await kms.lab('SetKmsUserPassword', { ClusterId: Cluster.ClusterId, Password: PASSWORD }, east);
  return { clusterId: Cluster.ClusterId, hsmIds };
}

export async function addHsm(kms: Kms, clusterId: string, az: string): Promise<string> {
  const { Hsm } = (await kms.cloudHsm('CreateHsm', { ClusterId: clusterId, AvailabilityZone: az }, east)) as {
    Hsm: { HsmId: string; State: string };
  };
  expect(Hsm.State).toBe('ACTIVE');
  return Hsm.HsmId;
}

export async function createStore(kms: Kms, clusterId: string, name = 'ExampleKeyStore'): Promise<string> {
  const { CustomKeyStoreId } = await kms.call(
    'CreateCustomKeyStore',
    {
      CustomKeyStoreName: name,
      CloudHsmClusterId: clusterId,
      TrustAnchorCertificate: TRUST_ANCHOR,
      KeyStorePassword: PASSWORD,
    },
    east,
  );
  return CustomKeyStoreId!;
}

export async function connectionState(kms: Kms, id: string) {
  const { CustomKeyStores } = await kms.call('DescribeCustomKeyStores', { CustomKeyStoreId: id }, east);
  return { state: CustomKeyStores![0]!.ConnectionState, error: CustomKeyStores![0]!.ConnectionErrorCode };
}

/** Connects a store and lets the simulated clock complete the attempt. */
export async function connect(kms: Kms, id: string) {
  await kms.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, east);
  expect((await connectionState(kms, id)).state).toBe('CONNECTING');
  await kms.advanceClock(60);
  return connectionState(kms, id);
}

/** Collects the traces of every call. */
export function traces(kms: Kms): CallTrace[] {
  const out: CallTrace[] = [];
  kms.onEvent((e) => {
    if (e.type === 'call') out.push(e.trace);
  });
  return out;
}

/** The keyStore hop naming the HSM that served a call. */
export const servedBy = (t: CallTrace): string | undefined =>
  t.hops.find((h) => h.stage === 'keyStore' && h.ok && /^hsm-/.test(h.label))?.label;
