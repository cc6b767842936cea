import { describe, expect, it, vi } from 'vitest';
import { useProgressStore } from '~/stores/progress';
import { useSessionStore } from '~/stores/session';
import type { ProgressBackend } from '~/utils/progress';
import { progressInput, tokenPair, viewer } from './fixtures';
import { piniaWith } from './stores';

function signedIn(overrides: Parameters<typeof piniaWith>[0] = {}) {
  const context = piniaWith(overrides);
  useSessionStore().adopt(tokenPair(viewer));
  return { ...context, progress: useProgressStore() };
}

describe('progress store', () => {
  it('does nothing without a signed-in user', async () => {
    piniaWith();
    const progress = useProgressStore();
    expect(await progress.load('m')).toBeNull();
    await progress.save(progressInput('m', 10));
    expect(progress.byMedia).toEqual({});
  });

  it('saves a position and loads it back for resuming', async () => {
    const { progress } = signedIn();
    await progress.save(progressInput('m1', 42));
    expect(progress.byMedia.m1?.positionSeconds).toBe(42);
    progress.$reset();
    expect((await progress.load('m1'))?.positionSeconds).toBe(42);
    expect(progress.byMedia.m1?.positionSeconds).toBe(42);
  });

  it('keeps the continue-watching row current: newest first, finished items leave it', async () => {
    const { progress } = signedIn();
    await progress.save(progressInput('a', 100));
    await progress.save(progressInput('b', 100));
    expect(progress.continueWatching.map((entry) => entry.mediaId)).toEqual(['b', 'a']);
    await progress.save(progressInput('a', 599));
    expect(progress.continueWatching.map((entry) => entry.mediaId)).toEqual(['b']);

    progress.$reset();
    await progress.loadContinueWatching();
    expect(progress.listLoaded).toBe(true);
    expect(progress.continueWatching.map((entry) => entry.mediaId)).toEqual(['b']);
    await progress.forget('b');
    expect(progress.continueWatching).toEqual([]);
    progress.$reset();
    await progress.loadContinueWatching();
    expect(progress.continueWatching).toEqual([]);
  });

  it('uses the backend of the signed-in user', async () => {
    const progressFor = vi.fn((_userId: string) => {
      throw new Error('unused');
    });
    signedIn({ progress: progressFor as unknown as (userId: string) => ProgressBackend });
    const progress = useProgressStore();
    await expect(progress.load('x')).rejects.toThrow('unused');
    expect(progressFor).toHaveBeenCalledWith(viewer.id);
  });

  it('keeps the position in memory when the backend fails', async () => {
    const failing: ProgressBackend = {
      kind: 'api',
      get: vi.fn(async () => Promise.reject(new Error('503'))),
      put: vi.fn(async () => Promise.reject(new Error('503'))),
      continueWatching: vi.fn(async () => Promise.reject(new Error('503'))),
      remove: vi.fn(async () => Promise.reject(new Error('503'))),
    };
    const { progress } = signedIn({ progress: () => failing });
    await progress.save(progressInput('m', 30));
    expect((await progress.load('m'))?.positionSeconds).toBe(30);
    await progress.loadContinueWatching();
    expect(progress.listLoaded).toBe(true);
    await expect(progress.forget('m')).resolves.toBeUndefined();
  });
});
