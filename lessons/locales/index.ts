/**
 * Lesson translations: every `lessons/locales/<locale>/<lesson-id>.json`, found at build time, so a
 * new language is a new folder and no code change. English is in the lessons themselves.
 */
import type { LessonTranslation, Translations } from '../../src/learn/text.ts';

const files = import.meta.glob<LessonTranslation>('./*/*.json', { eager: true, import: 'default' });

export const TRANSLATIONS: Translations = (() => {
  const out: Record<string, Record<string, LessonTranslation>> = {};
  for (const [path, t] of Object.entries(files)) {
    const m = /^\.\/([a-z]{2}(?:-[A-Z]{2})?)\/([a-z0-9-]+)\.json$/.exec(path);
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
