// `npm run bench`: runs every benchmark in tests/bench/ (they print figures; they never fail on speed).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { ensureDependencies } from './ensure-deps.mjs';

ensureDependencies();
const only = process.argv.slice(2);
const benches = readdirSync('tests/bench')
  .filter((f) => /\.bench\.(ts|mjs)$/.test(f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync('npx', ['tsx', `tests/bench/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
