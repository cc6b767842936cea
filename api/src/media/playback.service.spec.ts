import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/api-error.js';
import { parseRange, storageUrlLifetimeSeconds } from './playback.service.js';

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

describe('storageUrlLifetimeSeconds', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  it('lets presigned storage URLs live as long as the playback URL they were handed out under', () => {
    expect(storageUrlLifetimeSeconds(after(6 * 3600), now)).toBe(6 * 3600);
    expect(storageUrlLifetimeSeconds(after(90.2), now)).toBe(91);
  });

  it('stays within what SigV4 allows', () => {
    expect(storageUrlLifetimeSeconds(after(0.1), now)).toBe(1);
    expect(storageUrlLifetimeSeconds(now, now)).toBe(1);
    expect(storageUrlLifetimeSeconds(after(30 * 86_400), now)).toBe(7 * 86_400);
  });
});
