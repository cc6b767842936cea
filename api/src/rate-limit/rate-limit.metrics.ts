import { Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';

export type LimitScope = 'ip' | 'principal' | 'login';

/** Counters of the rate limits, on the API's /metrics registry. */
@Injectable()
export class RateLimitMetrics {
  private readonly rejected: Counter<'scope'> | undefined;
  private readonly storeFailures: Counter<'limiter'> | undefined;

  constructor(@Optional() metrics?: MetricsService) {
    if (!metrics) return;
    this.rejected = new Counter({
      name: 'aleflix_rate_limited_requests_total',
      help: 'Requests refused with 429 by a rate limit, by scope (ip, principal, login)',
      labelNames: ['scope'],
      registers: [metrics.registry],
    });
    this.storeFailures = new Counter({
      name: 'aleflix_rate_limit_store_failures_total',
      help: 'Rate-limit checks the shared store (Redis) could not answer: requests pass unlimited, sign-ins fall back to per-process counting',
      labelNames: ['limiter'],
      registers: [metrics.registry],
    });
  }

  recordRejected(scope: LimitScope): void {
    this.rejected?.inc({ scope });
  }

  recordStoreFailure(limiter: 'requests' | 'login'): void {
    this.storeFailures?.inc({ limiter });
  }
}
