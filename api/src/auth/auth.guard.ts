import { Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../common/api-error.js';
import { roleAtLeast, type Role } from '../common/roles.js';
import { PUBLIC_KEY, ROLE_KEY, type AuthenticatedRequest } from './auth.decorators.js';
import { currentRequestContext } from '../observability/request-context.js';
import { PrincipalRateLimiter } from '../rate-limit/principal-rate-limiter.js';
import { Authenticator } from './authenticator.service.js';

/** What a route asks of its callers, from its decorators. */
interface RouteAccess {
  isPublic: boolean;
  required: Role | undefined;
}

/** Global guard: every route needs credentials unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  /**
   * Per controller class and handler: decorators never change at runtime, and reading
   * their metadata on every request cost more than a lookup.
   */
  private readonly access = new WeakMap<object, WeakMap<object, RouteAccess>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Optional() private readonly rateLimiter?: PrincipalRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, required } = this.routeAccess(context);
    if (isPublic) return true;
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
    if (required && !roleAtLeast(principal.role, required)) {
      throw new ApiError('forbidden', `Requires the ${required} role; you are ${principal.role}`);
    }
    // Counted once the caller is known and allowed here; public routes only meet the per-IP limit.
    const counting = this.rateLimiter?.check(principal, request, context.switchToHttp().getResponse<FastifyReply>());
    if (counting) await counting;
    return true;
  }

  private routeAccess(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.access.get(controller);
    if (!handlers) {
      handlers = new WeakMap();
      this.access.set(controller, handlers);
    }
    let access = handlers.get(handler);
    if (!access) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ?? false,
        required: this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets),
      };
      handlers.set(handler, access);
    }
    return access;
  }
}
