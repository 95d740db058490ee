/**
 * Interface text per locale. Every `locales/<locale>/ui/<area>.json` is found at build time, so a
 * new language is a new folder (beside its lesson text, `locales/<locale>/lessons/`) and no code
 * change. English ships with the app and is the fallback for anything a translation leaves out;
 * other locales load when chosen.
 *
 * A file maps keys to text; `{name}` marks a parameter, and a text that depends on a count is an
 * object of plural forms (`{ "one": "{count} call", "other": "{count} calls" }`, CLDR categories).
 * Components call `t("area.key", { … })`; reading the current locale makes them follow a switch.
 */

/** One entry of a locale file: a text, or its plural forms by CLDR category. */
export type Message = string | Readonly<Partial<Record<Intl.LDMLPluralRule, string>>>;
type Messages = Readonly<Record<string, Message>>;
type Table = ReadonlyMap<string, Message>;

const ENGLISH = import.meta.glob<Messages>('../../../locales/en/ui/*.json', {
  eager: true,
  import: 'default',
});
const TRANSLATED = import.meta.glob<Messages>(
  ['../../../locales/*/ui/*.json', '!../../../locales/en/ui/*.json'],
  {
    import: 'default',
  },
);

const LOCALE_OF = /\/locales\/([a-z]{2}(?:-[A-Z]{2})?)\/ui\/([a-zA-Z0-9-]+)\.json$/;

/** `area.key` → message, from a set of `<area>.json` files. */
function tableOf(files: Record<string, Messages>): Table {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- built once, never changed after
  const table = new Map<string, Message>();
  for (const [path, messages] of Object.entries(files)) {
    const area = LOCALE_OF.exec(path)?.[2];
    if (!area) continue;
    for (const [key, message] of Object.entries(messages)) table.set(`${area}.${key}`, message);
  }
  return table;
}

/** The interface locales there are (a folder with a `ui/` in it), English first. */
export const UI_LOCALES: readonly string[] = [
  'en',
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch set, not state
  ...[...new Set(Object.keys(TRANSLATED).map((p) => LOCALE_OF.exec(p)?.[1]))]
    .filter((l): l is string => !!l && l !== 'en')
    .sort(),
];

const english = tableOf(ENGLISH);

function fill(text: string, params: Readonly<Record<string, string | number>> | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

class InterfaceText {
  /** The locale the interface shows (`en` until another one has loaded). */
  locale = $state('en');
  #table: Table = english;
  #plural = new Intl.PluralRules('en');

  /**
   * Shows the interface in `wanted` (`de-AT` falls back to `de`), English where it has no text.
   * Resolves once loaded; an unknown locale means English.
   */
  async use(wanted: string): Promise<void> {
    const locale = [wanted, wanted.split('-')[0]!].find((l) => UI_LOCALES.includes(l)) ?? 'en';
    let table = english;
    if (locale !== 'en') {
      const files: Record<string, Messages> = {};
      await Promise.all(
        Object.entries(TRANSLATED)
          .filter(([path]) => LOCALE_OF.exec(path)?.[1] === locale)
          .map(async ([path, load]) => {
            files[path] = await load();
          }),
      );
      table = tableOf(files);
    }
    this.#table = table;
    this.#plural = new Intl.PluralRules(locale);
    this.locale = locale;
    if (typeof document !== 'undefined') document.documentElement.lang = locale;
  }

  /** The text for `key` in the current locale (English if it has none), parameters filled in. */
  t(key: string, params?: Readonly<Record<string, string | number>>): string {
    void this.locale; // the reactive read: components re-render on a locale switch
    const message = this.#table.get(key) ?? english.get(key);
    if (message === undefined) {
      if (import.meta.env.DEV) console.warn(`No interface text for "${key}"`);
      return key;
    }
    if (typeof message === 'string') return fill(message, params);
    const count = Number(params?.count ?? 0);
    const form = message[this.#plural.select(count)] ?? message.other ?? Object.values(message)[0] ?? key;
    return fill(form, params);
  }
}

/** The interface's text: `text.locale`, `text.use(locale)`. */
export const text = new InterfaceText();

/** Interface text for `key` (`area.key`) in the current locale; see {@link InterfaceText.t}. */
export const t = (key: string, params?: Readonly<Record<string, string | number>>): string =>
  text.t(key, params);

const LOCALE_KEY = 'kms-lab:locale';

/** The locale the learner chose last time, else the browser's language. */
export function savedLocale(): string {
  try {
    return localStorage.getItem(LOCALE_KEY) ?? navigator.language ?? 'en';
  } catch {
    return 'en';
  }
}

/** Remembers the learner's locale for the next visit. */
export function saveLocale(locale: string): void {
  try {
    localStorage.setItem(LOCALE_KEY, locale);
  } catch {
    // not remembered
  }
}
