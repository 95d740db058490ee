/**
 * Interface text (src/ui/i18n/text.svelte.ts, locales/<locale>/ui/*.json): every key the interface
 * uses has English text, translations name only keys English has and keep its parameters, and the
 * lookup falls back to English.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { t, text, UI_LOCALES, type Message } from '../../src/ui/i18n/text.svelte.ts';

const ROOT = join(import.meta.dirname, '../..');

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p, ext) : ext.test(name) ? [p] : [];
  });
}

/** `area.key` → message, for one locale's folder. */
function messagesOf(locale: string): Map<string, Message> {
  const dir = join(ROOT, 'locales', locale, 'ui');
  const out = new Map<string, Message>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const area = f.replace(/\.json$/, '');
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(dir, f), 'utf8')) as object))
      out.set(`${area}.${k}`, v as Message);
  }
  return out;
}

const params = (m: Message): string[] =>
  [
    ...new Set(
      (typeof m === 'string' ? [m] : Object.values(m)).flatMap((s) =>
        [...(s ?? '').matchAll(/\{(\w+)\}/g)].map((x) => x[1]!),
      ),
    ),
  ].sort();

const english = messagesOf('en');

describe('interface text', () => {
  it('has English text for every key the interface asks for', () => {
    const used = new Set<string>();
    for (const f of filesUnder(join(ROOT, 'src'), /\.(svelte|ts)$/))
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9]+\.[a-zA-Z0-9_.-]+)'/g))
        used.add(m[1]!);
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((k) => !english.has(k))).toEqual([]);
  });

  it('finds each translation folder, English first', () => {
    expect(UI_LOCALES[0]).toBe('en');
    expect(UI_LOCALES).toContain('de');
  });

  for (const locale of UI_LOCALES.filter((l) => l !== 'en')) {
    it(`${locale}: names only keys English has, with the same parameters and plural shape`, () => {
      const translated = messagesOf(locale);
      expect([...translated.keys()].filter((k) => !english.has(k))).toEqual([]);
      for (const [k, m] of translated) {
        const en = english.get(k)!;
        expect({ k, plural: typeof m !== 'string' }).toEqual({ k, plural: typeof en !== 'string' });
        expect({ k, params: params(m) }).toEqual({ k, params: params(en) });
      }
    });
  }

  it('looks up, fills parameters, picks plural forms and falls back to English', async () => {
    await text.use('en');
    expect(t('app.tagline')).toBe('AWS KMS, simulated in your browser');
    expect(t('no.such-key')).toBe('no.such-key');
    await text.use('de-AT');
    expect(text.locale).toBe('de');
    expect(t('app.tagline')).toBe('AWS KMS, simuliert in Ihrem Browser');
    await text.use('xx');
    expect(text.locale).toBe('en');
  });
});
