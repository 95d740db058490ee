import type { PersistedWorld } from '../../kms/index.ts';
import { WORKSPACE_STORAGE } from '../kmsWorker.ts';
import type { KmsWorkerRemote } from '../labTypes.ts';
import { forgetDesk } from '../share/scratchpadScript.ts';
import { decodeWorkspaceFile, encodeWorkspaceFile } from '../workspaceFile.ts';
import type { Desk } from './desk.svelte.ts';

/**
 * The workspaces stored in this browser: each a world of its own with its desk. Opening one or
 * importing a workspace file replaces the world under the page, so the lab is told (`worldReplaced`)
 * to drop its selection and read the world again.
 */
export class Workspaces {
  /** Workspaces stored in this browser. */
  names = $state.raw<readonly string[]>([]);

  readonly #api: KmsWorkerRemote;
  readonly #desk: Desk;
  readonly #worldReplaced: () => Promise<void>;

  constructor(api: KmsWorkerRemote, desk: Desk, worldReplaced: () => Promise<void>) {
    this.#api = api;
    this.#desk = desk;
    this.#worldReplaced = worldReplaced;
  }

  /** Reads the list of workspaces from the worker. */
  async load(): Promise<void> {
    this.names = await this.#api.workspaces();
  }

  /** Opens (creating if needed) the workspace `name` and remembers it for the next visit. */
  async open(name: string): Promise<void> {
    await this.#api.open(name);
    try {
      localStorage.setItem(WORKSPACE_STORAGE, name);
    } catch {
      // Not remembered; nothing else depends on it.
    }
    await this.#worldReplaced();
    await this.load();
  }

  /** Deletes a workspace: its world and its desk (script, command history, files). */
  async delete(name: string): Promise<void> {
    await this.#api.deleteWorkspace(name);
    forgetDesk(name);
    await this.load();
  }

  /** The open workspace, its desk included, as the text of a workspace file. */
  async exportFile(): Promise<{ name: string; text: string }> {
    const { name, world, desk } = await this.#api.exportWorld();
    return { name, text: encodeWorkspaceFile(name, world, { desk }) };
  }

  /**
   * Replaces the open workspace's world with the one in a workspace file (undoable), and its desk
   * with the file's, if it has one. A file that is not valid, desk included, changes nothing.
   */
  async importFile(text: string): Promise<void> {
    const file = decodeWorkspaceFile<PersistedWorld>(text);
    await this.#api.importWorld(file.world, file.desk);
    if (file.desk) this.#desk.replaced();
    await this.#worldReplaced();
  }
}
