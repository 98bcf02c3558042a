import { afterEach, describe, expect, it } from 'vitest';

import { formatDate, i18n, localeFromLanguages, lookup, setLocale, t } from './locale.svelte';

afterEach(() => setLocale('en'));

describe('localeFromLanguages', () => {
  it('takes the first system language Signet speaks', () => {
    expect(localeFromLanguages(['de-DE', 'ru-RU', 'et'])).toBe('ru');
    expect(localeFromLanguages(['ET-ee'])).toBe('et');
  });

  it('falls back to English', () => {
    expect(localeFromLanguages(['fi-FI'])).toBe('en');
    expect(localeFromLanguages([])).toBe('en');
  });
});

describe('t', () => {
  it('answers in the current language and remembers the choice', () => {
    setLocale('et');
    expect(i18n.locale).toBe('et');
    expect(t('nav.sign')).toBe('Allkirjasta');
    expect(localStorage.getItem('signet.locale')).toBe('et');
    setLocale('ru');
    expect(t('nav.settings')).toBe('Настройки');
  });

  it('looks up keys built at run time', () => {
    expect(lookup('backendName.pcsc')).toBe('Card reader (PC/SC)');
    expect(lookup('backendName.nothing')).toBeUndefined();
    expect(lookup('toString')).toBeUndefined();
  });
});

describe('formatDate', () => {
  it('writes a calendar date in the window\'s language, the same day in every time zone', () => {
    expect(formatDate('1980-01-08')).toBe('8 January 1980');
    setLocale('et');
    expect(formatDate('1980-01-08')).toBe('8. jaanuar 1980');
    setLocale('ru');
    expect(formatDate('1980-01-08')).toMatch(/^8 января 1980/);
  });

  it('leaves what is not a date as it is', () => {
    expect(formatDate('sometime in 1980')).toBe('sometime in 1980');
    expect(formatDate('1980-13-45')).toBe('1980-13-45');
    expect(formatDate('1980-02-30')).toBe('1980-02-30');
    expect(formatDate('1981-02-29')).toBe('1981-02-29');
    expect(formatDate('1980-02-29')).toBe('29 February 1980');
  });
});
