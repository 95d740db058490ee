import type { CloudTrailRecord } from '../../kms/index.ts';
import type {
  KmsWorkerRemote,
  TamperAction,
  TrailDeliveryState,
  TrailFacets,
  TrailFilter,
  TrailRow,
  TrailWindow,
  ValidateLogsResult,
} from '../labTypes.ts';

/** CloudTrail records the page keeps (the newest); the rest are asked of the worker by window. */
const TRAIL_TAIL = 1000;

/**
 * The page's side of the CloudTrail trail. The whole trail stays in the KMS worker: the page keeps
 * its newest records (read with each refresh of the lab) and asks the worker for windows of rows,
 * single records, the delivered log files and their validation.
 */
export class Trail {
  /** The latest CloudTrail records (at most {@link TRAIL_TAIL}), oldest first. */
  records = $state.raw<readonly CloudTrailRecord[]>([]);
  /** Bumped when the trail is replaced rather than appended to (undo, import, another workspace). */
  generation = $state(0);

  readonly #api: KmsWorkerRemote;
  /** Trail length the tail was read up to. */
  #end = 0;
  #replaced = false;

  constructor(api: KmsWorkerRemote) {
    this.#api = api;
  }

  /** The worker replaced the trail: the next read takes the tail afresh. */
  replaced(): void {
    this.#replaced = true;
  }

  /**
   * Asks the worker for the records added since the last read; resolves with a function that shows
   * them, for the lab to call together with showing the world state it read at the same time.
   */
  async readTail(): Promise<() => void> {
    const reset = this.#replaced;
    this.#replaced = false;
    const tail = await this.#api.trailTail(reset ? 0 : this.#end, TRAIL_TAIL);
    return () => {
      this.#end = tail.end;
      if (reset) {
        this.records = tail.records;
        this.generation++;
      } else if (tail.records.length) this.records = this.records.concat(tail.records).slice(-TRAIL_TAIL);
    };
  }

  /** Rows `offset…offset+limit` (newest first) of the CloudTrail records matching `filter`. */
  window(filter: TrailFilter, offset: number, limit: number): Promise<TrailWindow> {
    return this.#api.trailWindow(filter, offset, limit);
  }

  facets(): Promise<TrailFacets> {
    return this.#api.trailFacets();
  }

  /** The full record behind a trail row. */
  record(row: TrailRow): Promise<CloudTrailRecord | null> {
    return this.#api.trailRecord(row.index, row.eventID);
  }

  /** The trail bucket's log and digest files. */
  files(): Promise<TrailDeliveryState> {
    return this.#api.trailFiles();
  }

  /** Delivers log and digest files for every complete simulated hour not yet delivered. */
  deliver(): Promise<TrailDeliveryState & { delivered: { logFiles: number; digestFiles: number } }> {
    return this.#api.deliverTrail();
  }

  tamper(key: string, action: TamperAction): Promise<TrailDeliveryState> {
    return this.#api.tamperTrail(key, action);
  }

  /** `aws cloudtrail validate-logs` for an account and Region of the trail. */
  validate(account: string, region: string): Promise<ValidateLogsResult> {
    return this.#api.validateTrail(account, region);
  }
}
