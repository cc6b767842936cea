import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { RateLimitMetrics, type LimitScope } from './rate-limit.metrics.js';
import { RateLimitStore, type MaybePromise, type WindowCount } from './rate-limit.store.js';

const MINUTE_MS = 60_000;
/** At most one "store unavailable" log line per this long: an outage must not flood the logs. */
const LOG_EVERY_MS = 30_000;

/** A counted request: what the RateLimit-* headers report. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window ends. */
  resetSeconds: number;
  windowSeconds: number;
}

/**
 * Per-minute request limits (fixed windows) per client IP and per principal. When the store
 * cannot answer (Redis down), requests pass unlimited: refusing everyone because a counter
 * is unavailable would turn a cache outage into a full one. The failure is logged and counted.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger('RateLimit');
  private lastFailureLog = 0;

  constructor(
    private readonly store: RateLimitStore,
    private readonly metrics: RateLimitMetrics,
  ) {}

  /**
   * Counts one request of `id` against `perMinute`; undefined when unlimited (0) or the store
   * failed. Synchronous when the store answers synchronously, as it mostly does under load.
   */
  consume(scope: LimitScope, id: string, perMinute: number): MaybePromise<RateLimitDecision | undefined> {
    if (perMinute <= 0) return undefined;
    let counted: MaybePromise<WindowCount>;
    try {
      counted = this.store.hit(`${scope}:${id}`, MINUTE_MS, perMinute);
    } catch (error) {
      return this.storeFailed(error);
    }
    if (counted instanceof Promise) {
      return counted.then(
        (count) => this.decide(scope, perMinute, count),
        (error: unknown) => this.storeFailed(error),
      );
    }
    return this.decide(scope, perMinute, counted);
  }

  private decide(scope: LimitScope, perMinute: number, { count, resetInMs }: WindowCount): RateLimitDecision {
    const allowed = count <= perMinute;
    if (!allowed) this.metrics.recordRejected(scope);
    return {
      allowed,
      limit: perMinute,
      remaining: Math.max(0, perMinute - count),
      resetSeconds: Math.max(1, Math.ceil(resetInMs / 1000)),
      windowSeconds: MINUTE_MS / 1000,
    };
  }

  private storeFailed(error: unknown): undefined {
    this.metrics.recordStoreFailure('requests');
    const now = performance.now();
    if (now - this.lastFailureLog > LOG_EVERY_MS) {
      this.lastFailureLog = now;
      this.logger.warn(
        `Rate limits not enforced, the store is unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return undefined;
  }
}

/** The IETF draft headers (RateLimit-Limit/-Remaining/-Reset, RateLimit-Policy) for a decision. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
    'ratelimit-policy': `${decision.limit};w=${decision.windowSeconds}`,
  };
}

/** The 429 problem for a refused decision, with Retry-After and the RateLimit-* headers. */
export function rateLimitedError(decision: RateLimitDecision, what: string): ApiError {
  return new ApiError('rate_limited', `Too many requests ${what}; try again in ${decision.resetSeconds} s`, {
    headers: { ...rateLimitHeaders(decision), 'retry-after': String(decision.resetSeconds) },
  });
}

/** Of two decisions, the one closer to its limit: the headers report what will refuse first. */
export function tighter(
  a: RateLimitDecision | undefined,
  b: RateLimitDecision | undefined,
): RateLimitDecision | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b;
  return a.resetSeconds >= b.resetSeconds ? a : b;
}
