import en from './en.json';
import et from './et.json';
import ru from './ru.json';

/** A message key; English is the reference catalogue, so a key missing there is a type error. */
export type MessageKey = keyof typeof en;

export type Catalogue = Readonly<Record<MessageKey, string>>;

export const LOCALES = ['en', 'et', 'ru'] as const;

export type Locale = (typeof LOCALES)[number];

/** Every catalogue, each typed against English so a key missing in one is a type error. */
export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, et, ru };

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}
