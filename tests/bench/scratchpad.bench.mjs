/**
 * Scratchpad benchmark (plain node script): builds the app, serves it in-process and measures in
 * headless Chromium
 *  - the time from opening the scratchpad (first click on its tab) to an editable Monaco editor;
 *  - 1,000 Encrypt calls from a script (real @aws-sdk/client-kms → sandboxed runner worker →
 *    page → KMS worker) against the same 1,000 calls made inside the KMS worker, as a ratio (aim < 5×);
 *  - the lazy chunk sizes (entry JS vs Monaco).
 *   node tests/bench/scratchpad.bench.mjs [--calls N]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, serveBuilt } from '../../scripts/serveBuilt.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '1000' } } });
const calls = Number(values.calls);
const served = await serveBuilt();
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
try {
  const assets = join(served.outDir, 'assets');
  const html = readFileSync(join(served.outDir, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1]);
  const entryBytes = entry.map((f) => readFileSync(join(served.outDir, f)));
  const sizeOf = (prefix) =>
    readdirSync(assets)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.js'))
      .reduce((a, f) => a + statSync(join(assets, f)).size, 0);
  console.log(
    `entry JS: ${kb(entryBytes.reduce((a, b) => a + b.length, 0))} (${kb(entryBytes.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0))} gz); ` +
      `lazy: monaco+editor.api ${kb(sizeOf('monaco-') + sizeOf('editor.api-'))}, ts.worker ${kb(sizeOf('ts.worker-'))}, runner ${kb(sizeOf('runner-'))}`,
  );

  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(served.base);
  await page.locator('[data-testid="app"][data-ready="true"]').waitFor();

  // Opening the scratchpad → an editor that takes typing.
  const t0 = Date.now();
  await page.getByTestId('tab-scratchpad').click();
  await page
    .locator('[data-testid="script-editor"][data-ready="true"] .monaco-editor textarea')
    .waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="script-editor"] .view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('// typed');
  await page.waitForFunction(() => window.kmsLabScratchpad.getValue().includes('// typed'));
  const openMs = Date.now() - t0;
  console.log(`open scratchpad → editable editor (first open, cold): ${openMs} ms`);

  const setScript = (text) => page.evaluate((t) => window.kmsLabScratchpad.setValue(t), text);
  const runScript = () => page.evaluate(() => window.kmsLabScratchpad.run());
  const output = () => page.getByTestId('script-output').innerText();

  await setScript(
    `const { KeyMetadata } = await kms.createKey({ Description: 'bench' });\nconsole.log('KEY ' + KeyMetadata!.KeyId);\n`,
  );
  await runScript();
  const keyId = /KEY ([0-9a-f-]{36})/.exec(await output())?.[1];
  if (!keyId) throw new Error(`no key: ${await output()}`);

  const results = [];
  for (let round = 0; round < 3; round++) {
    await setScript(`const plaintext = lab.utf8('benchmark payload');
const t0 = performance.now();
for (let i = 0; i < ${calls}; i++) await kms.encrypt({ KeyId: '${keyId}', Plaintext: plaintext });
console.log('SCRIPT_MS ' + (performance.now() - t0).toFixed(1));
`);
    await page.getByTestId('script-timeout').fill('120');
    await runScript();
    const scriptMs = Number(/SCRIPT_MS ([\d.]+)/.exec(await output())?.[1]);
    const directMs = await page.evaluate(
      ([k, n]) =>
        window.kmsLabScratchpad.direct(
          'Encrypt',
          { KeyId: k, Plaintext: new TextEncoder().encode('benchmark payload') },
          n,
        ),
      [keyId, calls],
    );
    results.push({ scriptMs, directMs });
  }
  results.sort((a, b) => a.scriptMs / a.directMs - b.scriptMs / b.directMs);
  const mid = results[1];
  console.log(
    `${calls} Encrypt calls: script (SDK + sandbox + page + KMS worker) ${mid.scriptMs.toFixed(0)} ms (${((mid.scriptMs / calls) * 1000).toFixed(0)} µs/call), ` +
      `in the KMS worker ${mid.directMs.toFixed(0)} ms (${((mid.directMs / calls) * 1000).toFixed(0)} µs/call): ratio ${(mid.scriptMs / mid.directMs).toFixed(2)}× (median of 3; aim < 5×)`,
  );
  await context.close();
} finally {
  await browser.close();
  await served.close();
}
