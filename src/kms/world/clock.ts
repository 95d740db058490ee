/**
 * The simulated clock. Time-based behaviour (deletion windows, rotation, expiry) follows it, never
 * the wall clock. It can run with real time (`running`) or stand still until advanced.
 */
export interface ClockState {
  /** Simulated epoch milliseconds at the anchor. */
  simAnchor: number;
  /** Wall epoch milliseconds at the anchor (only meaningful while running). */
  realAnchor: number;
  running: boolean;
}

export class SimulatedClock {
  #state: ClockState;
  readonly #realNow: () => number;

  constructor(state: ClockState, realNow: () => number = Date.now) {
    this.#state = { ...state };
    this.#realNow = realNow;
  }

  static startingAt(simMillis: number, running = false, realNow: () => number = Date.now): SimulatedClock {
    return new SimulatedClock({ simAnchor: simMillis, realAnchor: realNow(), running }, realNow);
  }

  now(): number {
    const s = this.#state;
    return s.running ? s.simAnchor + (this.#realNow() - s.realAnchor) : s.simAnchor;
  }

  /** Moves simulated time to `simMillis` (never backwards). */
  set(simMillis: number): void {
    const target = Math.max(simMillis, this.now());
    this.#state = { simAnchor: target, realAnchor: this.#realNow(), running: this.#state.running };
  }

  setRunning(running: boolean): void {
    this.#state = { simAnchor: this.now(), realAnchor: this.#realNow(), running };
  }

  snapshot(): ClockState {
    return { simAnchor: this.now(), realAnchor: this.#realNow(), running: this.#state.running };
  }
}
