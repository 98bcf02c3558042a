import { readPreference, writePreference } from '../storage/preference';
import { CATALOGUES, isLocale, type Locale, type MessageKey } from './catalogues';

const PREFERENCE = 'locale';

/** The first of the person's system languages that Signet speaks, else English. */
export function localeFromLanguages(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return 'en';
}

function initialLocale(): Locale {
  const stored = readPreference(PREFERENCE);
  if (isLocale(stored)) return stored;
  if (typeof navigator === 'undefined') return 'en';
  return localeFromLanguages(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

let current = $state<Locale>(initialLocale());

/** The current locale, reactive wherever it is read. */
export const i18n = {
  get locale(): Locale {
    return current;
  },
};

/** Switches the language of the whole UI and remembers the choice. */
export function setLocale(locale: Locale): void {
  current = locale;
  writePreference(PREFERENCE, locale);
}

/** The message for `key` in the current language. */
export function t(key: MessageKey): string {
  return CATALOGUES[current][key];
}

/** The message for a key built at run time, or `undefined` when the catalogue has none. */
export function lookup(key: string): string | undefined {
  const catalogue: Readonly<Record<string, string>> = CATALOGUES[current];
  return Object.hasOwn(catalogue, key) ? catalogue[key] : undefined;
}
