/** Registers the service worker of the built app (src/ui/pwa/vitePlugin.ts), so it works offline. */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('./sw.js').catch(() => {
    // No offline support (e.g. a file:// page or a private window); everything else works.
  });
}
