import { afterEach, describe, expect, it } from 'vitest';

import type { ApiError } from '../backend/bindings';
import { describeError } from './errors';
import { setLocale } from './locale.svelte';

afterEach(() => setLocale('en'));

const rust: ApiError = {
  code: 'NETWORK',
  message: 'tsa.example.ee did not answer',
  recommendation: 'Rust recommendation',
  key: 'general',
  params: {},
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

  it('says a keyed error in the current language with its specifics', () => {
    const wrong: ApiError = {
      code: 'PIN_INCORRECT',
      message: 'PIN2 incorrect, 2 tries left',
      recommendation: 'Rust recommendation',
      key: 'pinIncorrect',
      params: { secret: 'pin2', triesLeft: '2' },
    };
    expect(describeError(wrong).message).toBe('PIN2 was incorrect. Tries left: 2');
    setLocale('et');
    expect(describeError(wrong).message).toMatch(/^PIN2 oli vale\. .*2/);
    setLocale('ru');
    expect(describeError(wrong).message).toMatch(/^PIN2: неверное значение\. .*2/);
    setLocale('en');
    const blocked: ApiError = { ...wrong, code: 'PIN_BLOCKED', key: 'pinBlocked', params: { secret: 'pin1' } };
    expect(describeError(blocked).message).toBe('PIN1 is blocked.');
    const password: ApiError = { ...wrong, key: 'pinIncorrect', params: { secret: 'password' } };
    setLocale('et');
    expect(describeError(password).message).toBe('Parool oli vale.');
  });

  it('names the file, the node and the reader state for the common errors, in every language', () => {
    const file = '/home/mari/contract.signed.pdf';
    const cases: [ApiError['code'], ApiError['key'], Record<string, string>, string][] = [
      ['INVALID_INPUT', 'outputExists', { file }, `${file} exists already.`],
      ['FILE_NOT_FOUND', 'fileNotFound', { file }, `${file} does not exist.`],
      ['INVALID_INPUT', 'notAPdf', { file: 'notes.pdf' }, 'notes.pdf is not a PDF.'],
      ['CARD_REMOVED', 'cardRemoved', {}, 'The ID card was removed during the operation.'],
      ['CARD_UNAVAILABLE', 'noReader', {}, 'No card reader is connected.'],
      ['NETWORK', 'timestampFailed', {}, 'The time-stamping service did not give a time-stamp.'],
      ['NETWORK', 'revocationFailed', {}, "The certificate's validity could not be confirmed (OCSP)."],
      ['NETWORK', 'nodeUnreachable', { node: 'https://rr.example' }, "The agency's server https://rr.example did not answer."],
    ];
    for (const [code, key, params, english] of cases) {
      const error: ApiError = { code, message: 'Rust', recommendation: 'Rust', key, params };
      setLocale('en');
      expect(describeError(error).message).toBe(english);
      expect(describeError(error).recommendation).not.toContain('--');
      for (const locale of ['et', 'ru'] as const) {
        setLocale(locale);
        const text = describeError(error);
        expect(text.message).not.toBe(english);
        expect(text.message).not.toMatch(/\{\w+\}/);
        for (const value of Object.values(params)) expect(text.message).toContain(value);
      }
    }
  });

  it('falls back to the code for a key it does not know, and to the English text for an unknown code', () => {
    const future = { ...rust, key: 'fromTheFuture' } as unknown as ApiError;
    expect(describeError(future).message).toBe('A server could not be reached or answered badly.');
    const old = { code: 'NETWORK', message: 'm', recommendation: 'r' } as unknown as ApiError;
    expect(describeError(old).message).toBe('A server could not be reached or answered badly.');
  });
});
