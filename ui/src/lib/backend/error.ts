import type { ApiError } from './bindings';

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message, recommendation } = value as Record<string, unknown>;
  return (
    typeof code === 'string' && typeof message === 'string' && typeof recommendation === 'string'
  );
}

/**
 * Turns whatever a backend call rejected with into an `ApiError`. Errors from Rust pass through;
 * anything else (a thrown `Error`, a string from the IPC layer) becomes an `INTERNAL` error.
 */
export function toApiError(value: unknown): ApiError {
  if (isApiError(value)) return value;
  const message =
    value instanceof Error ? value.message : typeof value === 'string' ? value : String(value);
  return {
    code: 'INTERNAL',
    message,
    recommendation:
      'This is a bug in Signet. Please report it and attach the log file from Settings.',
    key: 'general',
    params: {},
  };
}
