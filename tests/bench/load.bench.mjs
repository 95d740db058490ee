/**
 * Load benchmark (plain node script): builds the app, serves it in-process and measures in
 * headless Chromium the time from navigation start to an interactive world (worker ready and the
 * first key list rendered), and prints the entry JavaScript size gzipped (budget: 150 KB).
 *   node tests/bench/load.bench.mjs [--runs N]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, serveBuilt } from '../../scripts/serveBuilt.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const served = await serveBuilt();
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const html = readFileSync(join(served.outDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1]);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]);
  let raw = 0;
  let gz = 0;
  for (const f of [...entries, ...preloads]) {
    const bytes = readFileSync(join(served.outDir, f));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(
    `entry JS (${[...entries, ...preloads].join(', ')}): ${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget 150 KB)`,
  );

  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    await page.goto(served.base, { waitUntil: 'commit' });
    // Interactive: the worker answered (state arrived) and the key list is rendered.
    const handle = await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="app"][data-ready="true"]') &&
        document.querySelector('[data-testid="keys-table"] tbody tr') &&
        performance.now(),
      undefined,
      { polling: 'raf', timeout: 20_000 },
    );
    times.push(await handle.jsonValue());
    await context.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `navigation → interactive world (fresh profile, ${runs} runs): median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms (budget 1000 ms)`,
  );
} finally {
  await browser.close();
  await served.close();
}
