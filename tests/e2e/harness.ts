/** Shared set-up for the Chromium e2e files: one build, one in-process preview server, one browser. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Harness {
  readonly base: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  // `npm test` builds once for every e2e file and names the folder; alone, a file builds its own.
  const prebuilt = process.env.KMS_LAB_DIST;
  const outDir = prebuilt ?? mkdtempSync(join(tmpdir(), 'kms-lab-dist-'));
  if (!prebuilt) {
    // Vitest sets NODE_ENV=test, which would make Vite and Svelte build in development mode.
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = previous;
    }
  }
  const server: PreviewServer = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  return {
    base: server.resolvedUrls!.local[0]!,
    browser,
    context,
    page,
    errors,
    async close() {
      await browser.close();
      await server.close();
      if (!prebuilt) rmSync(outDir, { recursive: true, force: true });
    },
  };
}
