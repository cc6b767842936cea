/** A counter's state: hits in the open window and the time until that window ends. */
export interface WindowCount {
  count: number;
  /** 0 when no window is open. */
  resetInMs: number;
}

/** A value now, or later: the hot paths skip a promise and a microtask turn when they can. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Fixed-window counters, the storage of every rate limit. A key's window opens with its
 * first hit and lasts `windowMs`; the store, not the API's clock, decides when it ends, so
 * API instances with skewed clocks agree. An abstract class so it is also the injection
 * token. Adapters: in-process (embedded defaults) and Redis (shared by every instance).
 */
export abstract class RateLimitStore {
  abstract readonly kind: 'memory' | 'redis';

  /**
   * Counts one hit on `key`, opening a window of `windowMs` when none is open. `limit`, when
   * given, is the limit the count will be held against: an adapter may then take counts
   * ahead for a busy key (see RedisRateLimitStore), never handing out a count twice.
   * Answers synchronously when the count is known in this process (the in-process store
   * always; Redis from counts taken ahead).
   */
  abstract hit(key: string, windowMs: number, limit?: number): MaybePromise<WindowCount>;

  /** The current count without adding to it. */
  abstract peek(key: string): Promise<WindowCount>;

  /** Closes `key`'s window: the next hit starts from zero. */
  abstract reset(key: string): Promise<void>;
}
