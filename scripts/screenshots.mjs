/**
 * `npm run screenshots -- --out DIR [--theme light|dark]`: builds the app, serves it in-process
 * and writes PNGs of the main views from headless Chromium: the world view during a call, a key's
 * detail, the CloudTrail viewer and a failed call.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, serveBuilt } from './serveBuilt.mjs';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'screenshots' }, theme: { type: 'string', default: 'light' } },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

const served = await serveBuilt();
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const context = await browser.newContext({
    viewport: { width: 1600, height: 1000 },
    colorScheme: values.theme === 'dark' ? 'dark' : 'light',
  });
  const page = await context.newPage();
  await page.goto(served.base);
  await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  const shots = [];
  const shot = async (name, target = page) => {
    const path = join(out, `${name}.png`);
    await target.screenshot({ path });
    shots.push(path);
  };
  const createKey = async (alias, description, usage, spec) => {
    await page.getByTestId(usage ? 'create-kind-asymmetric' : 'create-kind-symmetric').check();
    if (usage) await page.getByTestId('create-usage').selectOption(usage);
    if (spec) await page.getByTestId('create-spec').selectOption(spec);
    await page.getByTestId('create-description').fill(description);
    await page.getByTestId('create-alias').fill(alias);
    await page.getByTestId('create-submit').click();
    await page.locator('[data-testid="world-key"]', { hasText: `alias/${alias}` }).waitFor();
  };
  await createKey('invoices', 'Signs invoices', 'SIGN_VERIFY', 'ECC_NIST_P256').catch(() => undefined);
  await createKey('orders', 'Encrypts order records');
  await page.getByTestId('region-select').selectOption('eu-west-1');
  await createKey('orders-eu', 'Orders in Europe');
  await page.getByTestId('region-select').selectOption('us-east-1');

  // 1. The world view while an Encrypt call travels.
  await page.getByTestId('speed-0.5').click();
  await page.getByTestId('encrypt-plaintext').fill('Order #1042');
  await page.getByTestId('encrypt-submit').click();
  await page.getByTestId('call-packet').first().waitFor();
  await page.waitForTimeout(900);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.getByTestId('world-view').boundingBox();
  const worldPath = join(out, 'world-during-call.png');
  await page.screenshot({
    path: worldPath,
    clip: { x: 0, y: 0, width: 1600, height: Math.ceil(box.y + box.height + 12) },
  });
  shots.push(worldPath);
  await page.getByTestId('call-packet').first().waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByTestId('speed-1').click();

  // 2. A key's detail in the inspector.
  await page.locator('[data-testid="world-key"]', { hasText: 'alias/orders' }).first().click();
  await page.getByTestId('detail-tag-key').fill('team');
  await page.getByTestId('detail-tag-value').fill('checkout');
  await page.getByTestId('detail-tag-add').click();
  await page.getByTestId('detail-tags').getByText('team=checkout').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('key-detail');

  // 3. A failed call: decrypt with the wrong encryption context, then a denial across accounts.
  await page.getByTestId('encrypt-use-for-decrypt').click();
  await page.getByTestId('decrypt-context').getByTestId('ec-key').first().fill('tenant');
  await page.getByTestId('decrypt-context').getByTestId('ec-value').first().fill('globex');
  await page.getByTestId('decrypt-submit').click();
  await page.getByTestId('decrypt-error').waitFor();
  await page.locator('[data-testid="call-log-entry"][data-operation="Decrypt"]').first().click();
  await page.getByTestId('call-detail-error').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('failed-call');

  // 4. The trail, with the raw JSON of an event.
  await page.getByTestId('trail-record').first().click();
  await page.getByTestId('trail-json').filter({ hasText: '"eventVersion"' }).waitFor();
  await page.getByTestId('trail').scrollIntoViewIfNeeded();
  await shot('trail', page.getByTestId('trail'));

  // 5. The create-key form as the console asks it, with the resulting key policy.
  await page.getByTestId('create-kind-symmetric').check();
  await page.getByTestId('create-other-account').first().check();
  // Below the sticky top bar, which would otherwise cover the top of an element screenshot.
  await page.evaluate(() => {
    const form = document.querySelector('[data-testid="create-key-form"]').closest('section');
    const bar = document.querySelector('header').getBoundingClientRect().height;
    window.scrollBy(0, form.getBoundingClientRect().top - bar - 12);
  });
  await shot('create-key', page.locator('section', { has: page.getByTestId('create-key-form') }));
  await page.getByTestId('create-other-account').first().uncheck();

  // 6. A multi-Region key in two Regions, linked, and a service event (a scheduled deletion firing).
  await page.getByTestId('create-multi-region').check();
  await createKey('global', 'Multi-Region primary');
  const mrk = await page
    .locator('[data-testid="world-key"]', { hasText: 'alias/global' })
    .getAttribute('data-key-id');
  await page
    .getByTestId('create-multi-region')
    .uncheck()
    .catch(() => undefined);
  await page.locator('input[name="regionality"]').first().check();
  await createKey('retiring', 'Scheduled for deletion');
  await page.getByTestId('speed-0.5').click();
  await page.locator('[data-testid="world-key"]', { hasText: 'alias/retiring' }).first().click();
  const schedule = page.getByTestId('detail-schedule-deletion');
  if (await schedule.count()) {
    await schedule.click();
    await page.locator('dialog[open]').getByTestId('schedule-days').fill('7');
    await page.locator('dialog[open]').getByTestId('schedule-confirm').click();
    await page.getByTestId('clock-advance-30d').click();
    await page.locator('[data-testid="call-packet"][data-outcome="service"]').first().waitFor();
    await page.waitForTimeout(500);
    await page.evaluate(() => window.scrollTo(0, 0));
    const worldBox = await page.getByTestId('world-view').boundingBox();
    const servicePath = join(out, 'world-service-event.png');
    await page.screenshot({
      path: servicePath,
      clip: { x: 0, y: 0, width: 1600, height: Math.ceil(worldBox.y + worldBox.height + 12) },
    });
    shots.push(servicePath);
  }
  console.log(`multi-Region key ${mrk}`);
  await context.close();
  console.log(shots.join('\n'));
} finally {
  await browser.close();
  await served.close();
}
