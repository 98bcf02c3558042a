import { afterEach, describe, expect, it } from 'vitest';

import type { ApiError } from '../backend/bindings';
import { describeError } from './errors';
import { setLocale } from './locale.svelte';

afterEach(() => setLocale('en'));

const rust: ApiError = {
  code: 'NETWORK',
  message: 'tsa.example.ee did not answer',
  recommendation: 'Rust recommendation',
};

describe('describeError', () => {
  it('uses the catalogue of the current language, by code', () => {
    expect(describeError(rust).message).toBe('A server could not be reached or answered badly.');
    setLocale('et');
    expect(describeError(rust).message).toBe('Serveriga ei saanud ühendust või see vastas veaga.');
  });

  it('falls back to the Rust text for a code it does not know', () => {
    const unknown = { ...rust, code: 'FROM_THE_FUTURE' } as unknown as ApiError;
    expect(describeError(unknown)).toEqual({
      message: rust.message,
      recommendation: rust.recommendation,
    });
  });
});
