/**
 * `npm run api -- [--port N] [--seed FILE]`: KMS Lab as a local AWS KMS endpoint on
 * http://127.0.0.1:4599, optionally seeded from a scenario file (docs/scenario-format.md).
 * Point any AWS client at it, e.g. `aws kms list-keys --endpoint-url http://127.0.0.1:4599`.
 */
import { readFile } from 'node:fs/promises';
import { ScenarioError } from '../kms/scenario/index.ts';
import { API_HOST, DEFAULT_API_PORT, startApiServer } from './server.ts';

const USAGE = `usage: npm run api -- [--port N] [--seed FILE]
  --port N      TCP port on ${API_HOST} (default ${DEFAULT_API_PORT}; 0 picks a free port)
  --seed FILE   build the world from a scenario file (docs/scenario-format.md) before listening`;

function parseArgs(argv: readonly string[]): { port: number; seed?: string } {
  let port = DEFAULT_API_PORT;
  let seed: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--port') {
      const v = value();
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0 || n > 65535) fail(`invalid --port ${v ?? ''}`);
      port = n;
    } else if (flag === '--host') {
      const v = value();
      if (v !== API_HOST) fail(`--host must be ${API_HOST}: the KMS Lab API never listens elsewhere`);
    } else if (flag === '--seed') {
      const v = value();
      if (!v) fail('--seed needs a scenario file');
      seed = v;
    } else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${argv[i]}`);
  }
  return { port, ...(seed !== undefined ? { seed } : {}) };
}

function fail(message: string): never {
  console.error(`kms-lab api: ${message}`);
  process.exit(2);
}

const { port, seed: seedFile } = parseArgs(process.argv.slice(2));
const seed =
  seedFile === undefined
    ? undefined
    : await readFile(seedFile, 'utf8').catch((e: NodeJS.ErrnoException) =>
        fail(`cannot read --seed ${seedFile}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`),
      );
const server = await startApiServer({ port, ...(seed !== undefined ? { seed } : {}) }).catch(
  (e: NodeJS.ErrnoException) => {
    if (e instanceof ScenarioError) fail(`--seed ${seedFile}: ${e.message}`);
    fail(e.code === 'EADDRINUSE' ? `port ${port} is already in use (try --port 0)` : String(e));
  },
);
if (server.seeded) {
  const { keys, credentials } = server.seeded;
  console.log(`Seeded from ${seedFile}: ${keys.length} key(s), ${credentials.length} access key(s)`);
  for (const k of keys) console.log(`  key ${k.arn}${k.aliases.length ? ` (${k.aliases.join(', ')})` : ''}`);
  for (const c of credentials) console.log(`  access key ${c.accessKeyId} -> ${c.principalArn}`);
}
console.log(`KMS Lab API listening on ${server.url}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
