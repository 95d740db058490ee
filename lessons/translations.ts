/**
 * Lesson translations: every `locales/<locale>/lessons/<lesson-id>.json`, found at build time, so a
 * new language is a new folder (beside its interface text, `locales/<locale>/ui/`) and no code
 * change. English is in the lessons themselves.
 */
import type { LessonTranslation, Translations } from '../src/learn/text.ts';

const files = import.meta.glob<LessonTranslation>('../locales/*/lessons/*.json', {
  eager: true,
  import: 'default',
});

export const TRANSLATIONS: Translations = (() => {
  const out: Record<string, Record<string, LessonTranslation>> = {};
  for (const [path, t] of Object.entries(files)) {
    const m = /\/locales\/([a-z]{2}(?:-[A-Z]{2})?)\/lessons\/([a-z0-9-]+)\.json$/.exec(path);
    if (m) (out[m[1]!] ??= {})[m[2]!] = t;
  }
  return out;
})();

/** Locales with at least one translated lesson, English first. */
export const LOCALES: readonly string[] = [
  'en',
  ...Object.keys(TRANSLATIONS)
    .filter((l) => l !== 'en')
    .sort(),
];
