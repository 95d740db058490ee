/**
 * Lesson text per locale. English lives in the lesson data (the fallback); a translation is a JSON
 * file `locales/<locale>/lessons/<lesson-id>.json` that overlays any subset of the text:
 *
 * ```json
 * { "title": "…", "intro": "…", "steps": { "<step-id>": { "text": "…", "goal": "…", "hints": ["…", "…", "…"] } } }
 * ```
 * Missing entries fall back to English, so a partial translation is still usable; entries that name
 * no step of the lesson are reported by {@link staleKeys} (CI checks them).
 */
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

/** The lesson with its text in `locale` where translated, English elsewhere. Checks are unchanged. */
export function localizeLesson(lesson: Lesson, locale: string, translations: Translations): Lesson {
  const base = locale.split('-')[0]!;
  const t = translations[locale]?.[lesson.id] ?? translations[base]?.[lesson.id];
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
