/**
 * Which workspace follows which lesson (src/ui/learn/learn.svelte.ts, progress.ts): a workspace that
 * no longer exists loses its binding, in state and in IndexedDB, so a new workspace of the same name
 * starts unbound; a binding is never dropped on a stale list alone.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/ui/lab.svelte.ts';
import { Learn } from '../../src/ui/learn/learn.svelte.ts';
import { loadBindings, type Binding } from '../../src/ui/learn/progress.ts';

/** Just what Learn reads of the lab for bindings: the open workspace and the worker's list. */
function fakeLab(open: string, workerList: () => Promise<string[]>): Lab {
  return { workspace: open, worker: { workspaces: workerList } } as unknown as Lab;
}

const binding = (workspace: string, id = 'grants'): Binding => ({
  workspace,
  kind: 'lesson',
  id,
  trailIndex: 3,
  met: [],
});

async function stored(): Promise<string[]> {
  return (await loadBindings()).map((b) => b.workspace).sort();
}

describe('lesson bindings of deleted workspaces', () => {
  it('forgets the binding of a deleted workspace, in state and in IndexedDB', async () => {
    let list = ['default', 'grants', 'rotation'];
    const learn = new Learn(fakeLab('default', async () => list));
    await learn.bind(binding('grants'));
    await learn.bind(binding('rotation', 'rotation'));
    expect(await stored()).toEqual(['grants', 'rotation']);

    // Nothing is gone: nothing changes.
    await learn.pruneBindings(list);
    expect(Object.keys(learn.bindings).sort()).toEqual(['grants', 'rotation']);

    list = ['default', 'rotation'];
    await learn.pruneBindings(list);
    expect(Object.keys(learn.bindings)).toEqual(['rotation']);
    expect(await stored()).toEqual(['rotation']);

    // A new workspace of the old name is not attached to the old lesson, even after a reload.
    list = ['default', 'grants', 'rotation'];
    await learn.pruneBindings(list);
    expect(Object.hasOwn(learn.bindings, 'grants')).toBe(false);
    const reloaded = new Learn(fakeLab('grants', async () => list));
    reloaded.bindings = Object.fromEntries((await loadBindings()).map((b) => [b.workspace, b]));
    expect(reloaded.here).toBeUndefined();
    await learn.unbind('rotation');
  });

  it('keeps a binding when only the lab’s list is stale (the worker still has the workspace)', async () => {
    const learn = new Learn(fakeLab('default', async () => ['default', 'fresh']));
    await learn.bind(binding('fresh'));
    await learn.pruneBindings(['default']);
    expect(Object.keys(learn.bindings)).toEqual(['fresh']);
    expect(await stored()).toEqual(['fresh']);
    await learn.unbind('fresh');
  });

  it('never forgets the open workspace’s binding', async () => {
    const learn = new Learn(fakeLab('opened', async () => ['default']));
    await learn.bind(binding('opened'));
    await learn.pruneBindings(['default']);
    expect(Object.keys(learn.bindings)).toEqual(['opened']);
    await learn.unbind('opened');
  });

  it('keeps a binding made while the worker was answering', async () => {
    let answer: (names: string[]) => void = () => undefined;
    const learn = new Learn(
      fakeLab(
        'default',
        () =>
          new Promise<string[]>((resolve) => {
            answer = resolve;
          }),
      ),
    );
    await learn.bind(binding('busy'));
    const pruning = learn.pruneBindings(['default']);
    await Promise.resolve();
    // A lesson starts in a new workspace "busy" meanwhile; the worker's list predates it.
    await learn.bind({ ...binding('busy'), trailIndex: 7 });
    answer(['default']);
    await pruning;
    expect(learn.bindings['busy']?.trailIndex).toBe(7);
    expect(await stored()).toEqual(['busy']);
    await learn.unbind('busy');
  });

  it('keeps every binding when the worker cannot list the workspaces', async () => {
    const learn = new Learn(fakeLab('default', () => Promise.reject(new Error('worker gone'))));
    await learn.bind(binding('kept'));
    await learn.pruneBindings(['default']);
    expect(Object.keys(learn.bindings)).toEqual(['kept']);
    await learn.unbind('kept');
  });
});
