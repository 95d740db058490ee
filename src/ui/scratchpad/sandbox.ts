/**
 * The sandboxed iframe a script runs in: `sandbox="allow-scripts"` (no `allow-same-origin`, so an
 * opaque origin: no IndexedDB, no cookies, no access to the page) and a CSP without network
 * (`connect-src 'none'`). Its only job is to start the runner worker from a blob (the worker
 * inherits the iframe's origin and CSP) and relay messages between the worker and the page.
 */

export const SANDBOX_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' 'unsafe-eval' blob:",
  'worker-src blob:',
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
    const url = URL.createObjectURL(new Blob([m.runner], { type: 'text/javascript' }));
    worker = new Worker(url, { type: 'module', name: 'kms-lab-script' });
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
  frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
  frame.srcdoc = SANDBOX_SRCDOC;
  host.appendChild(frame);
  return frame;
}
