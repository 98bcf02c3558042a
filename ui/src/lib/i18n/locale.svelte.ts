import type { LocalizedText } from '../backend/bindings';
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

/** The message for `key` with `{name}` placeholders filled in from `params`. */
export function tf(key: MessageKey, params: Readonly<Record<string, string | number>>): string {
  return t(key).replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The BCP 47 tag for formatting numbers and dates in the current language (British English). */
function formatTag(): string {
  return current === 'en' ? 'en-GB' : current;
}

/** A text an agency gives in each language, in the window's. */
export function localized(text: LocalizedText): string {
  return text[i18n.locale];
}

/** A byte count as a person reads it: "812 B", "1.4 MB", in the current language's digits. */
export function formatBytes(bytes: number): string {
  const units = current === 'ru' ? ['Б', 'кБ', 'МБ', 'ГБ'] : ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(formatTag(), { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A calendar date (`YYYY-MM-DD`) in the current language ("8 Jan 1980"); as given when not one. */
export function formatDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return date;
  // A day past the month's end (1980-02-30) would roll over to another real date: shown as given.
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) return date;
  const millis = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(millis)) return date;
  // The date itself, not a moment: read and written in UTC so that no time zone moves the day.
  return new Intl.DateTimeFormat(formatTag(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(millis);
}

/** An RFC 3339 time as local date and time in the current language. */
export function formatTime(rfc3339: string): string {
  const millis = Date.parse(rfc3339);
  if (Number.isNaN(millis)) return rfc3339;
  return new Intl.DateTimeFormat(formatTag(), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  }).format(millis);
}
