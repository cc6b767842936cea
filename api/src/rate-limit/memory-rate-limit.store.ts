import type { Clock } from '../common/clock.js';
import { RateLimitStore, type MaybePromise, type WindowCount } from './rate-limit.store.js';

interface Window {
  count: number;
  resetAt: number;
}

/** Past this many open windows, expired ones are swept (a flood of distinct IPs cannot grow it forever). */
const SWEEP_ABOVE = 100_000;

/** Fixed windows in this process's memory, timed by the injected clock. */
export class MemoryRateLimitStore extends RateLimitStore {
  readonly kind = 'memory';
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {
    super();
  }

  hit(key: string, windowMs: number): MaybePromise<WindowCount> {
    const now = this.clock.now().getTime();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
      if (this.windows.size > SWEEP_ABOVE) this.sweep(now);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async peek(key: string): Promise<WindowCount> {
    const now = this.clock.now().getTime();
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now) return { count: 0, resetInMs: 0 };
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
