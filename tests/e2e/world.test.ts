/**
 * End-to-end: the world view, the inspector, the clock, undo and the workspace, in Chromium.
 * One learner session in one browser context (its IndexedDB survives reloads).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;

const worldKey = (region: string, alias: string) =>
  page.locator(`[data-testid="region-card"][data-region="${region}"] [data-testid="world-key"]`, {
    hasText: alias,
  });

async function createKey(alias: string, description = '') {
  await page.getByTestId('create-description').fill(description);
  await page.getByTestId('create-alias').fill(alias);
  await page.getByTestId('create-submit').click();
}

describe('the world view in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('creates a key from the console and shows it in its Region card', async () => {
    await createKey('payments', 'Card data');
    await worldKey('us-east-1', 'alias/payments').waitFor();
    await expect(worldKey('us-east-1', 'alias/payments').textContent()).resolves.toContain(
      'SYMMETRIC_DEFAULT',
    );
    expect(await worldKey('eu-west-1', 'alias/payments').count()).toBe(0);
  });

  it('animates an Encrypt call and shows its request, masked plaintext and CloudTrail record', async () => {
    await page.getByTestId('speed-1').click();
    await page.getByTestId('encrypt-plaintext').fill('top secret');
    await page.getByTestId('encrypt-submit').click();
    const packet = page.locator('[data-testid="call-packet"]', { hasText: 'Encrypt' });
    await packet.waitFor({ state: 'attached' });
    await page.getByTestId('encrypt-ciphertext').waitFor();
    await page.locator('[data-testid="trail-record"][data-event-name="Encrypt"]').waitFor();
    await packet.waitFor({ state: 'detached' });

    await page.locator('[data-testid="call-log-entry"][data-operation="Encrypt"]').first().click();
    const detail = page.getByTestId('call-detail');
    await detail.waitFor();
    const request = await page.getByTestId('call-request').textContent();
    expect(request).toContain('"Plaintext": "•••••• (10 bytes, hidden)"');
    expect(request).not.toContain(Buffer.from('top secret').toString('base64'));
    await page.getByTestId('reveal-plaintext').check();
    expect(await page.getByTestId('call-request').textContent()).toContain(
      Buffer.from('top secret').toString('base64'),
    );
    expect(await page.getByTestId('call-response').textContent()).toContain('"CiphertextBlob"');
    expect(await page.getByTestId('call-trail-record').first().textContent()).toContain(
      '"eventName": "Encrypt"',
    );
  });

  it('shows a failing call with its AWS exception name and message', async () => {
    await createKey('aws/mine');
    const error = page.getByTestId('create-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('NotAuthorizedException');
    await page
      .locator('[data-testid="call-log-entry"][data-operation="CreateAlias"]:not([data-outcome="success"])')
      .first()
      .click();
    const detailError = page.getByTestId('call-detail-error');
    await detailError.waitFor();
    const text = await detailError.textContent();
    expect(text).toContain('NotAuthorizedException');
    expect(text).toMatch(/alias\/aws\//);
  });

  it('shows key detail and rejects a malformed key policy with the engine error', async () => {
    await worldKey('us-east-1', 'alias/payments').click();
    const detail = page.getByTestId('key-detail');
    await detail.waitFor();
    expect(await page.getByTestId('detail-policy').inputValue()).toContain('"Statement"');
    expect(await page.getByTestId('detail-materials').locator('li').count()).toBe(1);
    await page.getByTestId('detail-policy').fill('{ not json');
    await page.getByTestId('detail-policy-save').click();
    await expect(page.getByTestId('key-detail-error').textContent()).resolves.toContain(
      'MalformedPolicyDocumentException',
    );
    await page.getByTestId('detail-tag-key').fill('team');
    await page.getByTestId('detail-tag-value').fill('payments');
    await page.getByTestId('detail-tag-add').click();
    await page.getByTestId('detail-tags').getByText('team=payments').waitFor();
  });

  it('deletes the key when the clock passes its deletion date, and undo brings it back', async () => {
    await page.getByTestId('detail-schedule-deletion').click();
    await page.locator('dialog[open]').getByTestId('schedule-days').fill('7');
    await page.locator('dialog[open]').getByTestId('schedule-confirm').click();
    await page
      .locator('[data-testid="key-detail"] [data-testid="key-state"][data-state="PendingDeletion"]')
      .waitFor();
    await page.getByTestId('clock-advance-30d').click();
    await worldKey('us-east-1', 'alias/payments').waitFor({ state: 'detached' });
    await page.getByTestId('inspector-gone').waitFor();
    await page.getByTestId('undo').click();
    await worldKey('us-east-1', 'alias/payments').waitFor();
    expect(await worldKey('us-east-1', 'alias/payments').textContent()).toContain('Pending deletion');
  });

  it('finds the workspace as it was after a reload', async () => {
    const before = await page.locator('[data-testid="world-key"]').count();
    await page.reload();
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
    await worldKey('us-east-1', 'alias/payments').waitFor();
    expect(await page.locator('[data-testid="world-key"]').count()).toBe(before);
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
  });

  it('exports the workspace and imports it into a new one', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export').click();
    const file = await (await download).path();
    await page.getByTestId('workspace-select').selectOption('+new');
    await page.getByTestId('new-workspace-name').fill('copy');
    await page.getByTestId('new-workspace-create').click();
    await page.waitForFunction(
      () => (document.getElementById('workspace-select') as HTMLSelectElement | null)?.value === 'copy',
    );
    await expect(page.getByTestId('workspace-select').inputValue()).resolves.toBe('copy');
    await worldKey('us-east-1', 'alias/payments').waitFor({ state: 'detached' });
    await page.getByTestId('import-file').setInputFiles(file!);
    await worldKey('us-east-1', 'alias/payments').waitFor();
    // The imported material decrypts: it is wrapped under the browser's shared domain key.
    await worldKey('us-east-1', 'alias/payments').click();
    await page.getByTestId('detail-cancel-deletion').click();
    await page
      .locator('[data-testid="key-detail"] [data-testid="key-state"][data-state="Disabled"]')
      .waitFor();
    await page.getByTestId('detail-enable').click();
    await page.getByTestId('encrypt-plaintext').fill('after import');
    await page.getByTestId('encrypt-submit').click();
    await page.getByTestId('encrypt-use-for-decrypt').click();
    await page.getByTestId('decrypt-submit').click();
    await expect(page.getByTestId('decrypt-plaintext').textContent()).resolves.toBe('after import');
  });

  it('shows the console key policy before creation and creates the key with it', async () => {
    await page.getByTestId('create-kind-hmac').check();
    await expect(page.getByTestId('create-spec').inputValue()).resolves.toMatch(/^HMAC_/);
    await page.getByTestId('create-kind-symmetric').check();
    await page.locator('[data-testid="create-other-account"][data-account="444455556666"]').check();
    const policy = JSON.parse(await page.getByTestId('create-policy').inputValue()) as {
      Statement: { Sid: string; Principal: { AWS: string | string[] }; Action: string | string[] }[];
    };
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'Enable IAM User Permissions',
      'Allow use of the key',
      'Allow attachment of persistent resources',
    ]);
    expect(policy.Statement[1]!.Principal.AWS).toBe('arn:aws:iam::444455556666:root');
    expect(policy.Statement[1]!.Action).toContain('kms:GenerateDataKey*');
    await page.getByTestId('create-tag-add').click();
    await page.getByTestId('create-tag-key').fill('team');
    await page.getByTestId('create-tag-value').fill('ledger');
    await createKey('ledger', 'Shared with the partner');
    await worldKey('us-east-1', 'alias/ledger').click();
    await expect(page.getByTestId('detail-policy').inputValue()).resolves.toContain('Allow use of the key');
    await page.getByTestId('detail-tags').getByText('team=ledger').waitFor();
    await page.locator('[data-testid="create-other-account"][data-account="444455556666"]').uncheck();
  });

  it('shows both accounts and the AWS services at the edge of the world', async () => {
    expect(await page.getByTestId('edge-account').count()).toBe(2);
    expect(await page.getByTestId('edge-service').count()).toBeGreaterThanOrEqual(4);
    await page
      .locator('[data-testid="edge-account"][data-account="444455556666"] [data-testid="principal"]')
      .click();
    await expect(page.locator('#create-key-title').textContent()).resolves.toContain('444455556666');
    await page
      .locator('[data-testid="edge-account"][data-account="111122223333"] [data-testid="principal"]')
      .click();
  });

  it('deletes a workspace after confirmation', async () => {
    await page.getByTestId('workspace-select').selectOption('+new');
    await page.getByTestId('new-workspace-name').fill('scratch');
    await page.getByTestId('new-workspace-create').click();
    await page.waitForFunction(
      () => (document.getElementById('workspace-select') as HTMLSelectElement | null)?.value === 'scratch',
    );
    await page.getByTestId('delete-workspace').click();
    await page.getByTestId('delete-workspace-cancel').click();
    await expect(page.getByTestId('workspace-select').inputValue()).resolves.toBe('scratch');
    await page.getByTestId('delete-workspace').click();
    await page.getByTestId('delete-workspace-confirm').click();
    await page.waitForFunction(
      () => (document.getElementById('workspace-select') as HTMLSelectElement | null)?.value === 'default',
    );
    await page.locator('#workspace-select option[value="scratch"]').waitFor({ state: 'detached' });
    expect(await page.getByTestId('delete-workspace').isDisabled()).toBe(true);
  });

  it('folds the lessons column to give the world view its width, and remembers it', async () => {
    const width = () => page.getByTestId('world-view').evaluate((e) => e.getBoundingClientRect().width);
    const before = await width();
    await page.getByTestId('lessons-hide').click();
    await expect(page.getByTestId('learn-panel').isVisible()).resolves.toBe(false);
    expect(await width()).toBeGreaterThan(before + 200);
    await page.reload();
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
    await expect(page.getByTestId('learn-panel').isVisible()).resolves.toBe(false);
    await page.getByTestId('lessons-show').click();
    await page.getByTestId('learn-panel').waitFor({ state: 'visible' });
    expect(Math.abs((await width()) - before)).toBeLessThan(2);
  });

  it('logged no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
