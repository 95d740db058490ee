/**
 * The page's side of a workspace's desk (workers/desk.ts: the KMS worker keeps each workspace's
 * script, command history and files in IndexedDB). The scratchpad and the terminal load it from
 * here; share links read the script from here and put a shared script into a new workspace's desk
 * through here, so the editor shows it when it opens. Nothing here runs a script.
 *
 * Older versions kept the script and the history in localStorage; the first load of a workspace's
 * desk takes them over (where the desk has none) and removes them.
 */
import type { DeskText, Lab } from '../lab.svelte.ts';

const scriptKey = (workspace: string) => `kms-lab:script:${workspace}`;
const historyKey = (workspace: string) => `kms-lab:cli-history:${workspace}`;

/** The script of each workspace as this page last read it from its desk or wrote it there. */
const scripts = new Map<string, string>();
/** The lab whose KMS worker keeps the desks (known once a desk was loaded through it). */
let desks: Lab | null = null;

function legacyOf(workspace: string): { script?: string; history?: string[] } {
  try {
    const script = localStorage.getItem(scriptKey(workspace));
    const lines: unknown = JSON.parse(localStorage.getItem(historyKey(workspace)) ?? 'null');
    const history = Array.isArray(lines) ? lines.filter((x): x is string => typeof x === 'string') : [];
    return { ...(script === null ? {} : { script }), ...(history.length ? { history } : {}) };
  } catch {
    return {};
  }
}

function dropLegacy(workspace: string) {
  try {
    localStorage.removeItem(scriptKey(workspace));
    localStorage.removeItem(historyKey(workspace));
  } catch {
    // Storage blocked: nothing there to take over either.
  }
}

/**
 * A workspace's script and command history, from its desk (after taking over what an older
 * version left in localStorage).
 */
export async function loadDesk(lab: Lab, workspace: string): Promise<DeskText> {
  desks = lab;
  const legacy = legacyOf(workspace);
  const desk = await lab.desk.open(workspace, legacy);
  if (legacy.script !== undefined || legacy.history) dropLegacy(workspace);
  if (desk.script === undefined) scripts.delete(workspace);
  else scripts.set(workspace, desk.script);
  return desk;
}

/**
 * Saves a workspace's script in its desk; rejects (with a plain message) when it was not saved.
 * {@link readScript} answers with it at once (it is what the scratchpad shows).
 */
export async function saveScript(lab: Lab, workspace: string, text: string): Promise<void> {
  desks = lab;
  scripts.set(workspace, text);
  await lab.desk.saveScript(workspace, text);
}

/** The workspace's script as last loaded or saved on this page (undefined: none of its own). */
export function readScript(workspace: string): string | undefined {
  return scripts.get(workspace) ?? legacyOf(workspace).script;
}

/**
 * Puts a script into a workspace's desk (a share link's, for the new workspace it opened): the
 * scratchpad shows it when that workspace opens. The KMS worker stores a link's script itself
 * when it opens the link, so this only repeats it; it also makes {@link readScript} know it at once.
 */
export function writeScript(workspace: string, text: string): void {
  scripts.set(workspace, text);
  void desks?.desk.saveScript(workspace, text).catch(() => undefined);
}

/** Forgets what the page knows of a deleted workspace's desk (and anything older versions left). */
export function forgetDesk(workspace: string): void {
  scripts.delete(workspace);
  dropLegacy(workspace);
}

/** Shows the scratchpad tab of the workbench (it loads Monaco on first open). */
export function showScratchpad(): void {
  document.querySelector<HTMLButtonElement>('[data-testid="tab-scratchpad"]')?.click();
}
