import { Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { CacheStore, type ReleaseLease } from './cache.store.js';

/**
 * Namespaces of cached data, each invalidated as a whole. `catalog`: title lists and title
 * pages. `playback`: what GET /media/stream and the HLS file route read about assets (which
 * also depends on titles and episodes, so catalog writes invalidate it too).
 */
export type CacheNamespace = 'catalog' | 'playback';

export interface WrapOptions<T> {
  /** Whether a loaded value may be stored (e.g. only ready assets); default: always. */
  when?: (value: T) => boolean;
  /** How a value is stored as text and read back; default: JSON.stringify / JSON.parse. */
  codec?: CacheCodec<T>;
}

export interface CacheCodec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

const JSON_CODEC: CacheCodec<unknown> = {
  encode: (value) => JSON.stringify(value),
  decode: (text) => JSON.parse(text),
};

/** How long another instance's computation of a key may hold it; a crashed holder frees it by then. */
const LEASE_MS = 2_000;
/** How long to wait for the instance holding the lease before computing the value here too. */
const LEASE_WAIT_MS = 500;
const LEASE_POLL_MS = 20;
const PENDING_RETRY_MS = 1_000;

/**
 * Read-through caching of JSON values: `wrap(namespace, key, loader)` answers from the cache
 * or runs `loader` once for all concurrent misses of a key (in this process; across
 * instances a short lease in the store lets one compute while the others wait briefly).
 *
 * The store failing (Redis down, its circuit open) never reaches callers: they get the
 * loader's answer straight from the database. An invalidation that cannot reach the store is
 * kept and replayed before the store is used again, so no entry written before it is served.
 * Values must be plain JSON data (hits are parsed from text) unless a codec says otherwise.
 */
@Injectable()
export class CacheService implements OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  private readonly ttlMs: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Bumped by every invalidation here, so a flight that began before one is not joined after it. */
  private readonly localEpochs = new Map<CacheNamespace, number>();
  private readonly pending = new Set<CacheNamespace>();
  private pendingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: CacheStore,
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.ttlMs = config.env.CACHE_TTL_SECONDS * 1000;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  async wrap<T>(
    namespace: CacheNamespace,
    key: string,
    loader: () => Promise<T>,
    options: WrapOptions<T> = {},
  ): Promise<T> {
    if (!this.enabled) return loader();
    const codec = (options.codec ?? JSON_CODEC) as CacheCodec<T>;
    let generation: string;
    try {
      if (this.pending.size > 0) await this.flushPending();
      const found = await this.store.read(namespace, key);
      if (found.value !== undefined) {
        this.metrics?.recordCacheLookup(namespace, true);
        return codec.decode(found.value);
      }
      generation = found.generation;
    } catch (error) {
      this.logger.debug(`Cache bypassed for ${namespace}: ${describe(error)}`);
      this.metrics?.recordCacheLookup(namespace, false);
      return this.once(`bypass:${namespace}:${this.localEpoch(namespace)}:${key}`, loader);
    }
    this.metrics?.recordCacheLookup(namespace, false);
    // Keyed by the generation read: a request that arrives after an invalidation never joins
    // a load that may have read the database before the write.
    return this.once(`${namespace}:${generation}:${key}`, () =>
      this.load(namespace, generation, key, loader, codec, options.when),
    );
  }

  /**
   * Call after a write that changes what the namespaces serve has committed. Never throws:
   * when the store is unreachable the invalidation is retried before the store is used again.
   */
  async invalidate(...namespaces: CacheNamespace[]): Promise<void> {
    if (!this.enabled) return;
    for (const namespace of namespaces) {
      this.localEpochs.set(namespace, this.localEpoch(namespace) + 1);
      this.pending.add(namespace);
    }
    try {
      await this.flushPending();
    } catch (error) {
      this.logger.warn(`Cache invalidation of ${namespaces.join(', ')} deferred: ${describe(error)}`);
      this.retryPendingLater();
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.pendingTimer);
  }

  private async load<T>(
    namespace: CacheNamespace,
    generation: string,
    key: string,
    loader: () => Promise<T>,
    codec: CacheCodec<T>,
    when: ((value: T) => boolean) | undefined,
  ): Promise<T> {
    let release: ReleaseLease | undefined;
    try {
      release = await this.store.lease(namespace, generation, key, LEASE_MS);
    } catch {
      release = undefined;
    }
    try {
      if (!release) {
        const computedElsewhere = await this.waitForHolder(namespace, generation, key, codec);
        if (computedElsewhere.found) return computedElsewhere.value;
      }
      const value = await loader();
      if (value !== undefined && (!when || when(value))) {
        await this.store
          .write(namespace, generation, key, codec.encode(value), this.ttlMs)
          .catch((error: unknown) => this.logger.debug(`Cache write skipped: ${describe(error)}`));
      }
      return value;
    } finally {
      await release?.().catch(() => undefined);
    }
  }

  /** Polls, briefly, for the value another instance holds the lease to compute. */
  private async waitForHolder<T>(
    namespace: CacheNamespace,
    generation: string,
    key: string,
    codec: CacheCodec<T>,
  ): Promise<{ found: true; value: T } | { found: false }> {
    const deadline = performance.now() + LEASE_WAIT_MS;
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
      try {
        const read = await this.store.read(namespace, key);
        if (read.generation !== generation) break;
        if (read.value !== undefined) return { found: true, value: codec.decode(read.value) };
      } catch {
        break;
      }
    }
    return { found: false };
  }

  /** Single flight: concurrent callers with the same key share one run of `work`. */
  private once<T>(flightKey: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(flightKey);
    if (running) return running as Promise<T>;
    const started = work().finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, started);
    return started;
  }

  private async flushPending(): Promise<void> {
    for (const namespace of [...this.pending]) {
      await this.store.invalidate(namespace);
      this.pending.delete(namespace);
    }
  }

  /** Replays deferred invalidations soon even without traffic, so other instances see them too. */
  private retryPendingLater(): void {
    if (this.pendingTimer) return;
    this.pendingTimer = setTimeout(() => {
      this.pendingTimer = undefined;
      this.flushPending().catch(() => this.retryPendingLater());
    }, PENDING_RETRY_MS);
    this.pendingTimer.unref();
  }

  private localEpoch(namespace: CacheNamespace): number {
    return this.localEpochs.get(namespace) ?? 0;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
