// `npm start`: installs what is missing, builds the app and serves it on 127.0.0.1.
import { execSync } from 'node:child_process';
import { ensureDependencies } from './ensure-deps.mjs';

ensureDependencies();
execSync('npx vite build', { stdio: 'inherit' });
const { preview } = await import('vite');
const port = Number(process.env.PORT ?? 4173);
const server = await preview({ preview: { host: '127.0.0.1', port, strictPort: false, open: false } });
console.log(`\nKMS Lab is running at ${server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
