import type { ApiError } from './bindings';
import { toApiError } from './error';

/** A value the UI is waiting for from the backend. */
export type Loaded<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'failed'; error: ApiError };

export const LOADING = { status: 'loading' } as const satisfies Loaded<never>;

/** Waits for `request` and records its value or its error. */
export async function load<T>(request: Promise<T>): Promise<Loaded<T>> {
  try {
    return { status: 'ready', value: await request };
  } catch (error) {
    return { status: 'failed', error: toApiError(error) };
  }
}
