/**
 * Starts the KMS worker. Kept apart from the app so the page entry can start it before anything
 * else: Chromium begins fetching a worker's script only when the main thread is idle, and the
 * first render keeps it busy for a few hundred milliseconds.
 */

const failures = new WeakMap<Worker, string>();

/** Where the page remembers the open workspace (the worker opens it as soon as it starts). */
export const WORKSPACE_STORAGE = 'kms-lab:workspace';

/** The workspace the page had open last time, if the browser lets us read it. */
export function lastWorkspace(): string {
  try {
    return localStorage.getItem(WORKSPACE_STORAGE) ?? 'default';
  } catch {
    // Storage may be blocked; the default workspace still works.
    return 'default';
  }
}

export function spawnKmsWorker(): Worker {
  // Vite bundles the worker only from this exact `new Worker(new URL(…, import.meta.url))` form.
  // Its name tells the worker which workspace to open before the page asks.
  const worker = new Worker(new URL('../../workers/kms.worker.ts', import.meta.url), {
    type: 'module',
    name: `kms-lab:${lastWorkspace()}`,
  });
  // The script may fail to load before anyone listens; remember it for the lab.
  worker.addEventListener('error', (e) => failures.set(worker, e.message || 'unknown error'), { once: true });
  return worker;
}

/** Why `worker` failed to start, if it did. */
export function workerFailure(worker: Worker): string | undefined {
  return failures.get(worker);
}
