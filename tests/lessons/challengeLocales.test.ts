/**
 * Challenge text per locale: translations overlay English text only (never what grading reads), fall
 * back to English, name only real challenges and IDs, and reach the page through the worker's catalog
 * and grades in the learner's locale.
 */
import { describe, expect, it } from 'vitest';
import { CHALLENGES, challengeById } from '../../lessons/challenges/index.ts';
import { CHALLENGE_TRANSLATIONS, LOCALES, localesOf } from '../../lessons/translations.ts';
import {
  grade,
  referenceAnswer,
  scoreExam,
  type Answer,
  type Challenge,
  type QuestionChallenge,
} from '../../src/learn/challenges.ts';
import { localizeChallenge, staleChallengeKeys } from '../../src/learn/text.ts';
import type { WorldView } from '../../src/learn/types.ts';

const de = (c: Challenge) => localizeChallenge(c, 'de', CHALLENGE_TRANSLATIONS);
const questions = CHALLENGES.filter((c): c is QuestionChallenge => c.kind !== 'hands-on');

/** A wrong answer: the reference with one change. */
function wrong(c: QuestionChallenge): Answer {
  switch (c.kind) {
    case 'multiple-response': {
      const bad = c.options.find((o) => !o.correct)!;
      return {
        kind: c.kind,
        chosen: [
          ...c.options
            .filter((o) => o.correct)
            .map((o) => o.id)
            .slice(1),
          bad.id,
        ],
      };
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

/** Every text of a challenge, by where it sits (`title`, `options.a.why`, `goals.goal-1`, `hints.0`, …). */
function texts(c: Challenge): Record<string, string> {
  const out: Record<string, string> = { title: c.title, prompt: c.prompt, explanation: c.explanation };
  switch (c.kind) {
    case 'multiple-response':
      for (const o of c.options)
        Object.assign(out, { [`options.${o.id}.text`]: o.text, [`options.${o.id}.why`]: o.why });
      break;
    case 'ordering':
      for (const i of c.items)
        Object.assign(out, { [`items.${i.id}.text`]: i.text, [`items.${i.id}.why`]: i.why });
      break;
    case 'matching':
      for (const p of c.pairs)
        Object.assign(out, {
          [`pairs.${p.id}.left`]: p.left,
          [`pairs.${p.id}.right`]: p.right,
          [`pairs.${p.id}.why`]: p.why,
        });
      break;
    case 'hands-on':
      c.goals.forEach((g, i) => (out[`goals.goal-${i + 1}`] = g.describe));
      c.hints.forEach((h, i) => (out[`hints.${i}`] = h.text));
      break;
  }
  return out;
}

/** What grading reads: everything but the text. */
function gradingOf(c: Challenge): unknown {
  switch (c.kind) {
    case 'multiple-response':
      return { id: c.id, pick: c.pick, options: c.options.map((o) => [o.id, o.correct]) };
    case 'ordering':
      return { id: c.id, items: c.items.map((i) => i.id) };
    case 'matching':
      return { id: c.id, pairs: c.pairs.map((p) => p.id) };
    case 'hands-on':
      return {
        id: c.id,
        goals: c.goals.map((g) => g.test),
        hints: c.hints.map((h) => h.level),
        solution: c.solution,
      };
  }
}

const EMPTY_WORLD: WorldView = {
  now: 0,
  keys: [],
  aliases: [],
  identities: [],
  clusters: [],
  customKeyStores: [],
  resources: [],
  trail: [],
  calls: [],
};

it('every challenge translation names a challenge and only its IDs', () => {
  expect(Object.keys(CHALLENGE_TRANSLATIONS)).toContain('de');
  for (const [locale, byId] of Object.entries(CHALLENGE_TRANSLATIONS))
    for (const [id, t] of Object.entries(byId)) {
      const c = challengeById(id);
      expect(c, `${locale}/challenges/${id}.json names no challenge`).toBeDefined();
      expect(staleChallengeKeys(c!, t), `${locale}/challenges/${id}.json`).toEqual([]);
    }
});

it('reports stale and misplaced entries', () => {
  const mr = challengeById('envelope-why')!;
  expect(
    staleChallengeKeys(mr, {
      title: 'ok',
      options: { a: { text: 'ok' }, z: { text: 'no such option' } },
      items: { s1: { text: 'not an ordering' } },
      goals: { 'goal-1': 'not hands-on' },
    }),
  ).toEqual(['options.z', 'items', 'goals']);
  expect(staleChallengeKeys(mr, { options: { a: { correct: true } } } as never)).toEqual([
    'options.a.correct',
  ]);
  const ordering = challengeById('order-envelope')!;
  expect(staleChallengeKeys(ordering, { items: { s9: { text: 'x' } }, intro: 'x' } as never)).toEqual([
    'items.s9',
    'intro',
  ]);
  const matching = challengeById('match-errors')!;
  expect(staleChallengeKeys(matching, { pairs: { p1: { left: 'x', text: 'x' } } } as never)).toEqual([
    'pairs.p1.text',
  ]);
  const handsOn = challengeById('contain-leak')!;
  expect(
    staleChallengeKeys(handsOn, { goals: { 'goal-1': 'x', 'goal-3': 'x' }, hints: ['1', '2', '3', '4'] }),
  ).toEqual(['goals.goal-3', 'hints']);
});

it('German translates every text of every challenge, keeping names, code and specs', () => {
  const missing: string[] = [];
  for (const c of CHALLENGES) {
    expect(Object.hasOwn(CHALLENGE_TRANSLATIONS['de'] ?? {}, c.id), `de/challenges/${c.id}.json`).toBe(true);
    const en = texts(c);
    const got = texts(de(c));
    expect(Object.keys(got)).toEqual(Object.keys(en));
    expect(got['title'], c.id).not.toBe(en['title']);
    expect(got['prompt'], c.id).not.toBe(en['prompt']);
    expect(got['explanation'], c.id).not.toBe(en['explanation']);
    // Every entry is in the file (identical text is allowed where it is code or a name, e.g. an API).
    const t = CHALLENGE_TRANSLATIONS['de']![c.id]!;
    for (const where of Object.keys(en)) {
      const [k, id, field] = where.split('.') as [string, string?, string?];
      const v: unknown =
        id === undefined
          ? (t as Record<string, unknown>)[k]
          : k === 'hints'
            ? t.hints?.[Number(id)]
            : field === undefined
              ? (t.goals ?? {})[id]
              : ((t as Record<string, Record<string, Record<string, unknown>>>)[k]?.[id] ?? {})[field];
      if (typeof v !== 'string' || !v.trim()) missing.push(`${c.id}: ${where}`);
    }
    // Inline code and key specs in backticks survive the translation.
    for (const [where, text] of Object.entries(en))
      for (const code of text.match(/`[^`]+`/g) ?? [])
        expect(got[where], `${c.id} ${where} keeps ${code}`).toContain(code);
  }
  expect(missing).toEqual([]);
});

describe.each(questions.map((c) => [c.id, c] as const))('question %s in German', (_id, en) => {
  it('grades exactly as in English, with the German text', () => {
    const c = de(en) as QuestionChallenge;
    expect(gradingOf(c)).toEqual(gradingOf(en));
    expect(referenceAnswer(c)).toEqual(referenceAnswer(en));
    for (const answer of [referenceAnswer(en), wrong(en)]) {
      const g = grade(c, answer);
      const e = grade(en, answer);
      expect({ score: g.score, full: g.full }).toEqual({ score: e.score, full: e.full });
      expect(g.feedback.map((f) => [f.id, f.ok])).toEqual(e.feedback.map((f) => [f.id, f.ok]));
      expect(g.explanation).toBe(c.explanation);
      expect(g.explanation).not.toBe(e.explanation);
    }
    expect(grade(c, referenceAnswer(en)).full).toBe(true);
    expect(grade(c, wrong(en)).full).toBe(false);
  });
});

it('hands-on challenges keep their checks, hint levels and solution; goals grade the same', () => {
  for (const en of CHALLENGES.filter((c) => c.kind === 'hands-on')) {
    const c = de(en);
    expect(gradingOf(c)).toEqual(gradingOf(en));
    const g = grade(c, { kind: 'hands-on', world: EMPTY_WORLD });
    const e = grade(en, { kind: 'hands-on', world: EMPTY_WORLD });
    expect(g.feedback.map((f) => [f.id, f.ok])).toEqual(e.feedback.map((f) => [f.id, f.ok]));
    expect(g.score).toBe(e.score);
    expect(g.feedback[0]!.text).not.toBe(e.feedback[0]!.text);
  }
});

it('a partial translation falls back to English; English and unknown locales are left as they are', () => {
  const en = challengeById('envelope-why')!;
  const partial = localizeChallenge(en, 'xx-YY', {
    xx: { 'envelope-why': { title: 'Nur der Titel', options: { b: { why: 'Nur b' } }, explanation: '  ' } },
  });
  expect(partial.title).toBe('Nur der Titel');
  expect(partial.prompt).toBe(en.prompt);
  expect(partial.explanation).toBe(en.explanation);
  expect(partial.kind === 'multiple-response' && en.kind === 'multiple-response').toBe(true);
  if (partial.kind !== 'multiple-response' || en.kind !== 'multiple-response') return;
  expect(partial.options[0]).toBe(en.options[0]);
  expect(partial.options[1]).toEqual({ ...en.options[1], why: 'Nur b' });
  const hands = challengeById('contain-leak')!;
  const ho = localizeChallenge(hands, 'xx', { xx: { 'contain-leak': { goals: { 'goal-2': 'Zwei' } } } });
  expect(ho.kind === 'hands-on' && ho.goals.map((g) => g.describe)).toEqual([
    hands.kind === 'hands-on' && hands.goals[0]!.describe,
    'Zwei',
  ]);
  for (const c of CHALLENGES) {
    expect(localizeChallenge(c, 'en', CHALLENGE_TRANSLATIONS)).toBe(c);
    expect(localizeChallenge(c, 'fr-FR', CHALLENGE_TRANSLATIONS)).toBe(c);
  }
  expect(localizeChallenge(en, 'de-AT', CHALLENGE_TRANSLATIONS).title).toBe(de(en).title);
});

it('counts a locale with only challenge files (or only lesson files) as a locale', () => {
  expect(LOCALES).toContain('de');
  expect(localesOf({ de: {} }, { fr: {}, en: {} })).toEqual(['en', 'de', 'fr']);
  expect(localesOf({}, { 'pt-BR': {} })).toEqual(['en', 'pt-BR']);
});

describe('the worker side, in the learner\u2019s locale', () => {
  it('catalog("de") shows German challenges; catalog("en") English, unchanged', async () => {
    const side = await import('../../workers/learnSide.ts');
    const deCat = side.catalog('de-DE');
    expect(deCat.challenges.map((c) => c.id)).toEqual(CHALLENGES.map((c) => c.id));
    for (const c of deCat.challenges) expect(c.title).toBe(de(challengeById(c.id)!).title);
    expect(deCat.challenges.find((c) => c.id === 'envelope-why')!.title).toBe(
      'Warum Envelope-Verschlüsselung',
    );
    const ho = deCat.challenges.find((c) => c.id === 'contain-leak')!;
    expect(ho.kind === 'hands-on' && ho.goals[0]).toBe('der Schlüssel secrets ist Disabled');
    const enCat = side.catalog('en');
    for (const c of enCat.challenges) expect(c.title).toBe(challengeById(c.id)!.title);
    // The same shuffles in every locale: only the text differs.
    const ids = (cat: typeof deCat) =>
      cat.challenges.map((c) =>
        c.kind === 'ordering'
          ? c.items.map((i) => i.id)
          : c.kind === 'matching'
            ? c.right.map((r) => r.id)
            : c.kind === 'multiple-response'
              ? c.options.map((o) => o.id)
              : c.goals.length,
      );
    expect(ids(deCat)).toEqual(ids(enCat));
  });

  it('grades and exams explain in the locale of the last catalog', async () => {
    const side = await import('../../workers/learnSide.ts');
    const c = challengeById('envelope-why') as QuestionChallenge;
    side.catalog('de');
    const g = side.gradeQuestion(c.id, referenceAnswer(c));
    expect(g).toMatchObject({ score: 1, full: true, explanation: de(c).explanation });
    expect(g.feedback[0]!.text).toContain('Envelope-Verschlüsselung: KMS schützt');
    // The worker's own look-ups (a catalog without a locale) keep the learner's locale.
    expect(side.catalog().locale).toBe('de');
    const exam = side.drawExam(5, 0, 7);
    const answers = Object.fromEntries(
      exam.itemIds.map((id) => [
        id,
        { answer: referenceAnswer(challengeById(id) as QuestionChallenge), at: 1 },
      ]),
    );
    const deResult = side.scoreExam(exam, answers);
    side.catalog('en');
    const enResult = side.scoreExam(exam, answers);
    expect(deResult.score).toBe(1);
    expect(deResult.items.map((i) => i.grade.score)).toEqual(enResult.items.map((i) => i.grade.score));
    for (const [i, item] of deResult.items.entries()) {
      expect(item.grade.explanation).toBe(de(challengeById(item.id)!).explanation);
      expect(enResult.items[i]!.grade.explanation).toBe(challengeById(item.id)!.explanation);
    }
    expect(enResult).toEqual(scoreExam(CHALLENGES, exam, answers));
    expect(side.gradeQuestion(c.id, referenceAnswer(c))).toEqual(grade(c, referenceAnswer(c)));
  });

  it('previews a share link with the challenge title in the learner\u2019s language', async () => {
    const { previewLink } = await import('../../workers/learnSide.ts');
    const { shareHash, SHARE_VERSION } = await import('../../src/share/index.ts');
    const hash = await shareHash({
      version: SHARE_VERSION,
      challengeId: 'contain-leak',
      world: { KmsLabScenario: 1, Accounts: {} } as never,
    });
    const p = await previewLink(hash, 'de-AT');
    expect(p?.ok && p.challengeTitle).toBe('Geleakte Zugangsdaten eindämmen, umkehrbar');
    const en = await previewLink(hash);
    expect(en?.ok && en.challengeTitle).toBe(challengeById('contain-leak')!.title);
  });
});

describe('the grader speaks the learner’s language', () => {
  it('words its feedback from locales/<locale>/grading.json, English otherwise', async () => {
    const side = await import('../../workers/learnSide.ts');
    const { catalog, gradeQuestion } = side;
    const { GRADE_WORDS } = await import('../../lessons/translations.ts');
    const q = CHALLENGES.find((c) => c.kind === 'multiple-response')!;
    const wrong: Answer = { kind: 'multiple-response', chosen: [] };
    catalog('de');
    const de = gradeQuestion(q.id, wrong);
    expect(de.feedback[0]!.text).toMatch(
      new RegExp(`^(${GRADE_WORDS.de!.correct}|${GRADE_WORDS.de!.incorrect}): `),
    );
    const exam = { itemIds: [q.id], startedAt: 0, durationMs: 60_000, passMark: 0.72 };
    expect(side.scoreExam(exam, {}).items[0]!.grade.explanation.startsWith(GRADE_WORDS.de!.notAnswered)).toBe(
      true,
    );
    catalog('en');
    expect(gradeQuestion(q.id, wrong).feedback[0]!.text).toMatch(/^(Correct|Incorrect): /);
    expect(side.scoreExam(exam, {}).items[0]!.grade.explanation.startsWith('Not answered.')).toBe(true);
  });
});
