import { describe, expect, it } from 'vitest';

import type { ApiError } from './bindings';
import { toApiError } from './error';

describe('toApiError', () => {
  it('passes errors from Rust through', () => {
    const error: ApiError = { code: 'IO', message: 'disk full', recommendation: 'free space', key: 'general', params: {} };
    expect(toApiError(error)).toBe(error);
  });

  it('turns anything else into an INTERNAL error', () => {
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(toApiError('command app_info not found')).toMatchObject({
      code: 'INTERNAL',
      message: 'command app_info not found',
    });
    expect(toApiError({ code: 'IO' })).toMatchObject({ code: 'INTERNAL' });
    expect(toApiError(undefined).recommendation).not.toBe('');
  });
});
