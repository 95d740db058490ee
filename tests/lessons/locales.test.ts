/** Lesson text per locale: translations overlay English, fall back to it, and name only real steps. */
import { expect, it } from 'vitest';
import { LESSONS, lessonById } from '../../lessons/index.ts';
import { LOCALES, TRANSLATIONS } from '../../lessons/translations.ts';
import { localizeLesson, staleKeys } from '../../src/learn/text.ts';

it('finds the translation folders', () => {
  expect(LOCALES[0]).toBe('en');
  expect(LOCALES).toContain('de');
});

it('every translation names a lesson and only its steps', () => {
  for (const [locale, lessons] of Object.entries(TRANSLATIONS))
    for (const [id, t] of Object.entries(lessons)) {
      const lesson = lessonById(id);
      expect(lesson, `${locale}/${id}.json names no lesson`).toBeDefined();
      expect(staleKeys(lesson!, t), `${locale}/${id}.json`).toEqual([]);
    }
});

it('overlays translated text and falls back to English for the rest', () => {
  const en = lessonById('envelope-encryption')!;
  const de = localizeLesson(en, 'de-DE', TRANSLATIONS);
  expect(de.title).toMatch(/Envelope-Verschlüsselung/);
  expect(de.steps[0]!.text).toMatch(/^Erstellen/);
  expect(de.steps[0]!.check.describe).toMatch(/bezeichnet/);
  expect(de.steps[0]!.hints[0]!.text).toMatch(/^Zwei Aufrufe/);
  expect(de.steps[0]!.hints[2]!.text).toBe(en.steps[0]!.hints[2]!.text);
  // A partial translation: what it leaves out stays English.
  const partial = localizeLesson(en, 'de', { de: { 'envelope-encryption': { title: 'Nur der Titel' } } });
  expect(partial.title).toBe('Nur der Titel');
  expect(partial.steps[1]!.text).toBe(en.steps[1]!.text);
  expect(partial.steps[1]!.hints).toEqual(en.steps[1]!.hints);
  expect(de.steps[0]!.check.test).toBe(en.steps[0]!.check.test);
  expect(localizeLesson(en, 'fr', TRANSLATIONS)).toBe(en);
  for (const l of LESSONS) expect(localizeLesson(l, 'xx', TRANSLATIONS)).toBe(l);
});

it('serves a regional locale from its language folder, and English for an unknown one', async () => {
  const { catalog } = await import('../../workers/learnSide.ts');
  expect(catalog('de-AT').locale).toBe('de');
  expect(catalog('de-AT').lessons.find((l) => l.id === 'envelope-encryption')!.title).toMatch(
    /Verschlüsselung/,
  );
  expect(catalog('fr-FR').locale).toBe('en');
});

it('previews a share link with the lesson title in the learner\u2019s language, and says what is wrong with a bad one', async () => {
  const { previewLink } = await import('../../workers/learnSide.ts');
  const { shareHash, SHARE_VERSION } = await import('../../src/share/index.ts');
  const hash = await shareHash({
    version: SHARE_VERSION,
    lessonId: 'envelope-encryption',
    world: { KmsLabScenario: 1, Accounts: {} } as never,
  });
  const de = await previewLink(hash, 'de-DE');
  expect(de?.ok && de.lessonTitle).toMatch(/Verschlüsselung/);
  const en = await previewLink(hash);
  expect(en?.ok && en.lessonTitle).toBe(lessonById('envelope-encryption')!.title);
  const bad = await previewLink('#s=@@@');
  expect(bad).toMatchObject({ ok: false, problem: 'malformed' });
});

it('reports stale entries', () => {
  const en = lessonById('envelope-encryption')!;
  expect(staleKeys(en, { steps: { 'no-such-step': { text: 'x' } } })).toEqual(['steps.no-such-step']);
});
