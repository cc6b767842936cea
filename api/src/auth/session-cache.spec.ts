import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { UserEntity } from '../users/user.entity.js';
import { SessionCache } from './session-cache.js';
import { SessionEntity } from './session.entity.js';
import type { SessionWithUser } from './sessions.repository.js';

function cacheWithTtl(ttlMs: number): SessionCache {
  return new SessionCache({ env: { AUTH_CACHE_TTL_MS: ttlMs } } as unknown as AppConfig);
}

function record(role: UserEntity['role']): SessionWithUser {
  const user = Object.assign(new UserEntity(), { id: 'u1', role, disabledAt: null });
  const session = Object.assign(new SessionEntity(), { id: 's1', userId: 'u1', revokedAt: null });
  return { session, user };
}

/** A loader that answers what the "database" holds now and counts its calls. */
function database(initial: SessionWithUser | null) {
  const state = { row: initial, loads: 0 };
  const load = async () => {
    state.loads += 1;
    return state.row;
  };
  return { state, load };
}

describe('SessionCache', () => {
  it('reads the database once for repeated lookups of one session', async () => {
    const cache = cacheWithTtl(5_000);
    const db = database(record('editor'));
    await cache.get('s1', db.load);
    const again = await cache.get('s1', db.load);
    expect(again?.user.role).toBe('editor');
    expect(db.state.loads).toBe(1);
  });

  it('reads the database again after invalidate, and sees the change', async () => {
    const cache = cacheWithTtl(5_000);
    const db = database(record('editor'));
    await cache.get('s1', db.load);
    db.state.row = record('viewer');
    cache.invalidate();
    expect((await cache.get('s1', db.load))?.user.role).toBe('viewer');
    expect(db.state.loads).toBe(2);
  });

  it('does not keep what a lookup read while a write invalidated the cache', async () => {
    const cache = cacheWithTtl(5_000);
    const db = database(record('editor'));
    let releaseLoad!: () => void;
    const slowLoad = async () => {
      const row = db.state.row;
      await new Promise<void>((resolve) => (releaseLoad = resolve));
      return row;
    };
    const inFlight = cache.get('s1', slowLoad);
    // The write lands while the read is still on its way with the old row.
    db.state.row = record('viewer');
    cache.invalidate();
    releaseLoad();
    expect((await inFlight)?.user.role).toBe('editor');
    expect((await cache.get('s1', db.load))?.user.role).toBe('viewer');
  });

  it('never remembers a missing session', async () => {
    const cache = cacheWithTtl(5_000);
    const db = database(null);
    await cache.get('s1', db.load);
    await cache.get('s1', db.load);
    expect(db.state.loads).toBe(2);
  });

  it('is off with a TTL of 0: every lookup reads the database', async () => {
    const cache = cacheWithTtl(0);
    const db = database(record('admin'));
    await cache.get('s1', db.load);
    await cache.get('s1', db.load);
    expect(db.state.loads).toBe(2);
  });

  it('tells invalidation listeners of every invalidate, with the cache off too, until they unsubscribe', async () => {
    for (const ttl of [5_000, 0]) {
      const cache = cacheWithTtl(ttl);
      const heard: string[] = [];
      const stop = cache.onInvalidated(() => heard.push('first'));
      cache.onInvalidated(() => {
        throw new Error('a broken listener');
      });
      cache.onInvalidated(() => heard.push('last'));
      await cache.invalidate();
      expect(heard).toEqual(['first', 'last']);
      stop();
      await cache.invalidate();
      expect(heard).toEqual(['first', 'last', 'last']);
    }
  });
});
