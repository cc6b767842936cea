import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { AppConfig } from '../config/app-config.js';
import { ipDecisionOf } from './rate-limit.hooks.js';
import {
  rateLimitedError,
  rateLimitHeaders,
  RateLimitService,
  tighter,
  type RateLimitDecision,
} from './rate-limit.service.js';

/**
 * The per-principal limit (a user's tokens share one budget; each API key has its own).
 * The auth guard calls it once the principal is known and allowed on the route, so it runs
 * before the body is validated or the handler runs. The RateLimit-* headers report
 * whichever limit is closer to refusing. A guard step rather than a Nest interceptor: a
 * global interceptor wraps every handler in an RxJS pipeline, a cost each request paid.
 */
@Injectable()
export class PrincipalRateLimiter {
  constructor(
    private readonly limits: RateLimitService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Counts the request; throws (or rejects with) the 429 problem when over the limit. Returns
   * a promise only when the count had to be fetched.
   */
  check(principal: Principal, request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
    const id = principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
    const decided = this.limits.consume('principal', id, this.config.env.RATE_LIMIT_PER_MINUTE);
    if (decided instanceof Promise) return decided.then((decision) => this.apply(decision, request, reply));
    this.apply(decided, request, reply);
    return undefined;
  }

  private apply(decision: RateLimitDecision | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!decision) return;
    if (!decision.allowed) throw rateLimitedError(decision, 'for this account or API key');
    const ip = ipDecisionOf(request);
    // The IP hook already reported its own decision; replace it only with a tighter one.
    if (ip && tighter(decision, ip) === ip) return;
    void reply.headers(rateLimitHeaders(decision));
  }
}
