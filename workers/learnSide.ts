/**
 * The KMS worker's side of lessons, challenges and share links (issue 10). Lesson and challenge data
 * are trusted code shipped with the app (their checks are functions, their setup and solutions are
 * scripts): they live here, next to the engine, and the page receives plain-data outlines, step
 * states and grades. Learners' own scripts never run here: they go through the sandboxed runner.
 *
 * One lesson or hands-on challenge at a time is "active" on the open workspace: its steps (or goals)
 * are re-checked on the world after every call and event, and the page hears the results.
 */
import { LESSONS, lessonById } from '../lessons/index.ts';
import { CHALLENGES, challengeById } from '../lessons/challenges/index.ts';
import { CHALLENGE_TRANSLATIONS, GRADE_WORDS, LOCALES, TRANSLATIONS } from '../lessons/translations.ts';
import { ENGLISH_GRADE_WORDS } from '../src/learn/index.ts';
import {
  drawExam as draw,
  grade,
  LESSON_EPOCH,
  localizeChallenge,
  localizeLesson,
  runScript,
  scoreExam as score,
  StepProgress,
  worldView,
  type Answer,
  type Challenge,
  type Exam,
  type ExamResult,
  type Grade,
  type Hint,
  type Step,
  type StepResult,
  type Tags,
} from '../src/learn/index.ts';
import type { CallTrace, Kms, Scenario } from '../src/kms/index.ts';
import { applyScenario, exportScenario, ScenarioError } from '../src/kms/scenario/index.ts';
import {
  describeShare,
  readShareHash,
  shareHash,
  ShareLinkError,
  type ShareLinkProblem,
  type SharedScenario,
} from '../src/share/index.ts';

export type LearnKind = 'lesson' | 'challenge';

/** A lesson as the page shows it: text only (checks stay here). */
export interface LessonOutline {
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  readonly tags: Tags;
  readonly steps: readonly {
    readonly id: string;
    readonly text: string;
    readonly goal: string;
    readonly hints: readonly Hint[];
  }[];
  readonly solution: string;
  readonly par: number;
  readonly minutes: number;
}

/** A challenge as the page shows it: no answers, no explanations (the grade brings them). */
export type ChallengeOutline = {
  readonly id: string;
  readonly title: string;
  readonly prompt: string;
  readonly tags: Tags;
} & (
  | {
      readonly kind: 'hands-on';
      readonly goals: readonly string[];
      readonly hints: readonly Hint[];
      readonly par: number;
    }
  | {
      readonly kind: 'multiple-response';
      readonly pick: number;
      readonly options: readonly { readonly id: string; readonly text: string }[];
    }
  /** Items shuffled. */
  | { readonly kind: 'ordering'; readonly items: readonly { readonly id: string; readonly text: string }[] }
  /** Right-hand entries shuffled; a right entry's `id` is the pair it belongs to. */
  | {
      readonly kind: 'matching';
      readonly left: readonly { readonly id: string; readonly text: string }[];
      readonly right: readonly { readonly id: string; readonly text: string }[];
    }
);

export interface LearnCatalog {
  readonly locale: string;
  readonly locales: readonly string[];
  readonly lessons: readonly LessonOutline[];
  readonly challenges: readonly ChallengeOutline[];
}

/** The active lesson or hands-on challenge and where its steps stand. */
export interface LearnStatus {
  readonly kind: LearnKind;
  readonly id: string;
  readonly workspace: string;
  /** Where the learner's part of the trail begins. */
  readonly trailIndex: number;
  /** Lesson steps, or a challenge's goals (`goal-1`, …). */
  readonly steps: readonly StepResult[];
  readonly done: boolean;
  /** Set while "show solution" replays. */
  readonly replaying?: boolean;
}

/** What opening a share link would load, for the confirmation dialog. */
export type SharePreview =
  | {
      readonly ok: true;
      readonly mode: 'share' | 'embed';
      readonly title?: string;
      readonly clock?: string;
      readonly script?: string;
      readonly summary: ReturnType<typeof describeShare>;
      readonly lessonTitle?: string;
      readonly challengeTitle?: string;
    }
  | {
      readonly ok: false;
      /** What is wrong, for a message in the learner's language. */
      readonly problem: ShareLinkProblem | 'unreadable';
      /** The details, in English. */
      readonly message: string;
    };

// ---- catalog --------------------------------------------------------------------------------------

/** A deterministic shuffle (by the item's ID), so the page shows the same order every time. */
function shuffled<T>(list: readonly T[], seed: string): T[] {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const rnd = () => {
    h = (h + 0x6d2b79f5) >>> 0;
    let t = h;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  // Never show an ordering already in the right order.
  if (out.length > 1 && out.every((x, i) => x === list[i])) out.push(out.shift()!);
  return out;
}

function challengeOutline(c: Challenge): ChallengeOutline {
  const base = { id: c.id, title: c.title, prompt: c.prompt, tags: c.tags };
  switch (c.kind) {
    case 'hands-on':
      return { ...base, kind: c.kind, goals: c.goals.map((g) => g.describe), hints: c.hints, par: c.par };
    case 'multiple-response':
      return {
        ...base,
        kind: c.kind,
        pick: c.pick,
        options: c.options.map((o) => ({ id: o.id, text: o.text })),
      };
    case 'ordering':
      return {
        ...base,
        kind: c.kind,
        items: shuffled(c.items, c.id).map((i) => ({ id: i.id, text: i.text })),
      };
    case 'matching':
      return {
        ...base,
        kind: c.kind,
        left: c.pairs.map((p) => ({ id: p.id, text: p.left })),
        right: shuffled(c.pairs, c.id).map((p) => ({ id: p.id, text: p.right })),
      };
  }
}

const localized = (id: string, locale: string) => {
  const l = lessonById(id);
  return l && localizeLesson(l, locale, TRANSLATIONS);
};

/** The lesson locale serving `locale`: `de-AT` is served by `de` when there is no `de-AT` folder. */
function localeOf(locale: string): string {
  return [locale, locale.split('-')[0]!].find((l) => LOCALES.includes(l)) ?? 'en';
}

/**
 * The learner's locale, as served (see {@link localeOf}): the one of the last `catalog(locale)` call.
 * Grading (gradeQuestion, gradeActive, scoreExam) and the hands-on goals of a started challenge take no
 * locale from the page; the page asks for `learnCatalog(locale)` on start and on every locale switch,
 * so the catalog's locale is the one it shows, and grades explain themselves in it. A `catalog()`
 * without a locale (the worker's own look-ups) reads it and leaves it as it is.
 */
let learnerLocale = 'en';

/** A challenge with its text in `locale` (the learner's by default); English stays the same object. */
/** The grader's words in the learner's language. */
const gradeWords = () => GRADE_WORDS[learnerLocale] ?? ENGLISH_GRADE_WORDS;

const localChallenge = (c: Challenge, locale = learnerLocale): Challenge =>
  localizeChallenge(c, locale, CHALLENGE_TRANSLATIONS);

export function catalog(locale?: string): LearnCatalog {
  const loc = localeOf(locale ?? learnerLocale);
  if (locale !== undefined) learnerLocale = loc;
  return {
    locale: loc,
    locales: LOCALES,
    lessons: LESSONS.map((l0) => {
      const l = localizeLesson(l0, loc, TRANSLATIONS);
      return {
        id: l.id,
        title: l.title,
        intro: l.intro,
        tags: l.tags,
        steps: l.steps.map((s) => ({ id: s.id, text: s.text, goal: s.check.describe, hints: s.hints })),
        solution: l.solution,
        par: l.par,
        minutes: l.minutes,
      };
    }),
    challenges: CHALLENGES.map((c) => challengeOutline(localChallenge(c, loc))),
  };
}

// ---- the active lesson or challenge -----------------------------------------------------------------

interface Start {
  readonly world: Scenario;
  readonly setup?: string;
  readonly steps: readonly Step[];
  readonly solution: string;
}

function startOf(kind: LearnKind, id: string): Start {
  if (kind === 'lesson') {
    const l = localized(id, 'en');
    if (!l) throw new Error(`No lesson "${id}".`);
    return { world: l.world, ...(l.setup ? { setup: l.setup } : {}), steps: l.steps, solution: l.solution };
  }
  const c0 = challengeById(id);
  if (!c0 || c0.kind !== 'hands-on') throw new Error(`No hands-on challenge "${id}".`);
  // Goal texts in the learner's language; the checks (and so the status) are the same in every one.
  const c = localChallenge(c0) as typeof c0;
  return {
    world: c.world,
    ...(c.setup ? { setup: c.setup } : {}),
    steps: c.goals.map((g, i) => ({ id: `goal-${i + 1}`, text: g.describe, check: g, hints: [] })),
    solution: c.solution,
  };
}

interface Active {
  readonly kind: LearnKind;
  readonly id: string;
  readonly workspace: string;
  readonly kms: Kms;
  readonly start: Start;
  trailIndex: number;
  calls: CallTrace[];
  progress: StepProgress;
  dirty: boolean;
  replaying: boolean;
  off: () => void;
}

let active: Active | null = null;

function status(a: Active): LearnStatus {
  return {
    kind: a.kind,
    id: a.id,
    workspace: a.workspace,
    trailIndex: a.trailIndex,
    steps: a.progress.results(),
    done: a.progress.done,
    ...(a.replaying ? { replaying: true } : {}),
  };
}

export const learnStatus = (): LearnStatus | null => (active ? status(active) : null);

/** Stops following the active lesson (another workspace opened, or none bound). */
export function detach(): void {
  active?.off();
  active = null;
}

/** Follows a lesson or challenge on `kms` from trail position `trailIndex`; checks the steps once. */
export async function attach(
  kms: Kms,
  workspace: string,
  kind: LearnKind,
  id: string,
  trailIndex: number,
): Promise<LearnStatus> {
  if (
    active &&
    active.kms === kms &&
    active.kind === kind &&
    active.id === id &&
    active.trailIndex === trailIndex
  )
    return status(active);
  detach();
  const start = startOf(kind, id);
  const a: Active = {
    kind,
    id,
    workspace,
    kms,
    start,
    trailIndex: Math.max(0, Math.min(trailIndex, kms.trail().length)),
    calls: [],
    progress: new StepProgress(start.steps),
    dirty: true,
    replaying: false,
    off: () => undefined,
  };
  a.off = kms.onEvent((e) => {
    if (e.type === 'call') a.calls.push(e.trace);
    if (e.type !== 'clock') a.dirty = true;
  });
  active = a;
  await check();
  return status(a);
}

/** Re-checks the active steps if anything happened since the last check; true when they changed. */
export async function check(force = false): Promise<boolean> {
  const a = active;
  if (!a || (!a.dirty && !force)) return false;
  a.dirty = false;
  const before = JSON.stringify(a.progress.results());
  a.progress.update(await worldView(a.kms, { trailIndex: a.trailIndex, calls: a.calls }));
  return JSON.stringify(a.progress.results()) !== before;
}

/**
 * Loads a start world into `kms` (a fresh, empty world is expected): the clock at `clock` (epoch ms),
 * the scenario through the API, then the trusted setup script. Returns the trail position after it.
 */
export async function loadWorld(kms: Kms, world: Scenario, clock: number, setup?: string): Promise<number> {
  await kms.restore({
    keys: [],
    aliases: [],
    trail: [],
    clock: { simAnchor: clock, realAnchor: Date.now(), running: true },
  });
  await applyScenario(kms, world);
  if (setup) {
    const r = await runScript(kms, setup);
    if (r.error) throw new Error(`The start world's setup failed: ${r.error.name}: ${r.error.message}`);
  }
  return kms.trail().length;
}

/** Loads the start world of a lesson or hands-on challenge into `kms`; returns the trail position. */
export function loadStart(kms: Kms, kind: LearnKind, id: string): Promise<number> {
  const s = startOf(kind, id);
  return loadWorld(kms, s.world, LESSON_EPOCH.getTime(), s.setup);
}

/** Resets the active lesson's world to its start (the same workspace) and its steps to unmet. */
export async function resetActive(): Promise<LearnStatus> {
  const a = active;
  if (!a) throw new Error('No lesson is open in this workspace.');
  const trailIndex = await loadStart(a.kms, a.kind, a.id);
  a.trailIndex = trailIndex;
  a.calls = [];
  a.progress = new StepProgress(a.start.steps);
  a.dirty = true;
  await check();
  return status(a);
}

/**
 * Replays the active lesson's solution on its reset world, one call at a time: after each call the
 * steps are re-checked, `onStep` tells the page, and the replay pauses `delayMs` so the call animates.
 */
export async function replaySolution(
  delayMs: number,
  onStep: (s: LearnStatus) => void,
): Promise<{ status: LearnStatus; error?: string; calls: number }> {
  const a = active;
  if (!a) throw new Error('No lesson is open in this workspace.');
  await resetActive();
  a.replaying = true;
  onStep(status(a));
  const pause = Math.max(0, Math.min(delayMs, 3000));
  try {
    const r = await runScript(a.kms, a.start.solution, {
      timeoutMs: 120_000,
      afterEach: async () => {
        if (await check()) onStep(status(a));
        if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
      },
    });
    await check(true);
    return {
      status: status(a),
      calls: r.calls.length,
      ...(r.error ? { error: `${r.error.name}: ${r.error.message}` } : {}),
    };
  } finally {
    a.replaying = false;
  }
}

/** Grades the active hands-on challenge on the world as it is now. */
export async function gradeActive(): Promise<Grade> {
  const a = active;
  if (!a || a.kind !== 'challenge') throw new Error('No hands-on challenge is open in this workspace.');
  const c = localChallenge(challengeById(a.id)!);
  return grade(
    c,
    { kind: 'hands-on', world: await worldView(a.kms, { trailIndex: a.trailIndex, calls: a.calls }) },
    gradeWords(),
  );
}

/** Grades a question (multiple-response, ordering, matching). */
export function gradeQuestion(id: string, answer: Answer): Grade {
  const c = challengeById(id);
  if (!c || c.kind === 'hands-on') throw new Error(`No question "${id}".`);
  return grade(localChallenge(c), answer, gradeWords());
}

/** Draws an exam: item IDs and times only (the page shows the items from the localized catalog). */
export function drawExam(count: number, startedAt: number, seed?: number): Exam {
  return draw(CHALLENGES, { count, startedAt, ...(seed === undefined ? {} : { seed }) });
}

export function scoreExam(
  exam: Exam,
  answers: Readonly<Record<string, { readonly answer: Answer; readonly at: number }>>,
): ExamResult {
  const inExam = new Set(exam.itemIds);
  return score(
    CHALLENGES.map((c) => (inExam.has(c.id) ? localChallenge(c) : c)),
    exam,
    answers,
    gradeWords(),
  );
}

// ---- share links --------------------------------------------------------------------------------------

const known = {
  isKnownLesson: (id: string) => lessonById(id) !== undefined,
  isKnownChallenge: (id: string) => challengeById(id) !== undefined,
};

/** Decodes a `#s=`/`#embed=` hash (never runs anything); null when the hash holds no link. */
export async function decodeLink(
  hash: string,
): Promise<{ mode: 'share' | 'embed'; scenario: SharedScenario } | null> {
  return readShareHash(hash, known);
}

export async function previewLink(hash: string, locale = 'en'): Promise<SharePreview | null> {
  try {
    const r = await decodeLink(hash);
    if (!r) return null;
    const s = r.scenario;
    return {
      ok: true,
      mode: r.mode,
      summary: describeShare(s),
      ...(s.title ? { title: s.title } : {}),
      ...(s.clock ? { clock: s.clock } : {}),
      ...(s.script ? { script: s.script } : {}),
      ...(s.lessonId
        ? { lessonTitle: localizeLesson(lessonById(s.lessonId)!, localeOf(locale), TRANSLATIONS).title }
        : {}),
      ...(s.challengeId
        ? { challengeTitle: localChallenge(challengeById(s.challengeId)!, localeOf(locale)).title }
        : {}),
    };
  } catch (e) {
    return e instanceof ShareLinkError
      ? { ok: false, problem: e.problem, message: e.message }
      : { ok: false, problem: 'unreadable', message: 'This link could not be read. Nothing was changed.' };
  }
}

/** A link to the world of `kms` (what the scenario format can say), the script and the active lesson. */
export async function makeLink(
  kms: Kms,
  options: { script?: string; title?: string; mode?: 'share' | 'embed' },
): Promise<{ hash: string; omitted: readonly string[] }> {
  let exported;
  try {
    exported = exportScenario(kms);
  } catch (e) {
    throw new Error(
      e instanceof ScenarioError
        ? `This world cannot be shared as a scenario: ${e.message}`
        : `This world cannot be shared: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  const a = active && active.kms === kms ? active : null;
  const shared: SharedScenario = {
    version: 1,
    world: exported.scenario,
    ...(options.script?.trim() ? { script: options.script } : {}),
    ...(a?.kind === 'lesson' ? { lessonId: a.id } : {}),
    ...(a?.kind === 'challenge' ? { challengeId: a.id } : {}),
    clock: new Date(Math.floor(kms.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    ...(options.title?.trim() ? { title: options.title.trim().slice(0, 200) } : {}),
  };
  return { hash: await shareHash(shared, options.mode ?? 'share'), omitted: exported.omitted };
}
