/**
 * End-to-end (headless Chromium): the lesson panel (a lesson opens its start world in a new
 * workspace; each step turns green as the learner meets it from the command line; hints; reset and
 * "show solution"), progress export and import, and share links (a link opened in a fresh browser
 * profile loads its scenario into a new workspace with the script in the scratchpad, not run; hostile
 * links show an error and change nothing).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;

async function cli(p: Page, line: string): Promise<string> {
  const before = await p.getByTestId('terminal-line').count();
  const input = p.getByTestId('terminal-input');
  await input.fill(line);
  await input.press('Enter');
  await p.waitForFunction((n) => {
    const rows = document.querySelectorAll('[data-testid="terminal-line"]');
    return (
      rows.length > n + 1 &&
      document.querySelector('[data-testid="terminal-input"]')?.getAttribute('placeholder') !== ''
    );
  }, before);
  const rows = await p.getByTestId('terminal-line').allTextContents();
  return rows.slice(before + 1).join('\n');
}

const step = (p: Page, id: string) => p.locator(`[data-testid="lesson-step"][data-step="${id}"]`);
const metSteps = (p: Page) =>
  p
    .locator('[data-testid="lesson-step"][data-met="true"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));

/** A `#s=` payload as a hostile author would make it: any JSON, deflate-raw, base64url. */
async function payloadOf(json: unknown): Promise<string> {
  const stream = new Blob([JSON.stringify(json)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return Buffer.from(await new Response(stream).arrayBuffer()).toString('base64url');
}

describe('lessons, progress and share links', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('completes the envelope-encryption lesson step by step from the command line', async () => {
    const workspaceBefore = await page.getByTestId('workspace-select').inputValue();
    await page.locator('[data-testid="lesson-item"][data-id="envelope-encryption"]').click();
    await page.locator('[data-testid="lesson-view"][data-id="envelope-encryption"]').waitFor();
    // A NEW workspace holds the lesson; the one open before is still there.
    await expect.poll(() => page.getByTestId('workspace-select').inputValue()).toBe('envelope-encryption');
    const options = await page.locator('[data-testid="workspace-select"] option').allTextContents();
    expect(options).toContain(workspaceBefore);
    expect(await metSteps(page)).toEqual([]);

    // The hint ladder: a nudge first.
    await page.getByTestId('hint-button').click();
    await page.locator('[data-testid="lesson-hint"][data-level="nudge"]').waitFor();

    const created = await cli(page, 'aws kms create-key --description lesson-key');
    const keyId = /"KeyId": "([0-9a-f-]{36})"/.exec(created)?.[1];
    expect(keyId, created).toBeTruthy();
    expect(await metSteps(page)).toEqual([]);
    await cli(page, `aws kms create-alias --alias-name alias/app --target-key-id ${keyId} && echo aliased`);
    await step(page, 'create-key').and(page.locator('[data-met="true"]')).waitFor();
    expect(await metSteps(page)).toEqual(['create-key']);

    await cli(
      page,
      'aws kms generate-data-key --key-id alias/app --key-spec AES_256 --query CiphertextBlob --output text | base64 -d > dk.bin && echo saved',
    );
    await step(page, 'data-key').and(page.locator('[data-met="true"]')).waitFor();
    expect(await metSteps(page)).toEqual(['create-key', 'data-key']);

    await cli(page, 'aws kms decrypt --ciphertext-blob fileb://dk.bin --query KeyId --output text');
    await step(page, 'decrypt-data-key').and(page.locator('[data-met="true"]')).waitFor();
    await page.getByTestId('lesson-done').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({
      path: '/tmp/kms-lab-lesson-panel.png',
      clip: { x: 0, y: 0, width: 900, height: 1000 },
    });
    await expect.poll(() => page.getByTestId('lessons-done').textContent()).toBe('1');
  });

  it('resets the lesson, then replays the solution call by call', async () => {
    await page.getByTestId('lesson-reset').click();
    await expect.poll(() => metSteps(page)).toEqual([]);
    await page.getByTestId('show-solution').click();
    await page.getByTestId('solution-confirm').click();
    await expect
      .poll(() => metSteps(page), { timeout: 20_000 })
      .toEqual(['create-key', 'data-key', 'decrypt-data-key']);
    await page.getByTestId('lesson-done').waitFor();
    // Every call of the replay reached the trail.
    await page.getByTestId('trail-record').filter({ hasText: 'GenerateDataKey' }).first().waitFor();
  });

  it('exports and imports progress', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('progress-export').click(),
    ]);
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      kmsLabProgress: number;
      lessons: Record<string, { completed: boolean; steps: string[] }>;
    };
    expect(file.kmsLabProgress).toBe(1);
    expect(file.lessons['envelope-encryption']?.completed).toBe(true);

    file.lessons['grants'] = { ...file.lessons['envelope-encryption']!, steps: [] };
    await page.getByTestId('progress-file').setInputFiles({
      name: 'progress.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await page.getByTestId('progress-note').filter({ hasText: 'Progress imported' }).waitFor();
    await expect.poll(() => page.getByTestId('lessons-done').textContent()).toBe('2');

    // A file that is not progress changes nothing.
    await page.getByTestId('progress-file').setInputFiles({
      name: 'x.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"hello":1}'),
    });
    await page.getByTestId('progress-note').filter({ hasText: 'not a KMS Lab progress file' }).waitFor();
    expect(await page.getByTestId('lessons-done').textContent()).toBe('2');
  });

  it('opens a share link in a fresh profile: scenario loaded, script in the scratchpad, not run', async () => {
    const ws = await page.getByTestId('workspace-select').inputValue();
    await page.evaluate(
      (w) =>
        localStorage.setItem(`kms-lab:script:${w}`, "await kms.createKey({ Description: 'from-script' });\n"),
      ws,
    );
    await page.getByTestId('share-button').click();
    const url = await page.getByTestId('share-url').inputValue();
    expect(url).toMatch(/#s=[A-Za-z0-9_-]+$/);
    expect(url.length).toBeLessThan(2000);

    const context = await h.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const p2 = await context.newPage();
    const errors: string[] = [];
    p2.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p2.on('pageerror', (e) => errors.push(e.message));
    try {
      await p2.goto(url);
      await p2.locator('[data-testid="app"][data-ready="true"]').waitFor();
      await p2.getByTestId('share-summary').filter({ hasText: '1 key' }).waitFor();
      await p2.getByTestId('share-script').filter({ hasText: 'from-script' }).waitFor();
      expect(await p2.getByTestId('workspace-select').inputValue()).toBe('default');
      await p2.getByTestId('share-open').click();
      await expect.poll(() => p2.getByTestId('workspace-select').inputValue()).toBe('envelope-encryption');
      // The key of the scenario is there, its alias too; the lesson is followed.
      await p2.getByTestId('key-alias').filter({ hasText: 'alias/app' }).first().waitFor();
      await p2.locator('[data-testid="lesson-view"][data-id="envelope-encryption"]').waitFor();
      // The script is in the scratchpad, and it did not run.
      await p2.locator('[data-testid="script-editor"][data-ready="true"]').waitFor({ timeout: 20_000 });
      const script = await p2.evaluate(() =>
        (window as unknown as { kmsLabScratchpad: { getValue(): string } }).kmsLabScratchpad.getValue(),
      );
      expect(script).toContain('from-script');
      const trail = await p2.getByTestId('trail-count').textContent();
      await p2.waitForTimeout(500);
      expect(await p2.getByTestId('trail-count').textContent()).toBe(trail);
      expect(await p2.getByTestId('key-row').count()).toBe(1);
      expect(await p2.getByTestId('key-description').allTextContents()).not.toContain('from-script');
      expect(await p2.getByTestId('script-status').count()).toBe(0);
      expect(p2.url()).not.toContain('#s=');

      // Hostile links: an error, and nothing changes.
      const options = await p2.locator('[data-testid="workspace-select"] option').count();
      const hostile: [string, string][] = [
        [`#s=${'A'.repeat(40_000)}`, 'oversized'],
        ['#s=@@not-base64@@', 'malformed'],
        [`#s=${await payloadOf({ v: 2, w: { KmsLabScenario: 1, Accounts: {} } })}`, 'version'],
        [
          `#s=${await payloadOf({ v: 1, w: { KmsLabScenario: 1, Accounts: { '111122223333': { Users: [{ UserName: 'x\u202e' }] } } } })}`,
          'invalid',
        ],
      ];
      for (const [hash, problem] of hostile) {
        await p2.evaluate((hsh) => {
          location.hash = hsh;
        }, hash);
        await p2.locator(`[data-testid="share-error"][data-problem="${problem}"]`).waitFor();
        expect(await p2.getByTestId('share-error-detail').textContent()).toMatch(/\S/);
        await p2.getByTestId('share-dismiss').click();
        await p2.getByTestId('share-open-dialog').waitFor({ state: 'hidden' });
      }
      expect(await p2.getByTestId('workspace-select').inputValue()).toBe('envelope-encryption');
      expect(await p2.locator('[data-testid="workspace-select"] option').count()).toBe(options);
      expect(await p2.getByTestId('key-row').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('reloads offline once loaded (service worker)', async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 20_000 });
    await h.context.setOffline(true);
    try {
      await page.reload();
      await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
      await page.locator('[data-testid="lesson-view"][data-id="envelope-encryption"]').waitFor();
      expect(await metSteps(page)).toEqual(['create-key', 'data-key', 'decrypt-data-key']);
      const out = await cli(
        page,
        'aws kms list-aliases --query "Aliases[?AliasName==\'alias/app\'].AliasName" --output text',
      );
      expect(out).toContain('alias/app');
    } finally {
      await h.context.setOffline(false);
    }
  }, 60_000);

  it('raised no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
