import { describe, expect, it } from 'vitest';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { CacheService } from './cache.service.js';
import type { CacheRead, ReleaseLease } from './cache.store.js';
import { MemoryCacheStore } from './memory-cache.store.js';

/** An in-process store that can be switched "down", as Redis behind an open circuit is. */
class FlakyStore extends MemoryCacheStore {
  down = false;

  constructor() {
    super(new Clock());
  }

  override read(namespace: string, key: string): Promise<CacheRead> {
    return this.guard(() => super.read(namespace, key));
  }
  override write(namespace: string, generation: string, key: string, value: string, ttlMs: number): Promise<void> {
    return this.guard(() => super.write(namespace, generation, key, value, ttlMs));
  }
  override invalidate(namespace: string): Promise<void> {
    return this.guard(() => super.invalidate(namespace));
  }
  override lease(ns: string, generation: string, key: string, ttlMs: number): Promise<ReleaseLease | undefined> {
    return this.guard(() => super.lease(ns, generation, key, ttlMs));
  }

  private guard<T>(work: () => Promise<T>): Promise<T> {
    return this.down ? Promise.reject(new Error('Circuit open')) : work();
  }
}

function setup(ttlSeconds = 30) {
  const store = new FlakyStore();
  const cache = new CacheService(store, { env: { CACHE_TTL_SECONDS: ttlSeconds } } as unknown as AppConfig);
  const db = { value: 'v1', loads: 0 };
  const load = async () => {
    db.loads += 1;
    return { value: db.value };
  };
  return { store, cache, db, load };
}

describe('CacheService', () => {
  it('answers from the loader, without an error, while the store is down', async () => {
    const { store, cache, db, load } = setup();
    store.down = true;
    expect(await cache.wrap('catalog', 'k', load)).toEqual({ value: 'v1' });
    expect(await cache.wrap('catalog', 'k', load)).toEqual({ value: 'v1' });
    expect(db.loads).toBe(2);
  });

  it('keeps single flight while bypassing the store', async () => {
    const { store, cache, db } = setup();
    store.down = true;
    const slow = async () => {
      db.loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { value: db.value };
    };
    await Promise.all(Array.from({ length: 10 }, () => cache.wrap('catalog', 'k', slow)));
    expect(db.loads).toBe(1);
  });

  it('replays an invalidation the store missed before using the store again', async () => {
    const { store, cache, db, load } = setup();
    await cache.wrap('catalog', 'k', load);
    store.down = true;
    db.value = 'v2';
    await cache.invalidate('catalog'); // cannot reach the store: kept
    store.down = false;
    // Without the replay, the entry cached before the write would be served here.
    expect(await cache.wrap('catalog', 'k', load)).toEqual({ value: 'v2' });
  });

  it('does not store what a load read before an invalidation that landed while it ran', async () => {
    const { cache, db } = setup();
    let release!: () => void;
    const racing = cache.wrap('catalog', 'k', async () => {
      const read = db.value;
      await new Promise<void>((resolve) => (release = resolve));
      return { value: read };
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    db.value = 'v2';
    await cache.invalidate('catalog');
    // A request after the write does not join the load that started before it.
    const after = cache.wrap('catalog', 'k', async () => ({ value: db.value }));
    release();
    expect(await racing).toEqual({ value: 'v1' });
    expect(await after).toEqual({ value: 'v2' });
    expect(await cache.wrap('catalog', 'k', async () => ({ value: 'never loaded' }))).toEqual({ value: 'v2' });
  });

  it('stores only what `when` accepts, and never a failed load', async () => {
    const { cache } = setup();
    let loads = 0;
    const processing = async () => ({ status: 'processing', n: ++loads });
    await cache.wrap('playback', 'a', processing, { when: (asset) => asset.status === 'ready' });
    await cache.wrap('playback', 'a', processing, { when: (asset) => asset.status === 'ready' });
    expect(loads).toBe(2);
    await expect(cache.wrap('playback', 'b', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.wrap('playback', 'b', async () => 'loaded')).toBe('loaded');
  });

  it('is off with CACHE_TTL_SECONDS=0', async () => {
    const { cache, db, load } = setup(0);
    await cache.wrap('catalog', 'k', load);
    await cache.wrap('catalog', 'k', load);
    expect(db.loads).toBe(2);
  });
});
