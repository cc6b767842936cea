import { describe, expect, it } from 'vitest';
import { createLocalProgressBackend, localProgressKey } from '~/utils/progress-local';
import { memoryStorage, progressInput } from './fixtures';

function clock(start = Date.parse('2026-11-01T10:00:00Z')) {
  let now = start;
  return { now: () => new Date((now += 1000)) };
}

describe('local progress backend', () => {
  it('saves and reads a position per user', async () => {
    const storage = memoryStorage();
    const alice = createLocalProgressBackend({ storage, userId: 'alice', ...clock() });
    const bob = createLocalProgressBackend({ storage, userId: 'bob', ...clock() });
    const saved = await alice.put(progressInput('movie-1', 42.5));
    expect(saved).toMatchObject({ mediaId: 'movie-1', titleId: 'movie-1', positionSeconds: 42.5, completed: false });
    expect(await alice.get('movie-1')).toEqual(saved);
    expect(await bob.get('movie-1')).toBeNull();
    expect(storage.map.has(localProgressKey('alice'))).toBe(true);
  });

  it('lists unfinished items, most recent first, and forgets removed ones', async () => {
    const backend = createLocalProgressBackend({ storage: memoryStorage(), userId: 'u', ...clock() });
    await backend.put(progressInput('a', 100));
    await backend.put(progressInput('b', 200));
    await backend.put(progressInput('done', 599));
    await backend.put(progressInput('a', 150));
    expect((await backend.continueWatching(10)).map((entry) => entry.mediaId)).toEqual(['a', 'b']);
    expect((await backend.continueWatching(1)).map((entry) => entry.mediaId)).toEqual(['a']);
    expect((await backend.get('done'))?.completed).toBe(true);
    await backend.remove('a');
    expect((await backend.continueWatching(10)).map((entry) => entry.mediaId)).toEqual(['b']);
  });

  it('keeps only the most recent entries', async () => {
    const backend = createLocalProgressBackend({ storage: memoryStorage(), userId: 'u', limit: 3, ...clock() });
    for (const id of ['1', '2', '3', '4', '5']) await backend.put(progressInput(id, 10));
    expect((await backend.continueWatching(10)).map((entry) => entry.mediaId)).toEqual(['5', '4', '3']);
  });

  it('survives corrupt or foreign data and a storage that refuses writes', async () => {
    const storage = memoryStorage();
    storage.setItem(localProgressKey('u'), '{not json');
    const backend = createLocalProgressBackend({ storage, userId: 'u' });
    expect(await backend.get('x')).toBeNull();
    storage.setItem(localProgressKey('u'), JSON.stringify({ x: { mediaId: 'x' }, y: 5, z: null }));
    expect(await backend.continueWatching(10)).toEqual([]);
    storage.setItem(localProgressKey('u'), '[1,2]');
    expect(await backend.get('x')).toBeNull();

    const full = {
      ...memoryStorage(),
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    const quota = createLocalProgressBackend({ storage: full, userId: 'u' });
    await expect(quota.put(progressInput('m', 10))).resolves.toMatchObject({ positionSeconds: 10 });
  });
});
