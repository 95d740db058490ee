/**
 * The worker's two big sides, each loaded on first use so the world opens without waiting for them
 * (and the worker's first chunk stays small): lessons, challenges and share links (learnSide.ts),
 * and the command line with the scratchpad's typings (runner/kmsSide.ts). Keep both imports dynamic.
 */
import type * as LearnSide from './learnSide.ts';
import { forward } from './labEvents.ts';

type LearnModule = typeof LearnSide;
type ShellModule = typeof import('./runner/kmsSide.ts');

/** Lessons and challenges (set once loaded). */
let learnLoaded: LearnModule | null = null;
let learnLoading: Promise<LearnModule> | null = null;

/** Lessons, challenges and share links, loaded when first asked for. */
export function learnSide(): Promise<LearnModule> {
  return (learnLoading ??= import('./learnSide.ts').then((m) => (learnLoaded = m)));
}

/** Lessons and challenges if they were loaded (there is nothing to follow before): never loads them. */
export function loadedLearnSide(): LearnModule | null {
  return learnLoaded;
}

/** Re-checks the active lesson's steps after a call or event, telling the page when they changed. */
export async function checkLearn(): Promise<void> {
  const learn = learnLoaded;
  if (!learn) return;
  try {
    if (await learn.check()) forward({ type: 'learn', status: learn.learnStatus() });
  } catch (e) {
    console.error(e);
  }
}

let shellLoading: Promise<ShellModule> | null = null;

/** The command line and the scratchpad's typings, loaded when first used. */
export function shell(): Promise<ShellModule> {
  return (shellLoading ??= import('./runner/kmsSide.ts'));
}

/** Forgets a workspace's shell session (if the shell was loaded): its files are read anew from the desk. */
export async function dropShellSession(workspace: string): Promise<void> {
  if (shellLoading) (await shellLoading).dropSession(workspace);
}
