import { LRUCache } from 'lru-cache';

/** Roughly 64 MiB of JSON text at most, however many entries are allowed. */
const MAX_CHARS = 32 * 1024 * 1024;

export interface NearHit {
  generation: string;
  value: string;
}

interface NearEntry {
  generation: number;
  value: string;
}

/**
 * The in-process copy of shared (Redis) cache entries, so a hot key costs no round trip.
 * It is only as good as the feed of invalidations that keeps it in step with the other
 * instances, so it trusts nothing across a gap in that feed:
 *
 * - an entry is served only while it belongs to the newest generation of its namespace
 *   seen here, from a read, a write or an invalidation message;
 * - while the feed is down (`suspend`) nothing is served or kept, and a value read before
 *   the feed came back (`ticket`) is never kept, since an invalidation may have been missed
 *   in between;
 * - entries expire when their shared copy does.
 *
 * The order that makes a write on another instance visible here at once is kept by the
 * store (see RedisCacheStore) and by `afterPendingIo`.
 */
export class NearCache {
  private readonly entries: LRUCache<string, NearEntry>;
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  private live = false;

  constructor(maxEntries: number) {
    this.entries = new LRUCache<string, NearEntry>({
      max: maxEntries,
      maxSize: MAX_CHARS,
      sizeCalculation: (entry, key) => entry.value.length + key.length,
    });
  }

  /** Whether entries are being served and kept (the feed is up). */
  get active(): boolean {
    return this.live;
  }

  /** Identifies the current stretch of an unbroken feed; -1 while it is down. */
  ticket(): number {
    return this.live ? this.epoch : -1;
  }

  /** The feed dropped: whatever happened meanwhile is unknown, so forget everything. */
  suspend(): void {
    this.epoch += 1;
    this.live = false;
    this.entries.clear();
    this.generations.clear();
  }

  /**
   * The feed is up again as of `ticket` (taken with `pendingTicket` before subscribing);
   * ignored when it dropped again meanwhile.
   */
  resume(ticket: number): void {
    if (ticket === this.epoch) this.live = true;
  }

  /** The epoch a subscription that is about to be made will resume. */
  pendingTicket(): number {
    return this.epoch;
  }

  /** `namespace` is at `generation` or later: older entries are never served again. */
  observe(namespace: string, generation: number): void {
    if (generation > (this.generations.get(namespace) ?? -1)) this.generations.set(namespace, generation);
  }

  /** Keeps a value read or written with `ticket` in hand, if nothing newer has been seen. */
  remember(ticket: number, namespace: string, key: string, generation: number, value: string, ttlMs: number): void {
    this.observe(namespace, generation);
    if (!this.live || ticket !== this.epoch || ttlMs <= 0) return;
    if (this.generations.get(namespace) !== generation) return;
    this.entries.set(entryKey(namespace, key), { generation, value }, { ttl: ttlMs });
  }

  lookup(namespace: string, key: string): NearHit | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(entryKey(namespace, key));
    if (!entry || entry.generation !== this.generations.get(namespace)) return undefined;
    return { generation: String(entry.generation), value: entry.value };
  }

  /** Entries held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}

function entryKey(namespace: string, key: string): string {
  return `${namespace}\u0000${key}`;
}

let pendingIo: Promise<void> | undefined;

/**
 * Resolves once the I/O that is ready in this turn of the event loop has been handled:
 * after the poll phase, in the check phase (setImmediate), shared by every caller of the
 * turn. A request is read in the poll phase; an invalidation message that reached this
 * process before that request did is handled in the same poll phase at the latest, though
 * perhaps after the request. Answering from the near cache only after this keeps that order.
 */
export function afterPendingIo(): Promise<void> {
  pendingIo ??= new Promise((resolve) =>
    setImmediate(() => {
      pendingIo = undefined;
      resolve();
    }),
  );
  return pendingIo;
}
