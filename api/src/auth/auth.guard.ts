import { Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { roleAtLeast, type Role } from '../common/roles.js';
import { PUBLIC_KEY, ROLE_KEY, type AuthenticatedRequest } from './auth.decorators.js';
import { currentRequestContext } from '../observability/request-context.js';
import { PrincipalRateLimiter } from '../rate-limit/principal-rate-limiter.js';
import { Authenticator } from './authenticator.service.js';

/** Global guard: every route needs credentials unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Optional() private readonly rateLimiter?: PrincipalRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const apiKey = request.headers['x-api-key'];
    const principal = await this.authenticator.authenticate(
      request.headers.authorization,
      Array.isArray(apiKey) ? apiKey[0] : apiKey,
    );
    if (!principal)
      throw new ApiError('authentication_required', 'Send "Authorization: Bearer <token>" or "X-API-Key"');
    request.principal = principal;
    const requestContext = currentRequestContext();
    if (requestContext) requestContext.principal = principal;
    const required = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
    if (required && !roleAtLeast(principal.role, required)) {
      throw new ApiError('forbidden', `Requires the ${required} role; you are ${principal.role}`);
    }
    // Counted once the caller is known and allowed here; public routes only meet the per-IP limit.
    const counting = this.rateLimiter?.check(principal, request, context.switchToHttp().getResponse<FastifyReply>());
    if (counting) await counting;
    return true;
  }
}
