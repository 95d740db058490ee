/**
 * What the Region card's CloudHSM section reads from the lab state (clusters, custom key stores,
 * XKS proxies of the acting account in one Region) and how it runs its actions: one call at a
 * time, the last failure kept to show with its AWS exception.
 */
import type { ClusterView, CustomKeyStoreView, HsmView, XksProxyView } from '../../kms/index.ts';
import type { CallEntry, CallResult, KmsErrorInfo, Lab } from '../lab.svelte.ts';

export type { ClusterView, CustomKeyStoreView, HsmView, XksProxyView };

/** The acting account's clusters in `region`, oldest first. */
export const clustersIn = (lab: Lab, region: string): ClusterView[] =>
  (lab.state?.clusters ?? []).filter((c) => c.region === region && c.accountId === lab.accountId);

/** The acting account's custom key stores in `region`. */
export const keyStoresIn = (lab: Lab, region: string): CustomKeyStoreView[] =>
  (lab.state?.customKeyStores ?? []).filter((s) => s.region === region && s.accountId === lab.accountId);

/** The acting account's XKS proxies in `region`. */
export const xksProxiesIn = (lab: Lab, region: string): XksProxyView[] =>
  (lab.state?.xksProxies ?? []).filter((p) => p.region === region && p.accountId === lab.accountId);

/** The AZ lanes of a cluster: its subnets' AZs (and any AZ an HSM sits in), sorted. */
export function lanesOf(cluster: ClusterView): { az: string; hsms: HsmView[] }[] {
  const all = [...Object.keys(cluster.subnetMapping), ...cluster.hsms.map((h) => h.availabilityZone)];
  const azs = all.filter((az, i) => all.indexOf(az) === i);
  return [...azs].sort().map((az) => ({ az, hsms: cluster.hsms.filter((h) => h.availabilityZone === az) }));
}

/** The engine's reason for an HSM in a lost AZ (`us-east-1a is down`). */
export const azDownReason = (az: string): string => `${az} is down`;

/** An AZ is shown lost when an HSM in it reports the outage. */
export const isAzDown = (hsms: readonly HsmView[], az: string): boolean =>
  hsms.some((h) => h.unavailable === azDownReason(az));

/** The hop of a call trace naming an HSM (`hsm-… in us-east-1a …`). */
const HSM_HOP = /^(hsm-[2-7a-zA-Z]+) in (\S+)/;

/** Which HSM served the newest call on a CloudHSM key, and which it had to skip. */
export function lastHsmCall(calls: readonly CallEntry[]): {
  requestId: string;
  servedBy?: string;
  skipped: string[];
} | null {
  for (let i = calls.length - 1; i >= 0; i--) {
    const t = calls[i]!.trace;
    const hsmHops = t.hops.filter((h) => h.stage === 'keyStore' && HSM_HOP.test(h.label));
    if (!hsmHops.length) continue;
    const served = hsmHops.find((h) => h.ok);
    return {
      requestId: t.requestId,
      ...(served ? { servedBy: HSM_HOP.exec(served.label)![1] } : {}),
      skipped: hsmHops.filter((h) => !h.ok).map((h) => HSM_HOP.exec(h.label)![1]!),
    };
  }
  return null;
}

/** A subnet ID like AWS's (`subnet-0` and 16 hex digits). */
export function newSubnetId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `subnet-0${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`.slice(0, 24);
}

/** Runs the section's actions one at a time and keeps the last failure. */
export class ActionRunner {
  /** What is running now, for the buttons to show. */
  busy = $state<string | null>(null);
  error = $state.raw<(KmsErrorInfo & { action: string }) | null>(null);

  /** Runs `call` unless another action runs; resolves with its output, or undefined on failure. */
  async run(action: string, call: () => Promise<CallResult<unknown>>): Promise<unknown> {
    if (this.busy) return undefined;
    this.busy = action;
    this.error = null;
    try {
      const r = await call();
      if (r.ok) return r.output ?? {};
      this.error = { ...r.error, action };
      return undefined;
    } finally {
      this.busy = null;
    }
  }
}
