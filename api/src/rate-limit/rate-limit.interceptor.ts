import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import { AppConfig } from '../config/app-config.js';
import { ipDecisionOf } from './rate-limit.hooks.js';
import { rateLimitedError, rateLimitHeaders, RateLimitService, tighter } from './rate-limit.service.js';

/**
 * The per-principal limit (a user's tokens share one budget; each API key has its own). It
 * runs after the auth guard has resolved the principal and before the body is validated
 * or the handler runs. The RateLimit-* headers report whichever limit is closer to refusing.
 */
@Injectable()
export class PrincipalRateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly limits: RateLimitService,
    private readonly config: AppConfig,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (!principal) return next.handle();
    const id = principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
    const decision = await this.limits.consume('principal', id, this.config.env.RATE_LIMIT_PER_MINUTE);
    if (!decision) return next.handle();
    if (!decision.allowed) throw rateLimitedError(decision, 'for this account or API key');
    const reported = tighter(decision, ipDecisionOf(request));
    if (reported) void context.switchToHttp().getResponse<FastifyReply>().headers(rateLimitHeaders(reported));
    return next.handle();
  }
}
