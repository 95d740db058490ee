/**
 * Learning progress: lessons (steps met, completed, solved with help, hints used), challenges
 * (attempts, best score, hints used) and exams, kept in their own small IndexedDB database, plus which
 * workspace follows which lesson. Exported to and imported from a JSON file.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { t } from '../i18n/text.svelte.ts';

export interface LessonProgress {
  /** Step IDs ever met. */
  readonly steps: readonly string[];
  readonly completed: boolean;
  /** The solution was shown before the lesson was completed. */
  readonly solvedWithHelp: boolean;
  /** Step ID → hints shown (1 nudge, 2 concept, 3 exact call). */
  readonly hints: Readonly<Record<string, number>>;
  readonly updatedAt: number;
}

export interface ChallengeProgress {
  readonly attempts: number;
  /** Best score, 0 to 1. */
  readonly best: number;
  readonly full: boolean;
  readonly hints: number;
  readonly updatedAt: number;
}

export interface ExamRecord {
  readonly at: number;
  readonly items: number;
  readonly score: number;
  readonly passed: boolean;
  readonly byArea: Readonly<Record<string, number>>;
}

export interface Progress {
  readonly lessons: Readonly<Record<string, LessonProgress>>;
  readonly challenges: Readonly<Record<string, ChallengeProgress>>;
  readonly exams: readonly ExamRecord[];
}

/** A workspace that follows a lesson or hands-on challenge from a trail position. */
export interface Binding {
  readonly workspace: string;
  readonly kind: 'lesson' | 'challenge';
  readonly id: string;
  readonly trailIndex: number;
  /** Steps met in this workspace (they stay green across reloads). */
  readonly met: readonly string[];
  /** The solution was shown in this workspace. */
  readonly helped?: boolean;
}

export const EMPTY_PROGRESS: Progress = { lessons: {}, challenges: {}, exams: [] };

interface Schema extends DBSchema {
  progress: { key: string; value: unknown };
  bindings: { key: string; value: Binding };
}

const DB_NAME = 'kms-lab-progress';
let db: Promise<IDBPDatabase<Schema>> | null = null;

function database(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('progress');
      d.createObjectStore('bindings', { keyPath: 'workspace' });
    },
  });
  return db;
}

export async function loadProgress(): Promise<Progress> {
  const d = await database();
  const [lessons, challenges, exams] = await Promise.all([
    d.get('progress', 'lessons'),
    d.get('progress', 'challenges'),
    d.get('progress', 'exams'),
  ]);
  return sanitize({ lessons, challenges, exams });
}

export async function saveProgress(p: Progress): Promise<void> {
  const d = await database();
  const tx = d.transaction('progress', 'readwrite');
  await Promise.all([
    tx.store.put(p.lessons, 'lessons'),
    tx.store.put(p.challenges, 'challenges'),
    tx.store.put(p.exams, 'exams'),
    tx.done,
  ]);
}

export async function loadBindings(): Promise<Binding[]> {
  return (await database()).getAll('bindings');
}

export async function saveBinding(b: Binding): Promise<void> {
  await (await database()).put('bindings', b);
}

export async function deleteBinding(workspace: string): Promise<void> {
  await (await database()).delete('bindings', workspace);
}

// ---- file -------------------------------------------------------------------------------------------

export const PROGRESS_FILE_VERSION = 1;
const MAX_FILE = 2 * 1024 * 1024;
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function encodeProgressFile(p: Progress): string {
  return JSON.stringify(
    { kmsLabProgress: PROGRESS_FILE_VERSION, exportedAt: new Date().toISOString(), ...p },
    null,
    2,
  );
}

const num = (v: unknown, lo: number, hi: number, dflt = 0) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : dflt;
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Keeps only well-formed entries (IDs, numbers in range): stored and imported data alike. */
function sanitize(raw: { lessons?: unknown; challenges?: unknown; exams?: unknown }): Progress {
  const lessons: Record<string, LessonProgress> = {};
  for (const [id, v] of Object.entries(obj(raw.lessons))) {
    if (!ID.test(id)) continue;
    const l = obj(v);
    const hints: Record<string, number> = {};
    for (const [s, n] of Object.entries(obj(l.hints))) if (ID.test(s)) hints[s] = num(n, 0, 3);
    lessons[id] = {
      steps: Array.isArray(l.steps)
        ? l.steps.filter((s): s is string => typeof s === 'string' && ID.test(s))
        : [],
      completed: l.completed === true,
      solvedWithHelp: l.solvedWithHelp === true,
      hints,
      updatedAt: num(l.updatedAt, 0, 8.64e15),
    };
  }
  const challenges: Record<string, ChallengeProgress> = {};
  for (const [id, v] of Object.entries(obj(raw.challenges))) {
    if (!ID.test(id)) continue;
    const c = obj(v);
    challenges[id] = {
      attempts: num(c.attempts, 0, 1e6),
      best: num(c.best, 0, 1),
      full: c.full === true,
      hints: num(c.hints, 0, 3),
      updatedAt: num(c.updatedAt, 0, 8.64e15),
    };
  }
  const exams: ExamRecord[] = (Array.isArray(raw.exams) ? raw.exams : []).slice(-50).map((v) => {
    const e = obj(v);
    const byArea: Record<string, number> = {};
    for (const [a, n] of Object.entries(obj(e.byArea))) if (ID.test(a)) byArea[a] = num(n, 0, 1);
    return {
      at: num(e.at, 0, 8.64e15),
      items: num(e.items, 0, 1000),
      score: num(e.score, 0, 1),
      passed: e.passed === true,
      byArea,
    };
  });
  return { lessons, challenges, exams };
}

/** Reads a progress file; throws an Error with a message fit to show. */
export function decodeProgressFile(text: string): Progress {
  if (text.length > MAX_FILE) throw new Error(t('learn.fileTooLarge'));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(t('learn.fileNotJson'));
  }
  const o = obj(raw);
  if (o.kmsLabProgress !== PROGRESS_FILE_VERSION) throw new Error(t('learn.fileNotProgress'));
  return sanitize(o);
}

/** Union of two progress records: what either has met, completed or tried is kept. */
export function mergeProgress(a: Progress, b: Progress): Progress {
  const lessons: Record<string, LessonProgress> = { ...a.lessons };
  for (const [id, l] of Object.entries(b.lessons)) {
    const x = lessons[id];
    if (!x) {
      lessons[id] = l;
      continue;
    }
    const hints: Record<string, number> = { ...x.hints };
    for (const [s, n] of Object.entries(l.hints)) hints[s] = Math.max(hints[s] ?? 0, n);
    const completed = x.completed || l.completed;
    const unaided = (x.completed && !x.solvedWithHelp) || (l.completed && !l.solvedWithHelp);
    lessons[id] = {
      steps: [...new Set([...x.steps, ...l.steps])],
      completed,
      solvedWithHelp: completed && !unaided,
      hints,
      updatedAt: Math.max(x.updatedAt, l.updatedAt),
    };
  }
  const challenges: Record<string, ChallengeProgress> = { ...a.challenges };
  for (const [id, c] of Object.entries(b.challenges)) {
    const x = challenges[id];
    challenges[id] = x
      ? {
          attempts: x.attempts + c.attempts,
          best: Math.max(x.best, c.best),
          full: x.full || c.full,
          hints: Math.max(x.hints, c.hints),
          updatedAt: Math.max(x.updatedAt, c.updatedAt),
        }
      : c;
  }
  const seen = new Set(a.exams.map((e) => e.at));
  const exams = [...a.exams, ...b.exams.filter((e) => !seen.has(e.at))]
    .sort((x, y) => x.at - y.at)
    .slice(-50);
  return { lessons, challenges, exams };
}
