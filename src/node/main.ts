/**
 * `npm run api -- [--port N]`: KMS Lab as a local AWS KMS endpoint on http://127.0.0.1:4599.
 * Point any AWS client at it, e.g. `aws kms list-keys --endpoint-url http://127.0.0.1:4599`.
 */
import { API_HOST, DEFAULT_API_PORT, startApiServer } from './server.ts';

function parseArgs(argv: readonly string[]): { port: number } {
  let port = DEFAULT_API_PORT;
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
    } else if (flag === '--help' || flag === '-h') {
      console.log(`usage: npm run api -- [--port N]   (default ${DEFAULT_API_PORT}; 0 picks a free port)`);
      process.exit(0);
    } else fail(`unknown argument ${argv[i]}`);
  }
  return { port };
}

function fail(message: string): never {
  console.error(`kms-lab api: ${message}`);
  process.exit(2);
}

const { port } = parseArgs(process.argv.slice(2));
const server = await startApiServer({ port }).catch((e: NodeJS.ErrnoException) => {
  fail(e.code === 'EADDRINUSE' ? `port ${port} is already in use (try --port 0)` : String(e));
});
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
