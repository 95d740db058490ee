import type { CallTrace, ScheduledEvent } from '../../kms/index.ts';
import { t } from '../i18n/text.svelte.ts';

/**
 * One packet on its way: the anchors it visits (`data-anchor` values in the world view), in order.
 * A stop may name alternatives (`a|b`): the first one on screen is used.
 */
export interface Flight {
  readonly id: number;
  readonly requestId: string;
  readonly operation: string;
  /** `service`: an event KMS itself makes happen (a scheduled deletion, a rotation). */
  readonly outcome: CallTrace['outcome'] | 'service';
  readonly stops: readonly string[];
  /** Packets leaving the same place at once are stacked: 0 is the first lane. */
  readonly lane: number;
  /** A KMS call an AWS service made: the service's chip label (`S3`) and whom it acted for. */
  readonly via?: { readonly service: string; readonly onBehalfOf: string };
  /** Hops to wait before leaving (a service's KMS call waits for the request to reach the service). */
  readonly delayHops?: number;
  /** Flights launched together (a service call and its KMS calls) share a group; default: their id. */
  readonly group?: number;
}

/** The AWS services that call KMS, by API prefix: their chip label in the world view. */
export const SERVICE_LABELS: Readonly<Record<string, string>> = {
  s3: 'S3',
  ec2: 'EBS',
  rds: 'RDS',
  redshift: 'Redshift',
  ssm: 'SSM',
  secretsmanager: 'Secrets Mgr',
};

/** How long a service's KMS calls wait for the service call they belong to (it reports after them). */
const HELD_MS = 300;

/** The API prefix of a service call's operation or of a trace's `viaService` host, if any. */
export function servicePrefix(operationOrHost: string): string | undefined {
  const m = /^([a-z0-9]+)[:.]/.exec(operationOrHost);
  return m && m[1]! in SERVICE_LABELS ? m[1] : undefined;
}

/** The service's chip at the world's edge (`principal:s3.amazonaws.com`). */
export const serviceAnchor = (prefix: string): string => `principal:${prefix}.amazonaws.com`;

/** A principal ARN as a short name: `root of 111122223333`, `alice`, `Admin/KMSLab`. */
export function shortPrincipal(arn: string): string {
  if (arn.endsWith(':root')) return t('world.rootOf', { account: arn.split(':')[4]! });
  const session = /:assumed-role\/(.+)$/.exec(arn);
  if (session) return session[1]!;
  return arn.split(/[/:]/).pop() || arn;
}

/**
 * Where a caller sits at the world's edge: an assumed-role session at its role, anyone else at
 * their own card, else at their account.
 */
export function callerAnchor(principalArn: string, accountId: string): string {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principalArn);
  const arn = session ? `arn:aws:iam::${session[1]}:role/${session[2]}` : principalArn;
  return `principal:${arn}|account:${accountId}`;
}

/** Playback speeds; 0 turns the animation off (the call log still says everything). */
export const SPEEDS = [0, 0.5, 1, 2, 4] as const;
export type Speed = (typeof SPEEDS)[number];

/** How long a packet takes for one hop at speed 1, in ms. */
export const HOP_MS = 420;
/** Packets in the air at once; later calls wait their turn. */
export const MAX_IN_FLIGHT = 3;
/** Calls waiting beyond this many are not animated (the log still lists them). */
export const MAX_WAITING = 6;

/**
 * Where a CloudHSM-related call goes inside the Region, from what its input names: the HSM, the
 * Availability Zone lane, the custom key store or the cluster of the Region card (world view
 * anchors `hsm:…`, `az:…`, `keystore:…`, `cluster:…`), falling back to the Region's key store.
 */
export function resourceAnchor(input: unknown, region: string): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const i = input as Record<string, unknown>;
  const str = (k: string) => (typeof i[k] === 'string' ? (i[k] as string) : undefined);
  const hsm = str('HsmId');
  const az = str('AvailabilityZone');
  const store = str('CustomKeyStoreId');
  const cluster = str('ClusterId') ?? str('CloudHsmClusterId');
  const anchor = hsm
    ? `hsm:${hsm}`
    : az
      ? `az:${az}`
      : store
        ? `keystore:${store}`
        : cluster
          ? `cluster:${cluster}`
          : undefined;
  return anchor && `${anchor}|cloudhsm:${region}|store:${region}`;
}

/** Calls about CloudHSM resources: its API, the lab controls, the custom key store operations. */
const CLOUDHSM_CALL = /^(cloudhsm:|lab:)|CustomKeyStore/;
/** `hsm-… in us-east-1a …`: the HSM a keyStore hop names (served the call, or was skipped). */
const HSM_HOP = /^(hsm-[2-7a-zA-Z]+) in /;
/** `key generated in cluster-…`: CreateKey in a CloudHSM key store. */
const CLUSTER_HOP = /\b(cluster-[2-7a-zA-Z]+)\b/;

/**
 * The stops of a call's journey, from its trace: caller → Region endpoint → authorization →
 * key (or the Region's key store) → back to the caller. A call that fails stops at the hop that
 * failed and goes straight back. A call on a CloudHSM key store key goes to the HSM that serves
 * it, by way of each HSM it had to skip (stopped, AZ lost); CloudHSM API calls and lab controls
 * go to the resource their `input` names (see {@link resourceAnchor}).
 */
export function stopsOf(trace: CallTrace, hasKeyCard: (arn: string) => boolean, input?: unknown): string[] {
  const service = servicePrefix(trace.operation);
  // A call to S3, EBS…: the caller's request goes to the service's chip and back (the service's
  // own KMS calls are separate packets from the chip, see CallAnimator.enqueue).
  if (service) {
    const from = callerAnchor(trace.principalArn, trace.accountId);
    return [from, serviceAnchor(service), from];
  }
  // A KMS call a service made on someone's behalf leaves from, and returns to, the service's chip.
  const via = trace.viaService ? servicePrefix(trace.viaService) : undefined;
  const caller = via ? serviceAnchor(via) : callerAnchor(trace.principalArn, trace.accountId);
  const stops: string[] = [];
  const hasKeyStoreHop = trace.hops.some((h) => h.stage === 'keyStore');
  for (const hop of trace.hops) {
    if (hop.stage === 'caller') stops.push(caller);
    else if (hop.stage === 'endpoint') stops.push(`endpoint:${trace.region}`);
    else if (hop.stage === 'authorization') {
      stops.push(`auth:${trace.region}`);
      const target =
        hop.ok && !hasKeyStoreHop && CLOUDHSM_CALL.test(trace.operation)
          ? resourceAnchor(input, trace.region)
          : undefined;
      if (target) stops.push(target);
    } else if (hop.stage === 'keyStore') {
      const arn = trace.keyArns.find(hasKeyCard);
      const store = arn ? `key:${arn}` : `store:${trace.region}`;
      const hsm = HSM_HOP.exec(hop.label)?.[1];
      const cluster = CLUSTER_HOP.exec(hop.label)?.[1];
      if (hsm) {
        stops.push(`hsm:${hsm}|${store}`);
        // A skipped HSM: the call moves on to the next one.
        if (!hop.ok) continue;
      } else if (cluster) stops.push(`cluster:${cluster}|${store}`);
      else stops.push(store);
    } else if (hop.stage === 'response') break;
    if (!hop.ok) break;
  }
  if (stops[0] !== caller) stops.unshift(caller);
  // A call refused before it reached the endpoint still travels there and back.
  if (stops.length === 1) stops.push(`endpoint:${trace.region}`);
  stops.push(caller);
  return stops;
}

const SKIPPED_SHOW_MS = 250;

/**
 * Schedules call animations: at most {@link MAX_IN_FLIGHT} packets at once, at most
 * {@link MAX_WAITING} waiting (a burst drops its oldest waiting calls and counts them), none when
 * the speed is 0. Starts at speed 0 when the user prefers reduced motion.
 */
export class CallAnimator {
  speed = $state<Speed>(1);
  /** Packets in the air, for the world view to render. */
  flying = $state.raw<readonly Flight[]>([]);
  /** Calls not animated because of a burst, since the page opened. */
  skipped = $state(0);
  /** Groups of flights waiting to launch together (one flight, or a service call and its KMS calls). */
  #waiting: Flight[][] = [];
  /** KMS calls a service made, waiting for the service call (reported after them) to lead them. */
  #held: Flight[] = [];
  #heldTimer: ReturnType<typeof setTimeout> | null = null;
  #nextId = 1;
  #skipped = 0;
  #skippedTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches)
      this.speed = 0;
  }

  /** Duration of one hop at the current speed, in ms. */
  get hopMs(): number {
    return this.speed === 0 ? 0 : HOP_MS / this.speed;
  }

  /** A call's packet; `input` (the request, when known) names where a CloudHSM call goes. */
  enqueue(trace: CallTrace, hasKeyCard: (arn: string) => boolean, input?: unknown): void {
    if (this.speed === 0) return;
    const via = trace.viaService ? servicePrefix(trace.viaService) : undefined;
    const flight: Flight = {
      id: this.#nextId++,
      requestId: trace.requestId,
      operation: trace.operation,
      outcome: trace.outcome,
      stops: stopsOf(trace, hasKeyCard, input),
      lane: 0,
      ...(via
        ? { via: { service: SERVICE_LABELS[via]!, onBehalfOf: shortPrincipal(trace.principalArn) } }
        : {}),
    };
    if (via) {
      // The engine reports a service's KMS calls before the service call that made them.
      this.#held.push(flight);
      this.#heldTimer ??= setTimeout(() => this.#releaseHeld(), HELD_MS);
      return;
    }
    if (servicePrefix(trace.operation)) this.#wait(this.#serviceGroup(flight));
    else this.#wait(flight);
  }

  /**
   * A service call and the KMS calls it made, as one group: the request travels to the service's
   * chip, each KMS call leaves the chip in turn once the previous one is back, and the request
   * waits at the chip until the last one returned before going back to the caller.
   */
  #serviceGroup(call: Flight): Flight[] {
    const inner = this.#takeHeld();
    const [from, chip] = call.stops;
    let delay = 1;
    const kms = inner.map((f) => {
      const timed = { ...f, delayHops: delay, group: call.id };
      delay += f.stops.length - 1;
      return timed;
    });
    const waiting = Array.from({ length: delay - 1 }, () => chip!);
    return [{ ...call, stops: [from!, chip!, ...waiting, from!], group: call.id }, ...kms];
  }

  #takeHeld(): Flight[] {
    if (this.#heldTimer !== null) clearTimeout(this.#heldTimer);
    this.#heldTimer = null;
    const held = this.#held;
    this.#held = [];
    return held;
  }

  /** Service KMS calls whose service call never came (it is not animated): they fly on their own. */
  #releaseHeld() {
    const held = this.#takeHeld();
    let delay = 0;
    const group = held[0]?.id;
    const timed = held.map((f) => {
      const flight = { ...f, delayHops: delay, group };
      delay += f.stops.length - 1;
      return flight;
    });
    if (timed.length) this.#wait(timed);
  }

  /** A service event (DeleteKey, RotateKey…): from the Region's key store to the key and back. */
  enqueueService(event: ScheduledEvent, requestId: string): void {
    const store = `store:${event.region}`;
    this.#wait({
      id: this.#nextId++,
      requestId,
      operation: event.kind,
      outcome: 'service',
      stops: [store, `key:${event.keyArn}|endpoint:${event.region}`, store],
      lane: 0,
    });
  }

  #wait(flight: Flight | Flight[]) {
    if (this.speed === 0) return;
    this.#waiting.push(Array.isArray(flight) ? flight : [flight]);
    const excess = this.#waiting.length - MAX_WAITING;
    if (excess > 0) {
      this.#waiting.splice(0, excess);
      this.#skipped += excess;
      // Shown at most every SKIPPED_SHOW_MS: a burst must not repaint the page per call.
      if (this.#skippedTimer === null)
        this.#skippedTimer = setTimeout(() => {
          this.#skippedTimer = null;
          this.skipped = this.#skipped;
        }, SKIPPED_SHOW_MS);
    }
    this.#launch();
  }

  /** A packet arrived back at its caller. */
  landed(id: number): void {
    this.flying = this.flying.filter((f) => f.id !== id);
    this.#launch();
  }

  setSpeed(speed: Speed): void {
    this.speed = speed;
    if (speed === 0) {
      this.#waiting = [];
      this.#takeHeld();
      this.flying = [];
    }
  }

  #launch() {
    // A group (a service call with its KMS calls) takes one place in the air.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch set, not state
    const room = MAX_IN_FLIGHT - new Set(this.flying.map((f) => f.group ?? f.id)).size;
    if (room <= 0 || !this.#waiting.length) return;
    const next = [...this.flying];
    for (const f of this.#waiting.splice(0, room).flat()) {
      // The lowest lane no packet from the same starting point is using.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch set, not state
      const used = new Set(next.filter((x) => x.stops[0] === f.stops[0]).map((x) => x.lane));
      // A service's KMS call sits below the request waiting at the service's chip.
      let lane = f.via ? 1 : 0;
      while (used.has(lane)) lane++;
      next.push({ ...f, lane });
    }
    this.flying = next;
  }
}
