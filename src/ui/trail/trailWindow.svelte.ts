import type { Lab, TrailFilter, TrailRow, TrailWindow } from '../lab.svelte.ts';

/** Rows fetched beyond the visible ones on each side, so that scrolling rarely waits. */
export const FETCH_MARGIN = 120;

/**
 * The CloudTrail viewer's rows, fetched from the KMS worker a window at a time: the page holds a
 * few hundred rows of a trail that may have 100,000 events. `ensure(from, to)` asks for what the
 * viewport needs; answers to stale requests (an older filter or trail) are dropped.
 */
export class TrailRows {
  /** The latest window the worker sent. */
  window = $state.raw<TrailWindow | null>(null);
  readonly #lab: () => Lab;
  #filterKey = '';
  /** The state object the window was read for: a new one means new (or fewer) records. */
  #stateSeen: unknown = null;
  #seq = 0;
  #pending: { from: number; to: number; key: string; state: unknown } | null = null;

  constructor(lab: () => Lab) {
    this.#lab = lab;
  }

  /** Matching records (0 until the first answer). */
  get total(): number {
    return this.window?.total ?? 0;
  }

  /** The row at `position` (newest first among the matches), if fetched. */
  row(position: number): TrailRow | undefined {
    const w = this.window;
    if (!w) return undefined;
    return w.rows[position - w.offset];
  }

  /** Makes sure rows `from…to` of `filter` are (being) fetched. */
  ensure(filter: TrailFilter, from: number, to: number): void {
    const key = JSON.stringify(filter);
    const state = this.#lab().state;
    const w = this.window;
    const fresh = key === this.#filterKey && state === this.#stateSeen && w !== null;
    const covered =
      fresh && from >= w.offset && (to <= w.offset + w.rows.length || w.offset + w.rows.length >= w.total);
    if (covered) return;
    const p = this.#pending;
    if (p && p.key === key && p.state === state && from >= p.from && to <= p.to) return;
    const start = Math.max(0, from - FETCH_MARGIN);
    const end = to + FETCH_MARGIN;
    this.#pending = { from: start, to: end, key, state };
    const seq = ++this.#seq;
    void this.#lab()
      .trail.window(filter, start, end - start)
      .then((next) => {
        if (seq !== this.#seq) return;
        this.#pending = null;
        this.#filterKey = key;
        this.#stateSeen = state;
        this.window = next;
      });
  }
}
