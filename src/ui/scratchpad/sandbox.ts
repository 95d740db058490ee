/**
 * The sandboxed iframe a script runs in: `sandbox="allow-scripts"` (no `allow-same-origin`, so an
 * opaque origin: no IndexedDB, no cookies, no access to the page) and a CSP without network
 * (`connect-src 'none'`). Its only job is to start the runner worker from a data: URL (the
 * worker gets an opaque origin and inherits the iframe's CSP) and relay messages between the worker and the page.
 */

export const SANDBOX_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' 'unsafe-eval' data:",
  'worker-src data:',
  "connect-src 'none'",
  "img-src 'none'",
  "style-src 'none'",
  "form-action 'none'",
].join('; ');

const BOOT = `
let worker = null;
addEventListener('message', (e) => {
  if (e.source !== parent) return;
  const m = e.data;
  if (m && m.t === 'start') {
    // A data: URL, not a blob: one: a blob made here has an opaque origin, which is never a secure
    // context (no crypto.subtle); a data: URL is "potentially trustworthy".
    worker = new Worker('data:text/javascript;charset=utf-8,' + encodeURIComponent(m.runner), { name: 'kms-lab-script' });
    worker.onmessage = (ev) => parent.postMessage(ev.data, '*');
    worker.onerror = (ev) => {
      ev.preventDefault();
      parent.postMessage({ t: 'error', name: 'Error', message: ev.message || 'The script could not start.' }, '*');
    };
    worker.postMessage(m.run);
  } else if (worker) worker.postMessage(m);
});
parent.postMessage({ t: 'boot' }, '*');
`;

export const SANDBOX_SRCDOC =
  `<!doctype html><html><head><meta charset="utf-8">` +
  `<meta http-equiv="Content-Security-Policy" content="${SANDBOX_CSP}">` +
  `</head><body><script>${BOOT}</script></body></html>`;

/** Creates the (hidden) sandbox iframe inside `host`. */
export function createSandboxFrame(host: HTMLElement): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('tabindex', '-1');
  frame.title = 'Script sandbox';
  frame.dataset.testid = 'script-sandbox';
  // Not display:none / visibility:hidden: Chromium throttles hidden cross-origin frames, which
  // would slow every message the script exchanges with the page.
  frame.style.cssText =
    'position:fixed;left:0;bottom:0;width:1px;height:1px;border:0;opacity:0;pointer-events:none';
  frame.srcdoc = SANDBOX_SRCDOC;
  host.appendChild(frame);
  return frame;
}
