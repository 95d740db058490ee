/**
 * Every lesson replays in CI (Learn Git Branching's level contract): from its start world, the
 * solution meets every step's check (re-checked after each call, as the lesson panel does) within par;
 * an empty script meets none; and every check fails on the start world (no goal is trivially true).
 */
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../lessons/index.ts';
import { evaluateSteps, replay, startSession, worldView } from '../../src/learn/world.ts';

describe.each(LESSONS.map((l) => [l.id, l] as const))('lesson %s', (_id, lesson) => {
  it('no check holds on the start world, nor after an empty script', async () => {
    const { kms, mark } = await startSession(lesson);
    const start = evaluateSteps(lesson.steps, await worldView(kms, mark));
    expect(start.filter((s) => s.met).map((s) => s.id)).toEqual([]);
    const { progress, result } = await replay(kms, mark, lesson.steps, '');
    expect(result.error).toBeUndefined();
    expect(
      progress
        .results()
        .filter((s) => s.met)
        .map((s) => s.id),
    ).toEqual([]);
    mark.stop();
  });

  it('the solution meets every step, within par', async () => {
    const { kms, mark } = await startSession(lesson);
    const { progress, result } = await replay(kms, mark, lesson.steps, lesson.solution);
    expect(result.error).toBeUndefined();
    expect(progress.results().filter((s) => !s.met)).toEqual([]);
    expect(result.calls.length).toBeLessThanOrEqual(lesson.par);
    mark.stop();
  });

  it('is well-formed: unique step IDs, a three-rung hint ladder, 2–5 steps', () => {
    expect(new Set(lesson.steps.map((s) => s.id)).size).toBe(lesson.steps.length);
    expect(lesson.steps.length).toBeGreaterThanOrEqual(2);
    expect(lesson.steps.length).toBeLessThanOrEqual(5);
    for (const s of lesson.steps) expect(s.hints.map((h) => h.level)).toEqual(['nudge', 'concept', 'call']);
  });
});

it('lesson IDs are unique', () => {
  expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
});
