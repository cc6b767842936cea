/** What a read found: the namespace's current generation and, on a hit, the stored text. */
export interface CacheRead {
  generation: string;
  value: string | undefined;
}

/** Gives back an exclusive lease early; leases also expire on their own. */
export type ReleaseLease = () => Promise<void>;

/**
 * The cache port: text values under keys grouped in namespaces. Invalidation is by
 * namespace generation: `invalidate` moves a namespace to a new generation, and entries are
 * stored and looked up under the generation they were read with, so everything cached
 * before is unreachable at once and expires by its TTL. An abstract class so it is also the
 * injection token. Adapters: in-process LRU (embedded defaults) and Redis.
 */
export abstract class CacheStore {
  abstract readonly kind: 'memory' | 'redis';

  /** The value of `key` in the current generation of `namespace`, with that generation. */
  abstract read(namespace: string, key: string): Promise<CacheRead>;

  /**
   * Stores `value` for `ttlMs` under `generation`, the one `read` returned before the value
   * was computed. When the namespace moved on meanwhile, the entry is written where no read
   * looks: a load that raced a write never serves what it read before that write.
   */
  abstract write(namespace: string, generation: string, key: string, value: string, ttlMs: number): Promise<void>;

  /** Starts a new generation of `namespace`: every entry stored before becomes unreachable. */
  abstract invalidate(namespace: string): Promise<void>;

  /**
   * Tries to take the exclusive right to compute `key` of `generation` for `ttlMs` (single
   * flight across processes sharing the store). Undefined when someone else holds it.
   */
  abstract lease(namespace: string, generation: string, key: string, ttlMs: number): Promise<ReleaseLease | undefined>;
}
