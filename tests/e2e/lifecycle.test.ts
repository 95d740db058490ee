/**
 * End-to-end: the key lifecycle in the key detail, in Chromium. Automatic rotation on the simulated
 * clock (two material versions, old ciphertext still decrypts), the import ceremony for an EXTERNAL
 * key (RSAES_OAEP_SHA_256, wrapped in the page), a multi-Region family, and an AWS managed key.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;

const worldKey = (region: string, alias: string) =>
  page
    .locator(`[data-testid="region-card"][data-region="${region}"] [data-testid="world-key"]`, {
      hasText: alias,
    })
    .first();

async function createKey(alias: string, options: { origin?: string; multiRegion?: boolean } = {}) {
  await page.getByTestId('create-kind-symmetric').check();
  await page.getByTestId('create-origin').selectOption(options.origin ?? 'AWS_KMS');
  if (options.multiRegion) await page.getByTestId('create-multi-region').check();
  else await page.locator('input[name="regionality"]').first().check();
  await page.getByTestId('create-alias').fill(alias);
  await page.getByTestId('create-submit').click();
  await worldKey('us-east-1', `alias/${alias}`).waitFor();
  await worldKey('us-east-1', `alias/${alias}`).click();
  await page.locator('[data-testid="key-detail"]', { hasText: `alias/${alias}` }).waitFor();
}

async function encryptWith(alias: string, text: string): Promise<string> {
  const value = await page
    .locator('[data-testid="encrypt-key"] option', { hasText: `alias/${alias}` })
    .getAttribute('value');
  await page.getByTestId('encrypt-key').selectOption(value!);
  const out = page.getByTestId('encrypt-ciphertext');
  const before = (await out.count()) ? await out.inputValue() : null;
  await page.getByTestId('encrypt-plaintext').fill(text);
  await page.getByTestId('encrypt-submit').click();
  await expect.poll(async () => ((await out.count()) ? await out.inputValue() : null)).not.toBe(before);
  return out.inputValue();
}

const versions = () => page.locator('[data-testid="key-detail"] [data-testid="material-version"]');

describe('key lifecycle in the key detail, in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    page.on('worker', (w) =>
      w.on('console', (m) => {
        if (m.type() === 'error') h.errors.push(`worker console: ${m.text()}`);
      }),
    );
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('rotates automatically on the clock; the old ciphertext still decrypts', async () => {
    await createKey('rotating');
    expect(await versions().count()).toBe(1);
    await page.getByTestId('rotation-period').fill('365');
    await page.getByTestId('rotation-enable').click();
    await expect.poll(() => page.getByTestId('rotation-summary').getAttribute('data-enabled')).toBe('true');
    await page.getByTestId('rotation-next').waitFor();

    await encryptWith('rotating', 'before the rotation');
    await page.getByTestId('encrypt-use-for-decrypt').click();
    await expect.poll(() => versions().first().getAttribute('data-encrypted')).toBe('1');

    await page.getByTestId('clock-advance-1y').click();
    await expect.poll(() => versions().count()).toBe(2);
    const first = versions().nth(0);
    const second = versions().nth(1);
    expect(await second.getAttribute('data-current')).toBe('true');
    expect(await second.textContent()).toContain('Automatic rotation');
    expect(await first.getAttribute('data-current')).toBeNull();

    // The ciphertext made before the rotation names the old material, which KMS kept.
    await page.getByTestId('decrypt-submit').click();
    await expect(page.getByTestId('decrypt-plaintext').textContent()).resolves.toBe('before the rotation');
    await expect.poll(() => first.getAttribute('data-decrypted')).toBe('1');
    // New ciphertext uses the current material.
    await encryptWith('rotating', 'after the rotation');
    await expect.poll(() => second.getAttribute('data-encrypted')).toBe('1');

    await page.getByTestId('rotation-list').click();
    await expect
      .poll(() => page.locator('[data-testid="rotation-row"]').allTextContents())
      .toEqual([expect.stringContaining('NON_CURRENT'), expect.stringContaining('AUTOMATIC')]);
  });

  it('imports key material for an EXTERNAL key through the ceremony', async () => {
    await createKey('byok', { origin: 'EXTERNAL' });
    const detail = page.getByTestId('key-detail');
    await detail.locator('[data-testid="key-state"][data-state="PendingImport"]').first().waitFor();

    // 1. Wrapping public key (PEM) and import token.
    await page.getByTestId('import-algorithm').selectOption('RSAES_OAEP_SHA_256');
    await page.getByTestId('import-spec').selectOption('RSA_2048');
    await page.getByTestId('import-get-parameters').click();
    const [pemDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('import-download-key').click(),
    ]);
    const pem = readFileSync((await pemDownload.path())!, 'utf8');
    const publicKey = createPublicKey(pem);
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const [tokenDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('import-download-token').click(),
    ]);
    expect(readFileSync((await tokenDownload.path())!).length).toBeGreaterThan(20);

    // 2. The OpenSSL recipe for the chosen algorithm, and the in-page wrap.
    const openssl = (await page.getByTestId('import-openssl').textContent())!;
    expect(openssl).toContain('rsa_padding_mode:oaep');
    expect(openssl).toContain('rsa_oaep_md:sha256');
    await page.getByTestId('import-wrap').click();
    await expect(page.getByTestId('import-wrapped').textContent()).resolves.toContain('256 bytes');

    // 3. ImportKeyMaterial: the key becomes Enabled and encrypts.
    await page.getByTestId('import-expiration').selectOption('KEY_MATERIAL_DOES_NOT_EXPIRE');
    await page.getByTestId('import-submit').click();
    await expect(page.getByTestId('import-result').textContent()).resolves.toContain('KeyMaterialId');
    await detail.locator('.title [data-testid="key-state"][data-state="Enabled"]').waitFor();
    expect(await versions().count()).toBe(1);
    expect(await versions().first().textContent()).toContain('does not expire');
    await encryptWith('byok', 'bring your own key');
    await expect.poll(() => versions().first().getAttribute('data-encrypted')).toBe('1');
  });

  it('replicates a multi-Region key to eu-west-1 and shows the family', async () => {
    await createKey('global', { multiRegion: true });
    const family = page.getByTestId('mrk-family');
    await expect(family.locator('[data-testid="mrk-member"]').count()).resolves.toBe(1);
    await page.getByTestId('mrk-replica-region').selectOption('eu-west-1');
    await page.getByTestId('mrk-replicate').click();
    await page.getByTestId('mrk-done').waitFor();
    const replica = family.locator('[data-testid="mrk-member"][data-region="eu-west-1"]');
    await replica.waitFor();
    expect(await replica.getAttribute('data-role')).toBe('REPLICA');
    expect(
      await family.locator('[data-testid="mrk-member"][data-region="us-east-1"]').getAttribute('data-role'),
    ).toBe('PRIMARY');
    // The replica is Creating for a moment, then Enabled.
    await page.getByTestId('clock-advance-1h').click();
    await replica.locator('[data-testid="key-state"][data-state="Enabled"]').waitFor();
    await page.getByTestId('mrk-update-primary').waitFor();

    // The replica's own detail names the same family, with the primary's actions on the primary only.
    await replica.getByTestId('mrk-open').click();
    await page.locator('[data-testid="key-detail"][data-key-id^="mrk-"]').waitFor();
    await expect
      .poll(() => page.locator('[data-testid="mrk-member"][data-role="PRIMARY"]').getAttribute('data-region'))
      .toBe('us-east-1');
    expect(await page.getByTestId('mrk-replicate').count()).toBe(0);
  });

  it('shows an AWS managed key with its badge, a read-only policy and no management actions', async () => {
    await page.getByTestId('tab-cli').click();
    const input = page.getByTestId('terminal-input');
    await expect.poll(() => input.getAttribute('placeholder')).not.toBe('');
    await input.fill('aws kms describe-key --key-id alias/aws/s3');
    await input.press('Enter');
    const key = worldKey('us-east-1', 'alias/aws/s3');
    await key.waitFor();
    await key.click();
    const detail = page.locator('[data-testid="key-detail"]', { hasText: 'alias/aws/s3' });
    await detail.waitFor();
    await detail.getByTestId('aws-managed-badge').waitFor();
    expect(await detail.getByTestId('detail-policy-readonly').textContent()).toContain('kms:ViaService');
    for (const id of [
      'detail-disable',
      'detail-schedule-deletion',
      'detail-policy',
      'detail-policy-save',
      'detail-alias',
      'detail-tag-add',
      'rotation-enable',
      'rotation-now',
    ])
      expect(await detail.getByTestId(id).count(), id).toBe(0);
    await expect(detail.getByTestId('rotation-summary').textContent()).resolves.toContain('every year');
  });

  it('logged no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
