import { spawnKmsWorker } from './ui/kmsWorker.ts';

// The worker loads and opens the world on its own thread while the app's chunk loads and renders.
const worker = spawnKmsWorker();
const { startApp } = await import('./startApp.ts');
await startApp(document.getElementById('app')!, worker);
