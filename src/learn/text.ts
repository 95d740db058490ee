/**
 * Lesson text per locale. English lives in the lesson data (the fallback); a translation is a JSON
 * file `locales/<locale>/lessons/<lesson-id>.json` that overlays any subset of the text:
 *
 * ```json
 * { "title": "…", "intro": "…", "steps": { "<step-id>": { "text": "…", "goal": "…", "hints": ["…", "…", "…"] } } }
 * ```
 * Missing entries fall back to English, so a partial translation is still usable; entries that name
 * no step of the lesson are reported by {@link staleKeys} (CI checks them). Challenges work the same
 * way ({@link localizeChallenge}, below).
 */
import type { Challenge } from './challenges.ts';
import type { Lesson } from './types.ts';

export interface LessonTranslation {
  readonly title?: string;
  readonly intro?: string;
  readonly steps?: Readonly<
    Record<string, { readonly text?: string; readonly goal?: string; readonly hints?: readonly string[] }>
  >;
}

/** Translations by locale, then by lesson ID. */
export type Translations = Readonly<Record<string, Readonly<Record<string, LessonTranslation>>>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

/** The translation of item `id` for `locale`, else for its language (`de-AT` → `de`). */
function translationOf<T>(
  translations: Readonly<Record<string, Readonly<Record<string, T>>>>,
  locale: string,
  id: string,
): T | undefined {
  const at = (l: string) => {
    const byId = Object.hasOwn(translations, l) ? translations[l] : undefined;
    return byId && Object.hasOwn(byId, id) ? byId[id] : undefined;
  };
  return at(locale) ?? at(locale.split('-')[0]!);
}

/** The lesson with its text in `locale` where translated, English elsewhere. Checks are unchanged. */
export function localizeLesson(lesson: Lesson, locale: string, translations: Translations): Lesson {
  const t = translationOf(translations, locale, lesson.id);
  if (!t) return lesson;
  return {
    ...lesson,
    title: str(t.title) ?? lesson.title,
    intro: str(t.intro) ?? lesson.intro,
    steps: lesson.steps.map((s) => {
      const ts = t.steps && Object.hasOwn(t.steps, s.id) ? t.steps[s.id] : undefined;
      if (!ts) return s;
      return {
        ...s,
        text: str(ts.text) ?? s.text,
        check: { ...s.check, describe: str(ts.goal) ?? s.check.describe },
        hints: s.hints.map((h, i) => ({ ...h, text: str(ts.hints?.[i]) ?? h.text })),
      };
    }),
  };
}

/** Entries of a translation that match nothing in the lesson (renamed steps, extra hints). */
export function staleKeys(lesson: Lesson, t: LessonTranslation): string[] {
  const out: string[] = [];
  for (const k of Object.keys(t)) if (!['title', 'intro', 'steps'].includes(k)) out.push(k);
  for (const [id, s] of Object.entries(t.steps ?? {})) {
    const step = lesson.steps.find((x) => x.id === id);
    if (!step) out.push(`steps.${id}`);
    else {
      for (const k of Object.keys(s))
        if (!['text', 'goal', 'hints'].includes(k)) out.push(`steps.${id}.${k}`);
      if ((s.hints?.length ?? 0) > step.hints.length) out.push(`steps.${id}.hints`);
    }
  }
  return out;
}

// ---- challenges ---------------------------------------------------------------------------------

/**
 * Challenge text per locale, the same way: `locales/<locale>/challenges/<challenge-id>.json` overlays
 * any subset of a challenge's text, keyed by the IDs the challenge already has:
 *
 * ```json
 * {
 *   "title": "…", "prompt": "…", "explanation": "…",
 *   "options": { "a": { "text": "…", "why": "…" } },                 // multiple-response
 *   "items": { "s1": { "text": "…", "why": "…" } },                  // ordering
 *   "pairs": { "p1": { "left": "…", "right": "…", "why": "…" } },    // matching
 *   "goals": { "goal-1": "…" }, "hints": ["…", "…", "…"]             // hands-on
 * }
 * ```
 * Only text is overlaid: IDs, correctness, the order of items and pairs, the goals' checks and the
 * hint levels stay those of the challenge, so a translation can never change a grade.
 */
export interface ChallengeTranslation {
  readonly title?: string;
  readonly prompt?: string;
  readonly explanation?: string;
  /** Multiple-response options by ID (`a`, `b`, …). */
  readonly options?: Readonly<Record<string, { readonly text?: string; readonly why?: string }>>;
  /** Ordering items by ID (`s1`, `s2`, …). */
  readonly items?: Readonly<Record<string, { readonly text?: string; readonly why?: string }>>;
  /** Matching pairs by ID (`p1`, `p2`, …). */
  readonly pairs?: Readonly<
    Record<string, { readonly left?: string; readonly right?: string; readonly why?: string }>
  >;
  /** Hands-on goal descriptions by goal ID (`goal-1`, `goal-2`, …: the IDs the grade and status use). */
  readonly goals?: Readonly<Record<string, string>>;
  /** Hands-on hint texts, in the order of the hint ladder. */
  readonly hints?: readonly string[];
}

/** Challenge translations by locale, then by challenge ID. */
export type ChallengeTranslations = Readonly<Record<string, Readonly<Record<string, ChallengeTranslation>>>>;

const entry = <T>(map: Readonly<Record<string, T>> | undefined, id: string): T | undefined =>
  map && Object.hasOwn(map, id) ? map[id] : undefined;

/** The challenge with its text in `locale` where translated, English elsewhere; grading is unchanged. */
export function localizeChallenge(
  challenge: Challenge,
  locale: string,
  translations: ChallengeTranslations,
): Challenge {
  const t = translationOf(translations, locale, challenge.id);
  if (!t) return challenge;
  const base = {
    title: str(t.title) ?? challenge.title,
    prompt: str(t.prompt) ?? challenge.prompt,
    explanation: str(t.explanation) ?? challenge.explanation,
  };
  switch (challenge.kind) {
    case 'multiple-response':
      return {
        ...challenge,
        ...base,
        options: challenge.options.map((o) => {
          const e = entry(t.options, o.id);
          return e ? { ...o, text: str(e.text) ?? o.text, why: str(e.why) ?? o.why } : o;
        }),
      };
    case 'ordering':
      return {
        ...challenge,
        ...base,
        items: challenge.items.map((i) => {
          const e = entry(t.items, i.id);
          return e ? { ...i, text: str(e.text) ?? i.text, why: str(e.why) ?? i.why } : i;
        }),
      };
    case 'matching':
      return {
        ...challenge,
        ...base,
        pairs: challenge.pairs.map((p) => {
          const e = entry(t.pairs, p.id);
          return e
            ? { ...p, left: str(e.left) ?? p.left, right: str(e.right) ?? p.right, why: str(e.why) ?? p.why }
            : p;
        }),
      };
    case 'hands-on':
      return {
        ...challenge,
        ...base,
        goals: challenge.goals.map((g, i) => {
          const d = str(entry(t.goals, `goal-${i + 1}`));
          return d ? { ...g, describe: d } : g;
        }),
        hints: challenge.hints.map((h, i) => ({ ...h, text: str(t.hints?.[i]) ?? h.text })),
      };
  }
}

/** Entries of a challenge translation that match nothing in the challenge (or are not text). */
export function staleChallengeKeys(challenge: Challenge, t: ChallengeTranslation): string[] {
  const lists: Record<string, { ids: readonly string[]; fields: readonly string[] }> = {};
  switch (challenge.kind) {
    case 'multiple-response':
      lists['options'] = { ids: challenge.options.map((o) => o.id), fields: ['text', 'why'] };
      break;
    case 'ordering':
      lists['items'] = { ids: challenge.items.map((i) => i.id), fields: ['text', 'why'] };
      break;
    case 'matching':
      lists['pairs'] = { ids: challenge.pairs.map((p) => p.id), fields: ['left', 'right', 'why'] };
      break;
    case 'hands-on':
      break;
  }
  const out: string[] = [];
  const notText = (v: unknown) => typeof v !== 'string';
  for (const [k, v] of Object.entries(t) as [string, unknown][]) {
    if (['title', 'prompt', 'explanation'].includes(k)) {
      if (notText(v)) out.push(k);
    } else if (challenge.kind === 'hands-on' && k === 'goals') {
      const ids = challenge.goals.map((_, i) => `goal-${i + 1}`);
      for (const [id, d] of Object.entries((v ?? {}) as Record<string, unknown>))
        if (!ids.includes(id) || notText(d)) out.push(`goals.${id}`);
    } else if (challenge.kind === 'hands-on' && k === 'hints') {
      if (!Array.isArray(v) || v.length > challenge.hints.length || v.some(notText)) out.push('hints');
    } else if (Object.hasOwn(lists, k)) {
      const { ids, fields } = lists[k]!;
      for (const [id, e] of Object.entries((v ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!ids.includes(id)) out.push(`${k}.${id}`);
        else
          for (const [f, x] of Object.entries(e))
            if (!fields.includes(f) || notText(x)) out.push(`${k}.${id}.${f}`);
      }
    } else out.push(k);
  }
  return out;
}
