import type { ApiError, Code } from '../backend/bindings';
import { isCode } from '../backend/codes';
import type { MessageKey } from './catalogues';
import { t } from './locale.svelte';

type AssertKeys<T extends MessageKey> = T;

/** Fails the type check when a code in bindings.ts has no message or recommendation in en.json. */
export type ErrorKey = AssertKeys<`error.${Code}.${'message' | 'recommendation'}`>;

export interface ErrorText {
  message: string;
  recommendation: string;
}

/**
 * What to tell the person about `error`: the catalogue's text for its code in the current
 * language, or the text from Rust for a code this UI does not know yet.
 */
export function describeError(error: ApiError): ErrorText {
  if (!isCode(error.code)) {
    return { message: error.message, recommendation: error.recommendation };
  }
  return {
    message: t(`error.${error.code}.message`),
    recommendation: t(`error.${error.code}.recommendation`),
  };
}
