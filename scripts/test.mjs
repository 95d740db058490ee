// Runs every test (unit, conformance, lessons, e2e in headless Chromium) and ends with the plain
// line `N passed, N failed` that CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chromiumPath, ensureDependencies } from './ensure-deps.mjs';

ensureDependencies();
if (!existsSync(chromiumPath()))
  console.warn(
    `warning: no Chromium at ${chromiumPath()}; browser tests will fail (set CHROME_PATH or apt-get install chromium)`,
  );

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
