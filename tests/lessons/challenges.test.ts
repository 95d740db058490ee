/**
 * Challenges: every reference answer scores full and a wrong one does not; hands-on reference scripts
 * reach their goals within par from the start world, an empty script does not; the exam draws and scores.
 */
import { describe, expect, it } from 'vitest';
import { CHALLENGES } from '../../lessons/challenges/index.ts';
import {
  drawExam,
  grade,
  referenceAnswer,
  scoreExam,
  type Answer,
  type HandsOnChallenge,
  type QuestionChallenge,
} from '../../src/learn/challenges.ts';
import { runScript } from '../../src/learn/runtime.ts';
import { startSession, worldView } from '../../src/learn/world.ts';

const questions = CHALLENGES.filter((c): c is QuestionChallenge => c.kind !== 'hands-on');
const handsOn = CHALLENGES.filter((c): c is HandsOnChallenge => c.kind === 'hands-on');

/** A plausible wrong answer: the reference with one change. */
function wrong(c: QuestionChallenge): Answer {
  switch (c.kind) {
    case 'multiple-response': {
      const bad = c.options.find((o) => !o.correct)!;
      const good = c.options.filter((o) => o.correct).map((o) => o.id);
      return { kind: c.kind, chosen: [...good.slice(1), bad.id] };
    }
    case 'ordering': {
      const order = c.items.map((i) => i.id);
      [order[0], order[1]] = [order[1]!, order[0]!];
      return { kind: c.kind, order };
    }
    case 'matching': {
      const ids = c.pairs.map((p) => p.id);
      return {
        kind: c.kind,
        matches: Object.fromEntries(ids.map((id, i) => [id, ids[(i + 1) % ids.length]!])),
      };
    }
  }
}

it('has at least 40 items across the parts of KMS, of every kind', () => {
  expect(CHALLENGES.length).toBeGreaterThanOrEqual(40);
  expect(new Set(CHALLENGES.map((c) => c.id)).size).toBe(CHALLENGES.length);
  expect(new Set(CHALLENGES.map((c) => c.kind))).toEqual(
    new Set(['hands-on', 'multiple-response', 'ordering', 'matching']),
  );
  expect(new Set(CHALLENGES.flatMap((c) => c.tags.areas)).size).toBeGreaterThanOrEqual(14);
});

describe.each(questions.map((c) => [c.id, c] as const))('question %s', (_id, c) => {
  it('the reference answer scores full, a wrong one does not, and every option is explained', () => {
    const ok = grade(c, referenceAnswer(c));
    expect(ok).toMatchObject({ score: 1, full: true });
    const bad = grade(c, wrong(c));
    expect(bad.full).toBe(false);
    expect(bad.score).toBeLessThan(1);
    expect(grade(c, { kind: 'ordering', order: [] }).full).toBe(false);
    const explained =
      c.kind === 'multiple-response'
        ? c.options.map((o) => o.why)
        : c.kind === 'ordering'
          ? c.items.map((i) => i.why)
          : c.pairs.map((p) => p.why);
    for (const why of explained) expect(why.length).toBeGreaterThan(5);
    if (c.kind === 'multiple-response') expect(c.options.length).toBeGreaterThan(c.pick);
  });
});

describe.each(handsOn.map((c) => [c.id, c] as const))('hands-on %s', (_id, c) => {
  it('the reference script scores full within par; doing nothing does not', async () => {
    const empty = await startSession(c);
    expect(grade(c, { kind: 'hands-on', world: await worldView(empty.kms, empty.mark) }).full).toBe(false);
    empty.mark.stop();

    const { kms, mark } = await startSession(c);
    const r = await runScript(kms, c.solution);
    expect(r.error).toBeUndefined();
    expect(r.calls.length).toBeLessThanOrEqual(c.par);
    const g = grade(c, { kind: 'hands-on', world: await worldView(kms, mark) });
    expect(g.feedback.filter((f) => !f.ok)).toEqual([]);
    expect(g.full).toBe(true);
    mark.stop();
  });
});

describe('exam mode', () => {
  const startedAt = Date.parse('2026-02-01T10:00:00Z');

  it('draws a seeded, timed set spread over areas, without hands-on items by default', () => {
    const exam = drawExam(CHALLENGES, { count: 15, seed: 7, startedAt });
    expect(exam.itemIds).toHaveLength(15);
    expect(new Set(exam.itemIds).size).toBe(15);
    expect(drawExam(CHALLENGES, { count: 15, seed: 7, startedAt }).itemIds).toEqual(exam.itemIds);
    expect(drawExam(CHALLENGES, { count: 15, seed: 8, startedAt }).itemIds).not.toEqual(exam.itemIds);
    expect(exam.itemIds.every((id) => CHALLENGES.find((c) => c.id === id)!.kind !== 'hands-on')).toBe(true);
    const areas = new Set(exam.itemIds.map((id) => CHALLENGES.find((c) => c.id === id)!.tags.areas[0]));
    expect(areas.size).toBeGreaterThanOrEqual(8);
    expect(exam.durationMs).toBe(Math.round(15 * 2.6 * 60_000));
  });

  it('scores reference answers as a pass, wrong and late answers as a fail', () => {
    const exam = drawExam(CHALLENGES, { count: 10, seed: 3, startedAt });
    const items = exam.itemIds.map((id) => CHALLENGES.find((c) => c.id === id) as QuestionChallenge);
    const inTime = startedAt + 60_000;
    const right = Object.fromEntries(items.map((c) => [c.id, { answer: referenceAnswer(c), at: inTime }]));
    expect(scoreExam(CHALLENGES, exam, right)).toMatchObject({ score: 1, passed: true, timedOut: false });

    const wrongs = Object.fromEntries(items.map((c) => [c.id, { answer: wrong(c), at: inTime }]));
    const failed = scoreExam(CHALLENGES, exam, wrongs);
    expect(failed.passed).toBe(false);
    expect(failed.score).toBeLessThan(0.72);

    const late = Object.fromEntries(
      items.map((c) => [c.id, { answer: referenceAnswer(c), at: startedAt + exam.durationMs + 1 }]),
    );
    expect(scoreExam(CHALLENGES, exam, late)).toMatchObject({ score: 0, passed: false, timedOut: true });
    expect(scoreExam(CHALLENGES, exam, {})).toMatchObject({ score: 0, passed: false });
  });

  it('an answer of the wrong kind scores zero instead of throwing', () => {
    const c = questions.find((q) => q.kind === 'matching')!;
    expect(grade(c, { kind: 'multiple-response', chosen: ['a'] })).toMatchObject({ score: 0, full: false });
    expect(grade(c, { kind: 'matching', matches: JSON.parse('{"__proto__": "p1"}') }).full).toBe(false);
  });
});
