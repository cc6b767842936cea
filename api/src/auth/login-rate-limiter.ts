import { Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { MemoryRateLimitStore } from '../rate-limit/memory-rate-limit.store.js';
import { RateLimitMetrics } from '../rate-limit/rate-limit.metrics.js';
import { RateLimitStore, type MaybePromise, type WindowCount } from '../rate-limit/rate-limit.store.js';

/** At most one "store unavailable" line per this long. */
const LOG_EVERY_MS = 30_000;

/**
 * Counts failed sign-ins per client IP and per account in fixed windows of
 * LOGIN_WINDOW_SECONDS (opened by the first failure); over a limit, a sign-in is refused with
 * 429 before the password is even checked. The counters live in the rate-limit store: Redis
 * when configured, so every API instance counts together. When that store cannot answer, this
 * limiter counts in its own process instead of letting password guessing through unlimited.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly logger = new Logger('LoginRateLimiter');
  private readonly local: MemoryRateLimitStore;
  private readonly store: RateLimitStore;
  private lastFailureLog = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() store?: RateLimitStore,
    @Optional() private readonly metrics?: RateLimitMetrics,
  ) {
    this.local = new MemoryRateLimitStore(clock);
    this.store = store ?? this.local;
  }

  /** Throws rate_limited when either the IP or the account is over its limit. */
  async check(ip: string, email: string): Promise<void> {
    const checks: Array<[string, number]> = [
      [ipKey(ip), this.config.env.LOGIN_MAX_PER_IP],
      [accountKey(email), this.config.env.LOGIN_MAX_PER_ACCOUNT],
    ];
    for (const [key, limit] of checks) {
      const window = await this.counted((store) => store.peek(key));
      if (window.count >= limit) {
        this.metrics?.recordRejected('login');
        const retryAfter = Math.max(1, Math.ceil(window.resetInMs / 1000));
        throw new ApiError('rate_limited', `Too many failed sign-in attempts; try again in ${retryAfter} s`, {
          headers: { 'retry-after': String(retryAfter) },
        });
      }
    }
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const windowMs = this.config.env.LOGIN_WINDOW_SECONDS * 1000;
    await this.counted((store) => store.hit(ipKey(ip), windowMs));
    await this.counted((store) => store.hit(accountKey(email), windowMs));
  }

  /** A successful sign-in clears the account's counter (not the IP's). */
  async recordSuccess(email: string): Promise<void> {
    await this.counted(async (store) => {
      await store.reset(accountKey(email));
      return { count: 0, resetInMs: 0 };
    });
  }

  /** Runs `work` on the shared store, or on this process's counters when the shared one fails. */
  private async counted(work: (store: RateLimitStore) => MaybePromise<WindowCount>): Promise<WindowCount> {
    if (this.store === this.local) return work(this.local);
    try {
      return await work(this.store);
    } catch (error) {
      this.metrics?.recordStoreFailure('login');
      const now = this.clock.now().getTime();
      if (now - this.lastFailureLog > LOG_EVERY_MS) {
        this.lastFailureLog = now;
        this.logger.warn(
          `Sign-in limits counted per process, the shared store is unavailable: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return work(this.local);
    }
  }
}

function ipKey(ip: string): string {
  return `login:ip:${ip}`;
}

function accountKey(email: string): string {
  return `login:account:${email.toLowerCase()}`;
}
