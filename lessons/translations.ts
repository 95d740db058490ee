/**
 * Lesson and challenge translations: every `locales/<locale>/lessons/<lesson-id>.json` and
 * `locales/<locale>/challenges/<challenge-id>.json`, found at build time, so a new language is a new
 * folder (beside its interface text, `locales/<locale>/ui/`) and no code change. English is in the
 * lessons and challenges themselves.
 */
import { ENGLISH_GRADE_WORDS, type GradeWords } from '../src/learn/challenges.ts';
import type {
  ChallengeTranslation,
  ChallengeTranslations,
  LessonTranslation,
  Translations,
} from '../src/learn/text.ts';

const lessonFiles = import.meta.glob<LessonTranslation>('../locales/*/lessons/*.json', {
  eager: true,
  import: 'default',
});

const challengeFiles = import.meta.glob<ChallengeTranslation>('../locales/*/challenges/*.json', {
  eager: true,
  import: 'default',
});

/** Files under `locales/<locale>/<folder>/<id>.json`, by locale, then by ID. */
function byLocale<T>(files: Readonly<Record<string, T>>, folder: string): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  const path = new RegExp(`/locales/([a-z]{2}(?:-[A-Z]{2})?)/${folder}/([a-z0-9-]+)\\.json$`);
  for (const [file, t] of Object.entries(files)) {
    const m = path.exec(file);
    if (m) (out[m[1]!] ??= {})[m[2]!] = t;
  }
  return out;
}

export const TRANSLATIONS: Translations = byLocale(lessonFiles, 'lessons');

export const CHALLENGE_TRANSLATIONS: ChallengeTranslations = byLocale(challengeFiles, 'challenges');

/** The locales of some translations (a locale with only lesson or only challenge files counts), English first. */
export function localesOf(...translations: readonly Readonly<Record<string, unknown>>[]): string[] {
  const found = new Set(translations.flatMap((t) => Object.keys(t)));
  found.delete('en');
  return ['en', ...[...found].sort()];
}

/** Locales with at least one translated lesson or challenge, English first. */
export const LOCALES: readonly string[] = localesOf(TRANSLATIONS, CHALLENGE_TRANSLATIONS);

const gradingFiles = import.meta.glob<Partial<GradeWords>>('../locales/*/grading.json', {
  eager: true,
  import: 'default',
});

/** The grader's words per locale (`locales/<locale>/grading.json`), over English. */
export const GRADE_WORDS: Readonly<Record<string, GradeWords>> = (() => {
  const out: Record<string, GradeWords> = {};
  for (const [path, words] of Object.entries(gradingFiles)) {
    const m = /\/locales\/([a-z]{2}(?:-[A-Z]{2})?)\/grading\.json$/.exec(path);
    if (m) out[m[1]!] = { ...ENGLISH_GRADE_WORDS, ...words };
  }
  return out;
})();
