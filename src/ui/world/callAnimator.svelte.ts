import type { CallTrace, ScheduledEvent } from '../../kms/index.ts';

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
 * The stops of a call's journey, from its trace: caller → Region endpoint → authorization →
 * key (or the Region's key store) → back to the caller. A call that fails stops at the hop that
 * failed and goes straight back.
 */
export function stopsOf(trace: CallTrace, hasKeyCard: (arn: string) => boolean): string[] {
  const caller = callerAnchor(trace.principalArn, trace.accountId);
  const stops: string[] = [];
  for (const hop of trace.hops) {
    if (hop.stage === 'caller') stops.push(caller);
    else if (hop.stage === 'endpoint') stops.push(`endpoint:${trace.region}`);
    else if (hop.stage === 'authorization') stops.push(`auth:${trace.region}`);
    else if (hop.stage === 'keyStore') {
      const arn = trace.keyArns.find(hasKeyCard);
      stops.push(arn ? `key:${arn}` : `store:${trace.region}`);
    } else if (hop.stage === 'response') break;
    if (!hop.ok) break;
  }
  if (stops[0] !== caller) stops.unshift(caller);
  // A call refused before it reached the endpoint still travels there and back.
  if (stops.length === 1) stops.push(`endpoint:${trace.region}`);
  stops.push(caller);
  return stops;
}

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
  #waiting: Flight[] = [];
  #nextId = 1;

  constructor() {
    if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches)
      this.speed = 0;
  }

  /** Duration of one hop at the current speed, in ms. */
  get hopMs(): number {
    return this.speed === 0 ? 0 : HOP_MS / this.speed;
  }

  enqueue(trace: CallTrace, hasKeyCard: (arn: string) => boolean): void {
    this.#wait({
      id: this.#nextId++,
      requestId: trace.requestId,
      operation: trace.operation,
      outcome: trace.outcome,
      stops: stopsOf(trace, hasKeyCard),
      lane: 0,
    });
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

  #wait(flight: Flight) {
    if (this.speed === 0) return;
    this.#waiting.push(flight);
    const excess = this.#waiting.length - MAX_WAITING;
    if (excess > 0) {
      this.#waiting.splice(0, excess);
      this.skipped += excess;
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
      this.flying = [];
    }
  }

  #launch() {
    const room = MAX_IN_FLIGHT - this.flying.length;
    if (room <= 0 || !this.#waiting.length) return;
    const next = [...this.flying];
    for (const f of this.#waiting.splice(0, room)) {
      // The lowest lane no packet from the same starting point is using.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch set, not state
      const used = new Set(next.filter((x) => x.stops[0] === f.stops[0]).map((x) => x.lane));
      let lane = 0;
      while (used.has(lane)) lane++;
      next.push({ ...f, lane });
    }
    this.flying = next;
  }
}
