/**
 * The learning side of the page: the lesson and challenge catalog (outlines from the KMS worker, in
 * the chosen locale), progress (IndexedDB, ./progress.ts), which workspace follows which lesson, and
 * the intents of the lesson panel (start, reset, hints, show solution, grade).
 */
import { savedLocale, saveLocale, t, text, UI_LOCALES } from '../i18n/text.svelte.ts';
import type { Answer, Exam, ExamResult, Grade } from '../../learn/challenges.ts';
import type { Lab } from '../lab.svelte.ts';
import type {
  ChallengeOutline,
  LearnCatalog,
  LearnStatus,
  LessonOutline,
} from '../../../workers/kms.worker.ts';
import {
  decodeProgressFile,
  deleteBinding,
  EMPTY_PROGRESS,
  encodeProgressFile,
  loadBindings,
  loadProgress,
  mergeProgress,
  saveBinding,
  saveProgress,
  type Binding,
  type ChallengeProgress,
  type LessonProgress,
  type Progress,
} from './progress.ts';

export type { ChallengeOutline, LessonOutline, LearnStatus };

/** Pause between the calls of a replayed solution, so each one animates. */
export const SOLUTION_STEP_MS = 450;

/** The items of `a`, then those of `b` not in `a`. */
const union = (a: readonly string[], b: readonly string[]): string[] => [
  ...a,
  ...b.filter((x, i) => !a.includes(x) && b.indexOf(x) === i),
];

export class Learn {
  catalog = $state.raw<LearnCatalog | null>(null);
  progress = $state.raw<Progress>(EMPTY_PROGRESS);
  /** Workspace name → the lesson or challenge it follows. */
  bindings = $state.raw<Readonly<Record<string, Binding>>>({});
  /** A lesson intent in progress (start, reset, solution). */
  busy = $state<string | null>(null);
  problem = $state<string | null>(null);
  /** Set once progress and catalog are loaded. */
  ready = $state(false);

  readonly lab: Lab;

  constructor(lab: Lab) {
    this.lab = lab;
  }

  async init(): Promise<void> {
    const locale = savedLocale();
    const [catalog, progress, bindings] = await Promise.all([
      this.lab.worker.learnCatalog(locale),
      loadProgress().catch(() => EMPTY_PROGRESS),
      loadBindings().catch(() => [] as Binding[]),
    ]);
    this.catalog = catalog;
    this.progress = progress;
    this.bindings = Object.fromEntries(bindings.map((b) => [b.workspace, b]));
    this.ready = true;
  }

  get locale(): string {
    return this.catalog?.locale ?? 'en';
  }

  /** Lesson text and interface text in `locale` (English where it has none), remembered. */
  async setLocale(locale: string): Promise<void> {
    const [catalog] = await Promise.all([this.lab.worker.learnCatalog(locale), text.use(locale)]);
    this.catalog = catalog;
    saveLocale(locale);
  }

  /** Every locale with lesson or interface text, English first. */
  get locales(): readonly string[] {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch set, not state
    return [...new Set(['en', ...(this.catalog?.locales ?? []), ...UI_LOCALES])];
  }

  lesson(id: string): LessonOutline | undefined {
    return this.catalog?.lessons.find((l) => l.id === id);
  }

  challenge(id: string): ChallengeOutline | undefined {
    return this.catalog?.challenges.find((c) => c.id === id);
  }

  /** The binding of the open workspace. */
  get here(): Binding | undefined {
    return Object.hasOwn(this.bindings, this.lab.workspace) ? this.bindings[this.lab.workspace] : undefined;
  }

  /** The live status of the open workspace's lesson (null while it is attaching). */
  get status(): LearnStatus | null {
    const s = this.lab.learnStatus;
    const b = this.here;
    return s && b && s.workspace === b.workspace && s.id === b.id && s.kind === b.kind ? s : null;
  }

  /** Whether a step is green: met now, or met before in this workspace. */
  isMet(stepId: string): boolean {
    return !!this.status?.steps.find((s) => s.id === stepId)?.met || !!this.here?.met.includes(stepId);
  }

  missing(stepId: string): string | undefined {
    return this.status?.steps.find((s) => s.id === stepId)?.missing;
  }

  lessonProgress(id: string): LessonProgress | undefined {
    return this.progress.lessons[id];
  }

  challengeProgress(id: string): ChallengeProgress | undefined {
    return this.progress.challenges[id];
  }

  /** Share of lessons completed and challenges answered in full, 0 to 1. */
  get overall(): {
    lessons: number;
    lessonsDone: number;
    challenges: number;
    challengesDone: number;
    ratio: number;
  } {
    const lessons = this.catalog?.lessons ?? [];
    const challenges = this.catalog?.challenges ?? [];
    const lessonsDone = lessons.filter((l) => this.progress.lessons[l.id]?.completed).length;
    const challengesDone = challenges.filter((c) => this.progress.challenges[c.id]?.full).length;
    // Steps count toward the bar, so that progress shows inside a lesson too.
    const steps = lessons.reduce((n, l) => n + l.steps.length, 0);
    const stepsMet = lessons.reduce(
      (n, l) => n + l.steps.filter((s) => this.progress.lessons[l.id]?.steps.includes(s.id)).length,
      0,
    );
    const total = steps + challenges.length;
    return {
      lessons: lessons.length,
      lessonsDone,
      challenges: challenges.length,
      challengesDone,
      ratio: total ? (stepsMet + challengesDone) / total : 0,
    };
  }

  // ---- following the open workspace ----------------------------------------------------------------

  /** Makes the worker follow the open workspace's lesson, if it has one (after a reload or switch). */
  async syncWorkspace(): Promise<void> {
    const b = this.here;
    if (!b || this.status) return;
    try {
      await this.lab.worker.attachLearn(b.kind, b.id, b.trailIndex);
    } catch (e) {
      this.problem = e instanceof Error ? e.message : String(e);
    }
  }

  /** Records what the worker reports: steps met (in the workspace and in progress), completion. */
  async record(status: LearnStatus): Promise<void> {
    const b = Object.hasOwn(this.bindings, status.workspace) ? this.bindings[status.workspace] : undefined;
    if (!b || b.id !== status.id || b.kind !== status.kind) return;
    const metNow = status.steps.filter((s) => s.met).map((s) => s.id);
    const met = union(b.met, metNow);
    if (met.length !== b.met.length) await this.bind({ ...b, met });
    if (b.kind !== 'lesson') return;
    const lesson = this.lesson(b.id);
    if (!lesson) return;
    const was = this.progress.lessons[b.id];
    const steps = union(was?.steps ?? [], met);
    const completed = lesson.steps.every((s) => met.includes(s.id));
    const firstCompletion = completed && !was?.completed;
    if (steps.length === (was?.steps.length ?? 0) && !firstCompletion) return;
    await this.#setLesson(b.id, {
      steps,
      completed: !!was?.completed || completed,
      solvedWithHelp: was?.completed ? was.solvedWithHelp : completed && !!b.helped,
    });
  }

  // ---- intents ---------------------------------------------------------------------------------------

  async #act<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = what;
    this.problem = null;
    try {
      return await fn();
    } catch (e) {
      this.problem = e instanceof Error ? e.message : String(e);
      return undefined;
    } finally {
      this.busy = null;
    }
  }

  /** Opens a lesson or hands-on challenge in a NEW workspace with its start world. */
  start(kind: 'lesson' | 'challenge', id: string): Promise<void> {
    return this.#act('start', async () => {
      const { workspace, status } = await this.lab.worker.startLearn(kind, id);
      await this.bind({ workspace, kind, id, trailIndex: status.trailIndex, met: [] });
      await this.lab.workspaces.open(workspace);
    }) as Promise<void>;
  }

  /** Puts the lesson's world back to its start; its steps turn grey again. */
  reset(): Promise<void> {
    return this.#act('reset', async () => {
      const b = this.here;
      if (!b) return;
      const status = await this.lab.worker.resetLearn();
      await this.bind({ ...b, trailIndex: status.trailIndex, met: [] });
      await this.lab.refresh();
    }) as Promise<void>;
  }

  /** Replays the solution on the reset world, call by call; the lesson counts as solved with help. */
  showSolution(): Promise<void> {
    return this.#act('solution', async () => {
      const b = this.here;
      if (!b) return;
      await this.bind({ ...b, met: [], helped: true });
      const r = await this.lab.worker.showSolution(SOLUTION_STEP_MS);
      const now = this.here;
      if (now) await this.bind({ ...now, trailIndex: r.status.trailIndex });
      await this.record(r.status);
      await this.lab.refresh();
      if (r.error) throw new Error(t('learn.solutionStopped', { error: r.error }));
    }) as Promise<void>;
  }

  /** Shows the next hint of a step (nudge → concept → exact call) and records it. */
  async hint(lessonId: string, stepId: string, max: number): Promise<void> {
    const was = this.progress.lessons[lessonId];
    const n = Math.min(max, (was?.hints[stepId] ?? 0) + 1);
    await this.#setLesson(lessonId, { hints: { ...was?.hints, [stepId]: n } });
  }

  hintsShown(lessonId: string, stepId: string): number {
    return this.progress.lessons[lessonId]?.hints[stepId] ?? 0;
  }

  async challengeHint(id: string, max: number): Promise<void> {
    const was = this.progress.challenges[id];
    await this.#setChallenge(id, { hints: Math.min(max, (was?.hints ?? 0) + 1) });
  }

  /** Grades a question and records the attempt. */
  async gradeQuestion(id: string, answer: Answer): Promise<Grade> {
    const g = await this.lab.worker.gradeQuestion(id, answer);
    await this.#attempt(id, g);
    return g;
  }

  /** Grades the open hands-on challenge on the world as it is now. */
  async gradeHandsOn(): Promise<Grade | undefined> {
    const b = this.here;
    if (!b || b.kind !== 'challenge') return undefined;
    const g = await this.lab.worker.gradeHandsOn();
    await this.#attempt(b.id, g);
    return g;
  }

  drawExam(count: number): Promise<Exam> {
    return this.lab.worker.drawExam(count, Date.now());
  }

  async scoreExam(exam: Exam, answers: Record<string, { answer: Answer; at: number }>): Promise<ExamResult> {
    const r = await this.lab.worker.scoreExam(exam, answers);
    const challenges = { ...this.progress.challenges };
    for (const item of r.items) {
      if (!item.answered) continue;
      const was = challenges[item.id];
      challenges[item.id] = {
        attempts: (was?.attempts ?? 0) + 1,
        best: Math.max(was?.best ?? 0, item.grade.score),
        full: !!was?.full || item.grade.full,
        hints: was?.hints ?? 0,
        updatedAt: Date.now(),
      };
    }
    await this.#save({
      ...this.progress,
      challenges,
      exams: [
        ...this.progress.exams,
        { at: Date.now(), items: exam.itemIds.length, score: r.score, passed: r.passed, byArea: r.byArea },
      ].slice(-50),
    });
    return r;
  }

  exportProgress(): string {
    return encodeProgressFile(this.progress);
  }

  /** Merges a progress file into this browser's progress; throws with a message fit to show. */
  async importProgress(text: string): Promise<void> {
    const incoming = decodeProgressFile(text);
    await this.#save(mergeProgress(this.progress, incoming));
  }

  /** Forgets that a workspace follows a lesson (its world stays). */
  async unbind(workspace: string): Promise<void> {
    const { [workspace]: _gone, ...rest } = this.bindings;
    void _gone;
    this.bindings = rest;
    await deleteBinding(workspace).catch(() => undefined);
  }

  /**
   * Forgets the bindings of workspaces that no longer exist (deleted), in state and in IndexedDB, so
   * that a new workspace of the same name does not come back attached to an old lesson. `existing` is
   * the lab's workspace list; before anything is forgotten, the worker's current list confirms it (the
   * lab's list may predate a workspace a lesson has just opened). The open workspace always exists.
   */
  async pruneBindings(existing: readonly string[]): Promise<void> {
    const open = this.lab.workspace;
    const stale = (names: readonly string[]) =>
      Object.values(this.bindings).filter((b) => b.workspace !== open && !names.includes(b.workspace));
    const suspects = stale(existing);
    if (!suspects.length) return;
    let current: readonly string[];
    try {
      current = await this.lab.worker.workspaces();
    } catch {
      return;
    }
    // Only bindings unchanged since before the worker answered: one bound meanwhile is newer than its list.
    const gone = stale(current).filter((b) => suspects.includes(b) && this.bindings[b.workspace] === b);
    if (!gone.length) return;
    this.bindings = Object.fromEntries(Object.entries(this.bindings).filter(([, b]) => !gone.includes(b)));
    await Promise.all(gone.map((b) => deleteBinding(b.workspace).catch(() => undefined)));
  }

  async #attempt(id: string, g: Grade) {
    const was = this.progress.challenges[id];
    await this.#setChallenge(id, {
      attempts: (was?.attempts ?? 0) + 1,
      best: Math.max(was?.best ?? 0, g.score),
      full: !!was?.full || g.full,
    });
  }

  async bind(b: Binding): Promise<void> {
    this.bindings = { ...this.bindings, [b.workspace]: b };
    await saveBinding(b).catch(() => undefined);
  }

  async #setLesson(id: string, patch: Partial<LessonProgress>) {
    const base: LessonProgress = Object.hasOwn(this.progress.lessons, id)
      ? this.progress.lessons[id]!
      : { steps: [], completed: false, solvedWithHelp: false, hints: {}, updatedAt: 0 };
    const next: LessonProgress = { ...base, ...patch, updatedAt: Date.now() };
    await this.#save({ ...this.progress, lessons: { ...this.progress.lessons, [id]: next } });
  }

  async #setChallenge(id: string, patch: Partial<ChallengeProgress>) {
    const base: ChallengeProgress = Object.hasOwn(this.progress.challenges, id)
      ? this.progress.challenges[id]!
      : { attempts: 0, best: 0, full: false, hints: 0, updatedAt: 0 };
    const next: ChallengeProgress = { ...base, ...patch, updatedAt: Date.now() };
    await this.#save({ ...this.progress, challenges: { ...this.progress.challenges, [id]: next } });
  }

  async #save(p: Progress) {
    this.progress = p;
    try {
      await saveProgress(p);
    } catch (e) {
      this.problem = t('learn.progressNotSaved', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}
