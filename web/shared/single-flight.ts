// Refresh tokens are single-use: the API revokes the whole session when one is presented
// twice. Two requests of the same browser can carry the same refresh cookie at once (a page
// load racing a prefetch, two tabs), so every exchange of a refresh token in this server goes
// through one shared cache: the first caller does the exchange, and callers presenting the
// same token within `ttlMs` get the same new pair instead of a second exchange.

export interface SingleFlight<T> {
  run(key: string, work: () => Promise<T>): Promise<T>;
  readonly size: number;
}

export function createSingleFlight<T>(options: {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}): SingleFlight<T> {
  const { ttlMs, maxEntries = 10_000 } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { promise: Promise<T>; expires: number }>();

  const prune = (at: number) => {
    for (const [key, entry] of entries) if (entry.expires <= at) entries.delete(key);
    // Still full (a flood of distinct tokens): drop the oldest; Maps iterate in insertion order.
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
  };

  return {
    run(key, work) {
      const at = now();
      const hit = entries.get(key);
      if (hit && hit.expires > at) return hit.promise;
      prune(at);
      const promise = work();
      entries.set(key, { promise, expires: at + ttlMs });
      // A failed exchange is not remembered: the caller sees the error, a retry asks again.
      promise.catch(() => {
        if (entries.get(key)?.promise === promise) entries.delete(key);
      });
      return promise;
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * One instance per server process. Nitro and the Vue server bundle are bundled separately,
 * so a module-level variable would exist twice; globalThis is shared by both.
 */
export function processSingleFlight<T>(name: string, ttlMs: number): SingleFlight<T> {
  const registry = ((
    globalThis as { __aleflixSingleFlights?: Map<string, SingleFlight<unknown>> }
  ).__aleflixSingleFlights ??= new Map());
  let flight = registry.get(name) as SingleFlight<T> | undefined;
  if (!flight) {
    flight = createSingleFlight<T>({ ttlMs });
    registry.set(name, flight as SingleFlight<unknown>);
  }
  return flight;
}
