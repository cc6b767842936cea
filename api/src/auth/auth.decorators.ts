import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../common/roles.js';
import type { Principal } from './principal.js';

export const PUBLIC_KEY = 'aleflix:public';
export const ROLE_KEY = 'aleflix:role';

/** The route needs no credentials. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The caller's role must be at least `role`. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(ROLE_KEY, role);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Injects the authenticated Principal (the guard guarantees one on non-public routes). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
