/**
 * The CloudTrail viewer's queries, answered in the KMS worker where the trail lives: the page asks
 * for a window of filtered rows and the count, never for 100,000 records at once.
 *
 * {@link TrailIndex} keeps, per record, the few strings the filters look at, and per filter the
 * list of matching record positions; both grow incrementally as the trail grows, and start over
 * when the trail is replaced (undo, import, another workspace).
 */
import type { CloudTrailRecord } from '../src/kms/index.ts';

/** What the viewer filters on; an empty string matches everything. */
export interface TrailFilter {
  readonly eventName?: string;
  /** An exception name, or `(none)` for calls without an error. */
  readonly errorCode?: string;
  /** The caller as {@link TrailRow.who} shows it. */
  readonly principal?: string;
  /** Case-insensitive text contained in a key ARN or key ID the event names. */
  readonly keyText?: string;
}

/** One line of the viewer: enough to draw the row; the full record comes on demand. */
export interface TrailRow {
  /** Position in the trail (oldest is 0): a row's stable identity. */
  readonly index: number;
  readonly eventID: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly awsRegion: string;
  readonly errorCode?: string;
  readonly serviceEvent: boolean;
  readonly who: string;
}

export interface TrailWindow {
  /** Changes whenever the trail is replaced rather than appended to. */
  readonly generation: number;
  /** Records in the trail. */
  readonly length: number;
  /** Records matching the filter. */
  readonly total: number;
  /** Position (newest first, among matches) of `rows[0]`. */
  readonly offset: number;
  /** Matching rows, newest first. */
  readonly rows: readonly TrailRow[];
}

export interface TrailFacets {
  readonly eventNames: readonly string[];
  readonly errorCodes: readonly string[];
  readonly principals: readonly string[];
}

/** A window is at most this many rows: a viewport and its overscan, never the whole trail. */
export const MAX_WINDOW = 500;

export const whoOf = (r: CloudTrailRecord): string =>
  r.eventType === 'AwsServiceEvent'
    ? 'AWS KMS'
    : String(r.userIdentity.arn ?? r.userIdentity.invokedBy ?? r.userIdentity.type ?? 'unknown');

const keyTextOf = (r: CloudTrailRecord): string =>
  (
    (r.resources ?? []).map((x) => x.ARN).join(' ') +
    ' ' +
    String(r.requestParameters?.keyId ?? '')
  ).toLowerCase();

export class TrailIndex {
  #source: readonly CloudTrailRecord[] | null = null;
  #generation = 0;
  #who: string[] = [];
  #keyText: (string | undefined)[] = [];
  #names = new Set<string>();
  #codes = new Set<string>();
  #principals = new Set<string>();
  /** The last filter's matches (trail positions, oldest first) and how far they were scanned. */
  #match: { key: string; positions: number[]; scanned: number } | null = null;

  /** Catches up with `trail` (the engine's live array); starts over if it was replaced. */
  #sync(trail: readonly CloudTrailRecord[]) {
    if (trail !== this.#source || trail.length < this.#who.length) {
      this.#source = trail;
      this.#generation++;
      this.#who = [];
      this.#keyText = [];
      this.#names.clear();
      this.#codes.clear();
      this.#principals.clear();
      this.#match = null;
    }
    for (let i = this.#who.length; i < trail.length; i++) {
      const r = trail[i]!;
      const who = whoOf(r);
      this.#who.push(who);
      this.#names.add(r.eventName);
      if (r.errorCode) this.#codes.add(r.errorCode);
      this.#principals.add(who);
    }
  }

  facets(trail: readonly CloudTrailRecord[]): TrailFacets {
    this.#sync(trail);
    const sorted = (s: Set<string>) => [...s].sort();
    return {
      eventNames: sorted(this.#names),
      errorCodes: sorted(this.#codes),
      principals: sorted(this.#principals),
    };
  }

  /** Rows `offset … offset + limit` (newest first) of the records matching `filter`. */
  window(
    trail: readonly CloudTrailRecord[],
    filter: TrailFilter,
    offset: number,
    limit: number,
  ): TrailWindow {
    this.#sync(trail);
    const positions = this.#matches(trail, filter);
    const total = positions?.length ?? trail.length;
    const from = Math.max(0, Math.min(Math.floor(offset), total));
    const to = Math.min(total, from + Math.max(0, Math.min(Math.floor(limit), MAX_WINDOW)));
    const rows: TrailRow[] = [];
    for (let p = from; p < to; p++) {
      const index = positions ? positions[total - 1 - p]! : total - 1 - p;
      const r = trail[index]!;
      rows.push({
        index,
        eventID: r.eventID,
        eventName: r.eventName,
        eventTime: r.eventTime,
        awsRegion: r.awsRegion,
        ...(r.errorCode ? { errorCode: r.errorCode } : {}),
        serviceEvent: r.eventType === 'AwsServiceEvent',
        who: this.#who[index]!,
      });
    }
    return { generation: this.#generation, length: trail.length, total, offset: from, rows };
  }

  /** Positions of the matching records, oldest first; null when the filter matches everything. */
  #matches(trail: readonly CloudTrailRecord[], f: TrailFilter): number[] | null {
    const keyText = (f.keyText ?? '').trim().toLowerCase();
    if (!f.eventName && !f.errorCode && !f.principal && !keyText) return null;
    const key = JSON.stringify([f.eventName ?? '', f.errorCode ?? '', f.principal ?? '', keyText]);
    if (this.#match?.key !== key) this.#match = { key, positions: [], scanned: 0 };
    const m = this.#match;
    for (let i = m.scanned; i < trail.length; i++) {
      const r = trail[i]!;
      if (f.eventName && r.eventName !== f.eventName) continue;
      if (f.errorCode && (f.errorCode === '(none)' ? r.errorCode : r.errorCode !== f.errorCode)) continue;
      if (f.principal && this.#who[i] !== f.principal) continue;
      if (keyText && !(this.#keyText[i] ??= keyTextOf(r)).includes(keyText)) continue;
      m.positions.push(i);
    }
    m.scanned = trail.length;
    return m.positions;
  }
}
