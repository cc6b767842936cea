import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/api-error.js';
import { etagFor, expectedVersion } from './etag.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not-an-api-error';
  }
  return undefined;
}

describe('If-Match', () => {
  it('accepts the current ETag, weak or in a list, and *', () => {
    expect(expectedVersion(etagFor(3), 3, true)).toBe(3);
    expect(expectedVersion(`W/${etagFor(3)}`, 3, true)).toBe(3);
    expect(expectedVersion(`"v1", ${etagFor(3)}`, 3, true)).toBe(3);
    expect(expectedVersion('*', 3, true)).toBe(3);
  });

  it('refuses a stale ETag with precondition_failed', () => {
    expect(codeOf(() => expectedVersion(etagFor(2), 3, true))).toBe('precondition_failed');
    expect(codeOf(() => expectedVersion('garbage', 3, false))).toBe('precondition_failed');
  });

  it('requires the header only when asked to', () => {
    expect(codeOf(() => expectedVersion(undefined, 3, true))).toBe('precondition_required');
    expect(codeOf(() => expectedVersion('  ', 3, true))).toBe('precondition_required');
    expect(expectedVersion(undefined, 3, false)).toBeUndefined();
  });
});
