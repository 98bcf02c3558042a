import type { ApiError, Code, MessageKey as ErrorMessageKey } from '../backend/bindings';
import { isCode } from '../backend/codes';
import type { MessageKey } from './catalogues';
import { lookup, t, tf } from './locale.svelte';

type AssertKeys<T extends MessageKey> = T;

/** Fails the type check when a code in bindings.ts has no message or recommendation in en.json. */
export type ErrorKey = AssertKeys<`error.${Code}.${'message' | 'recommendation'}`>;

/** Fails the type check when an error's message key in bindings.ts has no text in en.json. */
export type KeyedErrorKey = AssertKeys<`errors.${Exclude<ErrorMessageKey, 'general'>}.${'message' | 'recommendation'}`>;

export interface ErrorText {
  message: string;
  recommendation: string;
}

/** The error's parameters as the person reads them: a secret by its name in this language. */
function localParams(params: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const local: Record<string, string> = { ...params };
  const secret = local['secret'];
  if (secret !== undefined) local['secret'] = lookup(`secret.${secret}`) ?? secret;
  return local;
}

/**
 * What to tell the person about `error`, in the current language: the message its key names,
 * with its specifics (the file, the PIN, the tries left); for a key this UI does not know (or
 * none), the catalogue's text for its code; for a code it does not know, the English text from
 * Rust.
 */
export function describeError(error: ApiError): ErrorText {
  const key = error.key;
  if (key !== undefined && key !== 'general') {
    const message = lookup(`errors.${key}.message`);
    const recommendation = lookup(`errors.${key}.recommendation`);
    if (message !== undefined && recommendation !== undefined) {
      const params = localParams(error.params);
      const fill = (text: string) =>
        text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
      const tries = params['triesLeft'];
      return {
        message: tries === undefined ? fill(message) : `${fill(message)} ${tf('pin.triesLeft', { n: tries })}`,
        recommendation: fill(recommendation),
      };
    }
  }
  if (!isCode(error.code)) {
    return { message: error.message, recommendation: error.recommendation };
  }
  return {
    message: t(`error.${error.code}.message`),
    recommendation: t(`error.${error.code}.recommendation`),
  };
}
