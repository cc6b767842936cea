import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { AppConfig } from '../config/app-config.js';
import { ipDecisionOf } from './rate-limit.hooks.js';
import { rateLimitedError, rateLimitHeaders, RateLimitService, tighter } from './rate-limit.service.js';

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

  /** Counts the request; throws the 429 problem when over the limit. */
  async check(principal: Principal, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
    const decision = await this.limits.consume('principal', id, this.config.env.RATE_LIMIT_PER_MINUTE);
    if (!decision) return;
    if (!decision.allowed) throw rateLimitedError(decision, 'for this account or API key');
    const reported = tighter(decision, ipDecisionOf(request));
    if (reported) void reply.headers(rateLimitHeaders(reported));
  }
}
