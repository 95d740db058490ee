/** Builds the app into a temporary folder and serves it in-process on 127.0.0.1 (no orphaned server). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function serveBuilt() {
  const outDir = mkdtempSync(join(tmpdir(), 'kms-lab-dist-'));
  process.env.NODE_ENV = 'production';
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  return {
    outDir,
    base: server.resolvedUrls.local[0],
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
