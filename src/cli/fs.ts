/** An in-memory {@link VirtualFs}: what tests use, and a default for the lab. */
import type { VirtualFs } from './args.ts';
import { utf8 } from './bytes.ts';

/** `./a/../b.txt` → `b.txt`; absolute paths keep their leading `/`. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return (absolute ? '/' : '') + out.join('/');
}

export class MemoryFs implements VirtualFs {
  readonly #files = new Map<string, Uint8Array>();

  constructor(files: Record<string, string | Uint8Array> = {}) {
    for (const [path, content] of Object.entries(files))
      this.write(path, typeof content === 'string' ? utf8(content) : content);
  }

  read(path: string): Uint8Array | undefined {
    return this.#files.get(normalizePath(path));
  }

  write(path: string, bytes: Uint8Array): void {
    this.#files.set(normalizePath(path), bytes.slice());
  }

  list(): string[] {
    return [...this.#files.keys()];
  }

  delete(path: string): boolean {
    return this.#files.delete(normalizePath(path));
  }
}
