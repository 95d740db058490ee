import type { LegacyDesk } from '../../../workers/kms.worker.ts';
import type { DeskText, KmsWorkerRemote } from '../labTypes.ts';

/**
 * The learner's desk (workers/desk.ts): what the scratchpad and terminal keep with each workspace —
 * its script and command history — stored by the KMS worker.
 */
export class Desk {
  /**
   * Bumped when the open workspace's desk was replaced under the scratchpad and terminal (a
   * workspace file imported): they read it again.
   */
  version = $state(0);

  readonly #api: KmsWorkerRemote;

  constructor(api: KmsWorkerRemote) {
    this.#api = api;
  }

  /** The open workspace's desk was replaced: the scratchpad and terminal read it again. */
  replaced(): void {
    this.version++;
  }

  /**
   * A workspace's script and command history from its desk; parts it has none of are taken over
   * from `legacy` (see src/ui/share/scratchpadScript.ts, which calls this).
   */
  open(workspace: string, legacy?: LegacyDesk): Promise<DeskText> {
    return this.#api.deskOpen(workspace, legacy);
  }

  /** Saves a workspace's scratchpad script in its desk. */
  saveScript(workspace: string, text: string): Promise<void> {
    return this.#api.deskSaveScript(workspace, text);
  }

  /** Adds a command line to a workspace's history (the newest 200 are kept). */
  appendCliHistory(workspace: string, line: string): Promise<string[]> {
    return this.#api.deskAppendHistory(workspace, line);
  }
}
