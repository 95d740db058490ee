/**
 * End-to-end: AWS services that use KMS (issue 9) in Chromium — an SSE-KMS bucket with a Bucket
 * Key from the Services panel, its KMS calls animating from the S3 chip, the bucket's KMS request
 * counter, a "two keys" denial for a user with S3 but no KMS permission, and `s3.putObject` from a
 * scratchpad script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const READER = `arn:aws:iam::${ACCOUNT}:user/Reader`;
const BUCKET = 'lab-data';

let h: Harness;
let page: Page;

const bucket = () => page.locator(`[data-testid="s3-bucket"][data-bucket="${BUCKET}"]`);
const object = (key: string) => bucket().locator(`[data-testid="s3-object"][data-key="${key}"]`);
const result = (operation: string, ok: boolean) =>
  page.locator(`[data-testid="service-result"][data-operation="${operation}"][data-ok="${ok}"]`);

async function put(key: string, body: string) {
  await page.getByTestId('s3-put-bucket').selectOption(BUCKET);
  await page.getByTestId('s3-put-key').fill(key);
  await page.getByTestId('s3-put-body').fill(body);
  await page.getByTestId('s3-put').click();
  await object(key).waitFor();
}

interface ScratchpadHandle {
  setValue(text: string): void;
  run(): Promise<void>;
}

describe('services that use KMS in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
    await page.goto(h.base);
    await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('creates an SSE-KMS bucket with a Bucket Key; three uploads cost one GenerateDataKey, animated from S3', async () => {
    await page.getByTestId('create-alias').fill('data');
    await page.getByTestId('create-submit').click();
    await page
      .locator('[data-testid="region-card"][data-region="us-east-1"] [data-testid="world-key"]', {
        hasText: 'alias/data',
      })
      .waitFor();
    await page.getByTestId('speed-1').click();

    const panel = page.getByTestId('services-panel');
    await panel.scrollIntoViewIfNeeded();
    await page.getByTestId('s3-bucket-name').fill(BUCKET);
    await page.getByTestId('s3-sse-kms').check();
    await page.getByTestId('s3-key').selectOption({ label: 'alias/data (customer managed)' });
    await expect(page.getByTestId('s3-bucket-key').isChecked()).resolves.toBe(true);
    await page.getByTestId('s3-create-bucket').click();
    await result('PutBucketEncryption', true).waitFor();
    await expect(bucket().textContent()).resolves.toContain('SSE-KMS · alias/data · Bucket Key');

    // The S3 chip's KMS call: it leaves from the chip and names whom S3 acted for.
    const packet = page.locator('[data-testid="call-packet"][data-via="S3"]', { hasText: 'GenerateDataKey' });
    await put('a.txt', 'alpha');
    await packet.waitFor({ state: 'attached' });
    expect(await packet.getAttribute('data-from')).toBe('principal:s3.amazonaws.com');
    expect(await packet.textContent()).toContain(`S3 for root of ${ACCOUNT}`);
    await packet.waitFor({ state: 'visible' });
    await page.getByTestId('world-view').screenshot({ path: '/tmp/kms-lab-world-s3.png' });
    await put('b.txt', 'bravo');
    await put('c.txt', 'charlie');

    const counter = bucket().locator('[data-testid="s3-kms-counter"] [data-op="GenerateDataKey"]');
    await expect.poll(() => counter.getAttribute('data-count')).toBe('1');
    await expect(
      page.locator('[data-testid="edge-service"][data-service="s3"]').getAttribute('data-kms-calls'),
    ).resolves.toBe('1');
    await page
      .locator('[data-testid="call-log-entry"][data-operation="GenerateDataKey"]', { hasText: 'via S3' })
      .first()
      .waitFor();
    await panel.screenshot({ path: '/tmp/kms-lab-services.png' });
  });

  it('gets an object back', async () => {
    await object('b.txt').getByTestId('s3-get').click();
    await result('GetObject', true).waitFor();
    const out = (await page.getByTestId('service-output').textContent()) ?? '';
    expect(out).toContain('"Body": "bravo"');
    expect(out).toContain('"BucketKeyEnabled": true');
  });

  it('denies GetObject to a user with S3 permissions but no kms:Decrypt, naming the missing permission', async () => {
    await page.getByTestId('iam-user-name').fill('Reader');
    await page.getByTestId('iam-create-user').click();
    const reader = page.locator(`[data-testid="identity"][data-arn="${READER}"]`);
    await reader.waitFor();
    await page.getByTestId('iam-policy-name').fill('s3-only');
    await page
      .getByTestId('iam-policy-doc')
      .fill('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}');
    await page.getByTestId('iam-policy-put').click();
    await page.getByTestId('iam-policy-saved').waitFor();
    await reader.getByTestId('identity-act-as').click();
    await expect(page.getByTestId('principal-select').inputValue()).resolves.toBe(READER);

    await object('a.txt').getByTestId('s3-get').click();
    await result('GetObject', false).waitFor();
    await expect(page.getByTestId('service-error').textContent()).resolves.toContain('AccessDenied');
    await expect(page.getByTestId('service-missing-permission').textContent()).resolves.toBe('kms:Decrypt');
    const why = page.getByTestId('service-explanation');
    expect(await why.textContent()).toContain('s3:GetObject');
    // KMS's own explanation of its refusal: no IAM policy of the user allows kms:Decrypt.
    await expect(why.getByTestId('explanation-rule').first().getAttribute('data-rule')).resolves.toBe(
      'no-identity-policy-allow',
    );
    await page.getByTestId('services-panel').screenshot({ path: '/tmp/kms-lab-services-denied.png' });
    await page.getByTestId('principal-select').selectOption(ROOT);
  });

  it('runs s3.putObject from a scratchpad script', async () => {
    await page.getByTestId('tab-scratchpad').click();
    await page.locator('[data-testid="script-editor"][data-ready="true"]').waitFor({ timeout: 20_000 });
    await page.evaluate((bucketName) => {
      (window as unknown as { kmsLabScratchpad: ScratchpadHandle }).kmsLabScratchpad.setValue(
        [
          `const put = await s3.putObject({ Bucket: '${bucketName}', Key: 'from-script.txt', Body: 'scripted' });`,
          `console.log('sse', put.ServerSideEncryption, put.BucketKeyEnabled);`,
          `const got = await s3.getObject({ Bucket: '${bucketName}', Key: 'from-script.txt' });`,
          `console.log('body', lab.text(got.Body));`,
        ].join('\n'),
      );
    }, BUCKET);
    await page.getByTestId('script-run').click();
    await page
      .getByTestId('script-status')
      .filter({ hasText: /^(Done|Failed)/ })
      .waitFor({ timeout: 20_000 });
    const output = await page.getByTestId('script-output').innerText();
    expect(await page.getByTestId('script-status').last().textContent(), output).toMatch(/^Done/);
    expect(output).toContain('sse aws:kms true');
    expect(output).toContain('body scripted');
    await page.locator('[data-testid="script-call"][data-op="s3.putObject"]').waitFor();
    await object('from-script.txt').waitFor();
  });

  it('saw no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
