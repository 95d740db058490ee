import * as Comlink from 'comlink';
import type { Principal } from '../../kms/index.ts';
import type { CliLineResult, KmsWorkerRemote, VirtualFile } from '../labTypes.ts';

/** The console's caller at the moment of a command: whom it acts as, in which Region. */
export type ConsoleCaller = () => { readonly region: string; readonly principal: Principal };

/**
 * The workspace's AWS CLI shell in the KMS worker: command lines run as the console's acting
 * principal in its current Region, and the virtual file system `fileb://` reads from.
 */
export class CliShell {
  readonly #api: KmsWorkerRemote;
  readonly #caller: ConsoleCaller;

  constructor(api: KmsWorkerRemote, caller: ConsoleCaller) {
    this.#api = api;
    this.#caller = caller;
  }

  /** Runs an AWS CLI line in the workspace's shell, as the acting principal in the current Region. */
  run(line: string): Promise<CliLineResult> {
    const { region, principal } = this.#caller();
    return this.#api.cli(line, { region, principal });
  }

  /** Completions for the word before the cursor (`line` ends there), and the span they replace. */
  complete(line: string): Promise<{ start: number; end: number; candidates: string[] }> {
    return this.#api.cliComplete(line, this.#caller().region);
  }

  /** Puts a file into the workspace's virtual file system (for `fileb://`). */
  putFile(path: string, bytes: Uint8Array): Promise<VirtualFile> {
    return this.#api.putFile(path, Comlink.transfer(bytes, [bytes.buffer]));
  }

  listFiles(): Promise<VirtualFile[]> {
    return this.#api.listFiles();
  }
}
