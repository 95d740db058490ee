/**
 * Load benchmark (plain node script): builds the app, serves it in-process and measures in
 * headless Chromium the time from navigation start to an interactive world (worker ready and the
 * first key list rendered), and prints the JavaScript the page loads before that, gzipped (budget:
 * 150 KB), and the KMS worker's.
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
  const times = [];
  /** JavaScript the page fetched before it was interactive (the KMS worker's script apart). */
  let pageScripts = [];
  let workerScripts = [];
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
    if (i === 0) {
      const names = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname.slice(1))
          .filter((n) => n.endsWith('.js')),
      );
      // The KMS worker's static imports show up in the page's resource timing too: tell them apart
      // by following the worker chunk's own imports.
      const worker = new Set();
      const follow = (file) => {
        if (worker.has(file)) return;
        worker.add(file);
        const code = readFileSync(join(served.outDir, file), 'utf8');
        for (const m of code.matchAll(/from\s*["']\.\/([^"']+\.js)["']/g)) follow(`assets/${m[1]}`);
      };
      for (const n of names) if (/kms\.worker-/.test(n)) follow(n);
      workerScripts = names.filter((n) => worker.has(n));
      pageScripts = names.filter((n) => !worker.has(n));
    }
    await context.close();
  }
  const size = (files) => {
    let raw = 0;
    let gz = 0;
    for (const f of files) {
      const bytes = readFileSync(join(served.outDir, f));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    return `${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`;
  };
  console.log(
    `page JS before interactive (${pageScripts.length} files): ${size(pageScripts)} (budget 150 KB)`,
  );
  console.log(`KMS worker JS before interactive (${workerScripts.join(', ')}): ${size(workerScripts)}`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `navigation → interactive world (fresh profile, ${runs} runs): median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms (budget 1000 ms)`,
  );
} finally {
  await browser.close();
  await served.close();
}
