/**
 * The scratchpad keeps each workspace's script in localStorage (src/ui/scratchpad/Scratchpad.svelte);
 * share links read it from there and put a shared script there for a new workspace, so the editor
 * shows it when it opens. Nothing here runs a script.
 */
const scriptKey = (workspace: string) => `kms-lab:script:${workspace}`;

export function readScript(workspace: string): string | undefined {
  try {
    return localStorage.getItem(scriptKey(workspace)) ?? undefined;
  } catch {
    return undefined;
  }
}

export function writeScript(workspace: string, text: string): void {
  try {
    localStorage.setItem(scriptKey(workspace), text);
  } catch {
    // Storage blocked or full: the workspace opens with the default script.
  }
}

/** Shows the scratchpad tab of the workbench (it loads Monaco on first open). */
export function showScratchpad(): void {
  document.querySelector<HTMLButtonElement>('[data-testid="tab-scratchpad"]')?.click();
}
