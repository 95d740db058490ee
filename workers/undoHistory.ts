/**
 * The open workspace's undo/redo history: a world snapshot after every call or clock move that
 * changed the world, bounded to {@link HISTORY_LIMIT} entries. How a snapshot leaves the trail out
 * (and what undo does to the trail) is worldHistory.ts's business; this module keeps the entries and
 * the position among them.
 */
import type { CloudTrailRecord, Kms } from '../src/kms/index.ts';
import { worldOf, type MirrorStore, type WorldState } from './worldHistory.ts';

/** Snapshots kept, the current world included: older ones are dropped. */
export const HISTORY_LIMIT = 30;

/** Where the world is in its history, as the page shows it. */
export interface HistoryState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Snapshots kept (the current world included). */
  readonly size: number;
}

/** A world the history follows: the engine and the store that mirrors its commits. */
interface World {
  readonly kms: Kms;
  readonly store: MirrorStore;
}

/**
 * The world without its trail at each point, and the trail of its timeline (shared by reference
 * between the entries of one timeline; each entry knows its length). See worldHistory.ts.
 */
let history: { readonly world: WorldState; readonly trail: readonly CloudTrailRecord[] }[] = [];
let historyIndex = 0;
/** Set when an event changed the world since the last snapshot. */
let dirty = false;

/** Starts the history over with the world as it is now as its only entry. */
export function startHistory({ kms, store }: World): void {
  history = [{ world: store.state, trail: kms.trail() }];
  historyIndex = 0;
  dirty = false;
}

/** Notes that the world changed: the next {@link rememberChange} takes a snapshot. */
export function markChanged(): void {
  dirty = true;
}

/**
 * Adds the world as it is now to the history if it changed since the last snapshot; an entry taken
 * after an undo drops the redo future.
 */
export async function rememberChange({ kms, store }: World): Promise<void> {
  if (!dirty) return;
  dirty = false;
  if (store.unsure) store.resync(await kms.snapshot());
  const entry = { world: store.state, trail: kms.trail() };
  history = [...history.slice(0, historyIndex + 1), entry].slice(-HISTORY_LIMIT);
  historyIndex = history.length - 1;
}

/** The entry one step back (-1) or forward (1) from the current one; undefined when there is none. */
export function historyTarget(step: -1 | 1): number | undefined {
  const index = historyIndex + step;
  return index >= 0 && index < history.length ? index : undefined;
}

/** Moves along the history to `index`: the world as it was there, its trail cut (or regrown) to match. */
export async function travelTo({ kms, store }: World, index: number): Promise<void> {
  const here = history[historyIndex]!;
  const target = history[index]!;
  // On one timeline, the stored records before both points are the same: IndexedDB keeps them.
  store.keepTrail =
    here.trail === target.trail ? Math.min(here.world.trailLength, target.world.trailLength) : 0;
  historyIndex = index;
  await kms.restore(worldOf(target.world, target.trail));
}

/** Whether undo and redo can move, and how many snapshots there are. */
export function historyState(): HistoryState {
  return { canUndo: historyIndex > 0, canRedo: historyIndex < history.length - 1, size: history.length };
}
