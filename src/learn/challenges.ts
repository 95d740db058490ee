/**
 * Exam-style challenges (issue 10): hands-on goals checked on the world, and ordering, matching and
 * multiple-response questions whose every option carries an explanation. A grader scores an answer;
 * the exam mode draws a timed set and scores it. Pure: no DOM, no engine (hands-on items are graded on
 * a {@link WorldView} the caller builds after the learner worked, see ./world.ts).
 */
import type { Scenario } from '../kms/index.ts';
import type { Check, Hint, Tags, WorldView } from './types.ts';

interface ChallengeBase {
  /** Kebab-case, stable. */
  readonly id: string;
  readonly title: string;
  /** Markdown. */
  readonly prompt: string;
  readonly tags: Tags;
  /** Shown after answering: the concept behind the answer. */
  readonly explanation: string;
}

export interface HandsOnChallenge extends ChallengeBase {
  readonly kind: 'hands-on';
  readonly world: Scenario;
  readonly setup?: string;
  /** Every goal must hold on the world when the learner submits. */
  readonly goals: readonly Check[];
  readonly hints: readonly Hint[];
  /** Reference answer: a script for the solution environment (./runtime.ts). */
  readonly solution: string;
  readonly par: number;
}

export interface ChoiceOption {
  readonly id: string;
  readonly text: string;
  readonly correct: boolean;
  /** Why this option is right or wrong. */
  readonly why: string;
}

/** "Choose one" when `pick` is 1, "choose TWO/THREE" otherwise; scored all-or-nothing as in the exam. */
export interface MultipleResponseChallenge extends ChallengeBase {
  readonly kind: 'multiple-response';
  readonly pick: number;
  readonly options: readonly ChoiceOption[];
}

export interface OrderingItem {
  readonly id: string;
  readonly text: string;
  /** Why it sits at its place. */
  readonly why: string;
}

/** Arrange the items; `items` is the correct order (the UI shuffles). */
export interface OrderingChallenge extends ChallengeBase {
  readonly kind: 'ordering';
  readonly items: readonly OrderingItem[];
}

export interface MatchingPair {
  readonly id: string;
  readonly left: string;
  readonly right: string;
  readonly why: string;
}

/** Match every left entry to its right entry (the UI shuffles the right column). */
export interface MatchingChallenge extends ChallengeBase {
  readonly kind: 'matching';
  readonly pairs: readonly MatchingPair[];
}

export type Challenge = HandsOnChallenge | MultipleResponseChallenge | OrderingChallenge | MatchingChallenge;
export type QuestionChallenge = Exclude<Challenge, HandsOnChallenge>;

export type Answer =
  | { readonly kind: 'multiple-response'; readonly chosen: readonly string[] }
  | { readonly kind: 'ordering'; readonly order: readonly string[] }
  | { readonly kind: 'matching'; readonly matches: Readonly<Record<string, string>> }
  /** The world after the learner worked on the challenge's start world. */
  | { readonly kind: 'hands-on'; readonly world: WorldView };

export interface Feedback {
  /** An option, item, pair or goal. */
  readonly id: string;
  readonly ok: boolean;
  readonly text: string;
}

export interface Grade {
  /** 0 to 1. */
  readonly score: number;
  readonly full: boolean;
  readonly feedback: readonly Feedback[];
  readonly explanation: string;
}

/** The answer that scores full, for questions (hands-on items have a reference script instead). */
export function referenceAnswer(c: QuestionChallenge): Answer {
  switch (c.kind) {
    case 'multiple-response':
      return { kind: c.kind, chosen: c.options.filter((o) => o.correct).map((o) => o.id) };
    case 'ordering':
      return { kind: c.kind, order: c.items.map((i) => i.id) };
    case 'matching':
      return { kind: c.kind, matches: Object.fromEntries(c.pairs.map((p) => [p.id, p.id])) };
  }
}

/** The grader's own words around a challenge's text (translations: `locales/<locale>/grading.json`). */
export interface GradeWords {
  /** Before the explanation of an option that is right. */
  readonly correct: string;
  /** Before the explanation of an option that is wrong. */
  readonly incorrect: string;
  readonly notAnswered: string;
  readonly late: string;
  /** `{kind}` is the kind of answer expected. */
  readonly wrongKind: string;
  /** A hands-on goal the world does not meet (its check gave no reason). */
  readonly notMet: string;
}

export const ENGLISH_GRADE_WORDS: GradeWords = {
  correct: 'Correct',
  incorrect: 'Incorrect',
  notAnswered: 'Not answered.',
  late: 'Answered after the time ran out.',
  wrongKind: 'Expected a {kind} answer.',
  notMet: 'not met',
};

const zero = (c: Challenge, why: string): Grade => ({
  score: 0,
  full: false,
  feedback: [],
  explanation: `${why} ${c.explanation}`,
});

/** Scores an answer; an answer of the wrong kind or shape scores 0 (never throws). */
export function grade(c: Challenge, answer: Answer, words: GradeWords = ENGLISH_GRADE_WORDS): Grade {
  if (answer.kind !== c.kind) return zero(c, words.wrongKind.replace('{kind}', c.kind));
  switch (c.kind) {
    case 'multiple-response': {
      const chosen = new Set((answer as Extract<Answer, { kind: 'multiple-response' }>).chosen);
      const feedback = c.options.map((o) => ({
        id: o.id,
        ok: chosen.has(o.id) === o.correct,
        text: `${o.correct ? words.correct : words.incorrect}: ${o.why}`,
      }));
      const full = feedback.every((f) => f.ok) && chosen.size === c.pick;
      return { score: full ? 1 : 0, full, feedback, explanation: c.explanation };
    }
    case 'ordering': {
      const order = (answer as Extract<Answer, { kind: 'ordering' }>).order;
      const feedback = c.items.map((item, i) => ({
        id: item.id,
        ok: order[i] === item.id,
        text: `${i + 1}. ${item.text}: ${item.why}`,
      }));
      const full = order.length === c.items.length && feedback.every((f) => f.ok);
      return { score: full ? 1 : 0, full, feedback, explanation: c.explanation };
    }
    case 'matching': {
      const matches = (answer as Extract<Answer, { kind: 'matching' }>).matches;
      const feedback = c.pairs.map((p) => ({
        id: p.id,
        ok: Object.hasOwn(matches, p.id) && matches[p.id] === p.id,
        text: `${p.left} → ${p.right}: ${p.why}`,
      }));
      const right = feedback.filter((f) => f.ok).length;
      return {
        score: right / c.pairs.length,
        full: right === c.pairs.length,
        feedback,
        explanation: c.explanation,
      };
    }
    case 'hands-on': {
      const world = (answer as Extract<Answer, { kind: 'hands-on' }>).world;
      const feedback = c.goals.map((g, i) => {
        let r: boolean | string;
        try {
          r = g.test(world);
        } catch (e) {
          r = `check failed: ${e instanceof Error ? e.message : String(e)}`;
        }
        return {
          id: `goal-${i + 1}`,
          ok: r === true,
          text: r === true ? g.describe : `${g.describe}: ${r || words.notMet}`,
        };
      });
      const met = feedback.filter((f) => f.ok).length;
      return {
        score: met / c.goals.length,
        full: met === c.goals.length,
        feedback,
        explanation: c.explanation,
      };
    }
  }
}

// ---- exam mode ----------------------------------------------------------------------------------

export interface ExamOptions {
  /** Items to draw (default 20, at most the pool). */
  readonly count?: number;
  /** Minutes per item (default 2.6: the SCS-C03's 170 minutes for 65 items). */
  readonly minutesPerItem?: number;
  /** Seed of the draw: the same seed draws the same exam. */
  readonly seed?: number;
  /** Include hands-on items (default false: they need a world each). */
  readonly handsOn?: boolean;
  /** Only items tagged with one of these areas. */
  readonly areas?: readonly string[];
  /** Simulated or real start time, epoch ms. */
  readonly startedAt: number;
  /** Share of the points needed to pass (default 0.72, about 720/1000 as in AWS exams). */
  readonly passMark?: number;
}

export interface Exam {
  readonly itemIds: readonly string[];
  readonly startedAt: number;
  readonly durationMs: number;
  readonly passMark: number;
}

export interface ExamResult {
  readonly score: number;
  readonly passed: boolean;
  /** Answers given after the time ran out score 0 (and say so). */
  readonly timedOut: boolean;
  readonly items: readonly { readonly id: string; readonly grade: Grade; readonly answered: boolean }[];
  /** Share of points by KMS area: what to study next. */
  readonly byArea: Readonly<Record<string, number>>;
}

/** mulberry32: a small seeded PRNG, so that an exam can be re-drawn from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a timed exam from the pool: a seeded shuffle, spread across KMS areas. */
export function drawExam(pool: readonly Challenge[], o: ExamOptions): Exam {
  const eligible = pool.filter(
    (c) =>
      (o.handsOn || c.kind !== 'hands-on') && (!o.areas || c.tags.areas.some((a) => o.areas!.includes(a))),
  );
  const rnd = random(o.seed ?? o.startedAt);
  const shuffled = [...eligible];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  // Round-robin over primary areas so a short exam still covers many parts of KMS.
  const byArea = new Map<string, Challenge[]>();
  for (const c of shuffled) byArea.set(c.tags.areas[0]!, [...(byArea.get(c.tags.areas[0]!) ?? []), c]);
  const picked: Challenge[] = [];
  const count = Math.min(o.count ?? 20, eligible.length);
  while (picked.length < count)
    for (const list of byArea.values()) if (list.length && picked.length < count) picked.push(list.shift()!);
  return {
    itemIds: picked.map((c) => c.id),
    startedAt: o.startedAt,
    durationMs: Math.round(count * (o.minutesPerItem ?? 2.6) * 60_000),
    passMark: o.passMark ?? 0.72,
  };
}

/** Scores an exam: unanswered items score 0; if finished late, only the items answered in time count. */
export function scoreExam(
  pool: readonly Challenge[],
  exam: Exam,
  answers: Readonly<Record<string, { readonly answer: Answer; readonly at: number }>>,
  words: GradeWords = ENGLISH_GRADE_WORDS,
): ExamResult {
  const deadline = exam.startedAt + exam.durationMs;
  let timedOut = false;
  const items = exam.itemIds.map((id) => {
    const c = pool.find((x) => x.id === id);
    if (!c) throw new Error(`No challenge ${id} in the pool`);
    const a = Object.hasOwn(answers, id) ? answers[id] : undefined;
    if (!a) return { id, grade: zero(c, words.notAnswered), answered: false };
    if (a.at > deadline) {
      timedOut = true;
      return { id, grade: zero(c, words.late), answered: false };
    }
    return { id, grade: grade(c, a.answer, words), answered: true };
  });
  const score = items.reduce((s, i) => s + i.grade.score, 0) / Math.max(1, items.length);
  const totals = new Map<string, { got: number; of: number }>();
  for (const i of items) {
    const area = pool.find((x) => x.id === i.id)!.tags.areas[0]!;
    const t = totals.get(area) ?? { got: 0, of: 0 };
    totals.set(area, { got: t.got + i.grade.score, of: t.of + 1 });
  }
  return {
    score,
    passed: score >= exam.passMark,
    timedOut,
    items,
    byArea: Object.fromEntries([...totals].map(([a, t]) => [a, t.got / t.of])),
  };
}
