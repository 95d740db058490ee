// Installs npm dependencies when they are missing or older than the lockfile, so `npm start` and
// `npm test` work on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

export function ensureDependencies() {
  const marker = 'node_modules/.package-lock.json';
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
  if (stale) {
    console.log('Installing dependencies (npm ci)…');
    execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  }
}

export function chromiumPath() {
  return process.env.CHROME_PATH ?? '/usr/bin/chromium';
}
