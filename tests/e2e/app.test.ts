/**
 * End-to-end: the built app in headless Chromium (Debian's /usr/bin/chromium via playwright-core).
 * One learner session: create a key, encrypt with an encryption context, reload (the world comes
 * back from IndexedDB), decrypt the old ciphertext, fail with the wrong context, then schedule the
 * key's deletion and advance the clock past it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = '/tmp/kms-lab-app.png';
const PLAINTEXT = 'Order #1042: 3 × espresso beans';

let outDir: string;
let server: PreviewServer;
let browser: Browser;
let page: Page;
let base: string;
const consoleErrors: string[] = [];

async function buildApp(dir: string) {
  // Vitest sets NODE_ENV=test, which would make Vite and Svelte build in development mode.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: ROOT, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = previous;
  }
}

async function waitReady() {
  await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
}

/** Fills the encryption-context rows inside `fieldset`, adding rows as needed. */
async function fillContext(fieldset: Locator, pairs: [string, string][]) {
  for (const [i, [k, v]] of pairs.entries()) {
    if ((await fieldset.getByTestId('ec-row').count()) <= i) await fieldset.getByTestId('ec-add').click();
    const row = fieldset.getByTestId('ec-row').nth(i);
    await row.getByTestId('ec-key').fill(k);
    await row.getByTestId('ec-value').fill(v);
  }
}

const keyRow = (alias: string) =>
  page
    .getByTestId('key-row')
    .filter({ has: page.getByTestId('key-alias').getByText(alias, { exact: true }) });

describe('KMS Lab in Chromium', () => {
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'kms-lab-dist-'));
    await buildApp(outDir);
    server = await preview({
      root: ROOT,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    base = server.resolvedUrls!.local[0]!;
    browser = await chromium.launch({
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
    // A fresh context: its own, empty IndexedDB, kept across reloads.
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('worker', (w) =>
      w.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`worker console: ${m.text()}`);
      }),
    );
    page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  let ciphertext = '';

  it('creates a key and encrypts text with an encryption context', async () => {
    await page.goto(base);
    await waitReady();
    await expect(page.getByTestId('keys-empty').textContent()).resolves.toContain('No keys in us-east-1');

    await page.getByTestId('create-description').fill('Encrypts order records');
    await page.getByTestId('create-alias').fill('orders');
    await page.getByTestId('create-submit').click();
    await page.getByTestId('create-result').waitFor();
    const row = keyRow('alias/orders');
    await row.waitFor();
    expect(await row.getByTestId('key-state').getAttribute('data-state')).toBe('Enabled');
    expect(await row.getByTestId('key-description').textContent()).toContain('Encrypts order records');

    // KMS is Regional: another Region has none of these keys.
    await page.getByTestId('region-select').selectOption('eu-west-1');
    await page.getByTestId('keys-empty').waitFor();
    await page.getByTestId('region-select').selectOption('us-east-1');
    await row.waitFor();

    await page.getByTestId('encrypt-plaintext').fill(PLAINTEXT);
    await fillContext(page.getByTestId('encrypt-context'), [
      ['purpose', 'orders'],
      ['tenant', 'acme'],
    ]);
    await page.getByTestId('encrypt-submit').click();
    const out = page.getByTestId('encrypt-ciphertext');
    await out.waitFor();
    ciphertext = await out.inputValue();
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    await page.locator('[data-testid="trail-record"][data-event-name="Encrypt"]').waitFor();
  });

  it('keeps the world across a reload and decrypts the old ciphertext', async () => {
    await page.reload();
    await waitReady();
    await keyRow('alias/orders').waitFor();
    await page.getByTestId('decrypt-ciphertext').fill(ciphertext);
    // Pairs in another order: the context is a map, order does not matter.
    await fillContext(page.getByTestId('decrypt-context'), [
      ['tenant', 'acme'],
      ['purpose', 'orders'],
    ]);
    await page.getByTestId('decrypt-submit').click();
    await expect(page.getByTestId('decrypt-plaintext').textContent()).resolves.toBe(PLAINTEXT);
  });

  it('shows InvalidCiphertextException when the encryption context is wrong', async () => {
    await fillContext(page.getByTestId('decrypt-context'), [['tenant', 'globex']]);
    await page.getByTestId('decrypt-submit').click();
    const error = page.getByTestId('decrypt-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('InvalidCiphertextException');
    await page
      .locator(
        '[data-testid="trail-record"][data-event-name="Decrypt"][data-error-code="InvalidCiphertextException"]',
      )
      .waitFor();
    // Expand the latest trail record to show its raw JSON.
    await page.getByTestId('trail-record').first().click();
    expect(await page.getByTestId('trail-json').first().textContent()).toContain(
      '"errorCode": "InvalidCiphertextException"',
    );
    // Scroll back up first: a full-page shot keeps the sticky header where the page was scrolled.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('disables and re-enables the key', async () => {
    const row = keyRow('alias/orders');
    await row.getByTestId('key-disable').click();
    await row.locator('[data-testid="key-state"][data-state="Disabled"]').waitFor();
    await page.getByTestId('encrypt-plaintext').fill('more data');
    await page.getByTestId('encrypt-submit').click();
    await expect(page.getByTestId('encrypt-error').textContent()).resolves.toContain('DisabledException');
    await row.getByTestId('key-enable').click();
    await row.locator('[data-testid="key-state"][data-state="Enabled"]').waitFor();
  });

  it('deletes the key when the clock passes the end of its waiting period', async () => {
    const row = keyRow('alias/orders');
    await row.getByTestId('key-schedule-deletion').click();
    await page.getByTestId('schedule-days').fill('7');
    await page.getByTestId('schedule-confirm').click();
    await row.locator('[data-testid="key-state"][data-state="PendingDeletion"]').waitFor();
    await page.getByTestId('upcoming-event').filter({ hasText: 'DeleteKey' }).waitFor();

    await page.getByTestId('clock-advance-30d').click();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('keys-empty').waitFor();
    await page.getByTestId('upcoming-empty').waitFor();
    await page.locator('[data-testid="trail-record"][data-event-name="DeleteKey"]').waitFor();
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
