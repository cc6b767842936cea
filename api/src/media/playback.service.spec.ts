import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/api-error.js';
import { parseRange } from './playback.service.js';

describe('parseRange', () => {
  it('reads the forms players send', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
  });

  it('ignores what it does not understand and refuses ranges past the end', () => {
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(() => parseRange('bytes=100-', 100)).toThrow(ApiError);
    expect(() => parseRange('bytes=9-3', 100)).toThrow(ApiError);
  });
});
