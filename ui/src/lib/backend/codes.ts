import type { Code } from './bindings';

/** Every error code the Rust side can send, in its declaration order. */
export const ALL_CODES = [
  'INTERNAL',
  'NOT_IMPLEMENTED',
  'INVALID_INPUT',
  'FILE_NOT_FOUND',
  'IO',
  'NETWORK',
  'CANCELLED',
  'CARD_UNAVAILABLE',
  'CARD_REMOVED',
  'CARD_UNSUPPORTED',
  'PIN_INCORRECT',
  'PIN_BLOCKED',
  'CARD_NOT_ACTIVATED',
  'INPUT_CHANGED',
] as const satisfies readonly Code[];

type AssertNever<T extends never> = T;

/** Fails the type check when bindings.ts gains a code that ALL_CODES does not list. */
export type EveryCodeListed = AssertNever<Exclude<Code, (typeof ALL_CODES)[number]>>;

const KNOWN: ReadonlySet<string> = new Set(ALL_CODES);

/** Whether `value` is one of the codes this UI knows. */
export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && KNOWN.has(value);
}
