import { describe, expect, it } from 'vitest';

import { ALL_CODES } from '../backend/codes';
import { CATALOGUES, LOCALES } from './catalogues';

const englishKeys = Object.keys(CATALOGUES.en).sort();

describe.each(LOCALES)('the %s catalogue', (locale) => {
  const catalogue: Readonly<Record<string, string>> = CATALOGUES[locale];

  it('has exactly the keys of the English one', () => {
    expect(Object.keys(catalogue).sort()).toEqual(englishKeys);
  });

  it('has no empty messages', () => {
    const empty = Object.entries(catalogue).filter(([, text]) => text.trim() === '');
    expect(empty).toEqual([]);
  });

  it.each(ALL_CODES)('has a message and a recommendation for %s', (code) => {
    expect(catalogue[`error.${code}.message`]).toBeTruthy();
    expect(catalogue[`error.${code}.recommendation`]).toBeTruthy();
  });

  it('names its language in that language', () => {
    expect(catalogue['language.name']).toBe({ en: 'English', et: 'Eesti', ru: 'Русский' }[locale]);
  });
});
