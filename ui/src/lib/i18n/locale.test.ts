import { afterEach, describe, expect, it } from 'vitest';

import { i18n, localeFromLanguages, lookup, setLocale, t } from './locale.svelte';

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
