import { LRUCache } from 'lru-cache';
import type { Clock } from '../common/clock.js';
import { CacheStore, type CacheRead, type ReleaseLease } from './cache.store.js';

const MAX_ENTRIES = 5_000;
/** Roughly 64 MiB of JSON text. */
const MAX_CHARS = 32 * 1024 * 1024;

/**
 * The cache of the embedded defaults: an LRU in this process, bounded by entries and size,
 * with TTLs measured by the injected clock. Nothing is shared with other processes, so with
 * several API instances use Redis.
 */
export class MemoryCacheStore extends CacheStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, string>;
  private readonly generations = new Map<string, number>();
  private readonly leases = new Map<string, number>();

  constructor(private readonly clock: Clock) {
    super();
    this.entries = new LRUCache<string, string>({
      max: MAX_ENTRIES,
      maxSize: MAX_CHARS,
      sizeCalculation: (value, key) => value.length + key.length,
      // Expiry follows the injected clock, read on every check.
      perf: { now: () => this.clock.now().getTime() },
      ttlResolution: 0,
    });
  }

  async read(namespace: string, key: string): Promise<CacheRead> {
    const generation = this.generation(namespace);
    return { generation, value: this.entries.get(entryKey(namespace, generation, key)) };
  }

  async write(namespace: string, generation: string, key: string, value: string, ttlMs: number): Promise<void> {
    // Unlike Redis, nothing could ever read an older generation here: do not spend memory on it.
    if (generation !== this.generation(namespace)) return;
    this.entries.set(entryKey(namespace, generation, key), value, { ttl: Math.max(1, ttlMs) });
  }

  async invalidate(namespace: string): Promise<void> {
    this.generations.set(namespace, (this.generations.get(namespace) ?? 0) + 1);
  }

  async lease(namespace: string, generation: string, key: string, ttlMs: number): Promise<ReleaseLease | undefined> {
    const now = this.clock.now().getTime();
    const name = entryKey(namespace, generation, key);
    const held = this.leases.get(name);
    if (held !== undefined && held > now) return undefined;
    const expiresAt = now + ttlMs;
    this.leases.set(name, expiresAt);
    return async () => {
      if (this.leases.get(name) === expiresAt) this.leases.delete(name);
    };
  }

  private generation(namespace: string): string {
    return String(this.generations.get(namespace) ?? 0);
  }
}

function entryKey(namespace: string, generation: string, key: string): string {
  return `${namespace}:${generation}:${key}`;
}
