/**
 * The progressive web app, at build time: a web app manifest, an icon, and a service worker that
 * precaches every file of the build (Vite's hashed assets, workers included) so that a reload works
 * offline once the app was loaded. The cache is named after a hash of the file list, so a new build
 * installs a new cache and drops the old one. Node only (vite.config.ts).
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="5" fill="#2454d6"/><path fill="#fff" d="M12.65 10A6 6 0 0 0 7 6a6 6 0 0 0 0 12 6 6 0 0 0 5.65-4H17v4h4v-4h2v-4H12.65ZM7 14a2 2 0 1 1 0-4 2 2 0 0 1 0 4Z" transform="translate(1.5 1.5) scale(0.875)"/></svg>`;

const MANIFEST = {
  name: 'KMS Lab',
  short_name: 'KMS Lab',
  description: 'AWS KMS, simulated in your browser: lessons, challenges and shareable scenarios.',
  start_url: './',
  scope: './',
  display: 'standalone',
  background_color: '#f4f6f9',
  theme_color: '#2454d6',
  icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
};

/** The service worker: precache on install, cache-first for files, network-first for pages. */
function serviceWorker(files: readonly string[], version: string): string {
  return `/* KMS Lab service worker (generated at build time). */
const CACHE = 'kms-lab-${version}';
const FILES = ${JSON.stringify(['./', ...files])};
self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((f) => new URL(f, self.registration.scope).href)))
      .then(() => self.skipWaiting()),
  );
});
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('kms-lab-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // The page itself: the network when there is one (a new build), else the cached copy.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(new URL('./', self.registration.scope).href, { ignoreVary: true }).then((r) => r || Response.error()),
      ),
    );
    return;
  }
  // Hashed files never change; ignore Vary (the dev server varies on Origin, script tags send one)
  event.respondWith(caches.match(request, { ignoreVary: true }).then((cached) => cached || fetch(request)));
});
`;
}

export function pwa(): Plugin {
  return {
    name: 'kms-lab-pwa',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        { tag: 'link', attrs: { rel: 'manifest', href: './manifest.webmanifest' }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: './icon.svg' }, injectTo: 'head' },
        { tag: 'meta', attrs: { name: 'theme-color', content: MANIFEST.theme_color }, injectTo: 'head' },
      ],
    },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        this.emitFile({
          type: 'asset',
          fileName: 'manifest.webmanifest',
          source: JSON.stringify(MANIFEST, null, 2),
        });
        this.emitFile({ type: 'asset', fileName: 'icon.svg', source: ICON });
        const files = [...new Set([...Object.keys(bundle), 'index.html', 'manifest.webmanifest', 'icon.svg'])]
          .filter((f) => !f.endsWith('.map') && f !== 'sw.js')
          .sort();
        const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
        this.emitFile({ type: 'asset', fileName: 'sw.js', source: serviceWorker(files, version) });
      },
    },
  };
}
