// Runs every test (unit, conformance, lessons, e2e in headless Chromium) and ends with the plain
// line `N passed, N failed` that CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromiumPath, ensureDependencies } from './ensure-deps.mjs';

ensureDependencies();
if (!existsSync(chromiumPath()))
  console.warn(
    `warning: no Chromium at ${chromiumPath()}; browser tests will fail (set CHROME_PATH or apt-get install chromium)`,
  );

// One production build serves every browser test file (tests/e2e/harness.ts reads KMS_LAB_DIST).
const dist = resolve('.e2e-dist');
const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir'], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
});
if (built.status === 0) process.env.KMS_LAB_DIST = dist;
else console.warn('warning: the shared build failed; each browser test file will build on its own');

const report = '.vitest-report.json';
rmSync(report, { force: true });
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 1;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  // A test file that fails to load has no failed tests but is a failure all the same.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  failed = r.numFailedTests + brokenFiles.length;
}
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
