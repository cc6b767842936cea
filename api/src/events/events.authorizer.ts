import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { API_KEY_PREFIX } from '../auth/api-keys.service.js';
import { Authenticator } from '../auth/authenticator.service.js';
import type { Principal } from '../auth/principal.js';
import { ApiError } from '../common/api-error.js';
import { roleAtLeast, type Role } from '../common/roles.js';
import { issuesToFieldErrors } from '../common/validation.pipe.js';
import { EventsQuerySchema, type EventsFilter } from './events.dto.js';

/** Who may subscribe: the roles that may read /assets and /jobs. */
export const EVENTS_ROLE: Role = 'editor';

/**
 * The checks Nest's guard and validation pipe make for HTTP routes, for the WebSocket
 * upgrade (which Fastify routes outside Nest): credentials, role, then the filter.
 */
@Injectable()
export class EventsAuthorizer {
  private authenticator: Authenticator | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  async authorize(request: FastifyRequest): Promise<{ principal: Principal; filter: EventsFilter }> {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const principal = await this.authenticate(
      request,
      typeof raw.access_token === 'string' ? raw.access_token : undefined,
    );
    if (!roleAtLeast(principal.role, EVENTS_ROLE)) {
      throw new ApiError('forbidden', `Requires the ${EVENTS_ROLE} role; you are ${principal.role}`);
    }
    const query = EventsQuerySchema.safeParse(raw);
    if (!query.success) {
      const errors = issuesToFieldErrors(query.error.issues);
      throw new ApiError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
    }
    const { assetId, jobId } = query.data;
    return { principal, filter: { ...(assetId ? { assetId } : {}), ...(jobId ? { jobId } : {}) } };
  }

  private async authenticate(request: FastifyRequest, accessToken: string | undefined): Promise<Principal> {
    const apiKey = request.headers['x-api-key'];
    let authorization = request.headers.authorization;
    if (!authorization && !apiKey && accessToken) {
      // A leaked URL must not hand out a credential that lives for months.
      if (accessToken.startsWith(API_KEY_PREFIX)) {
        throw new ApiError('token_invalid', 'Send API keys in a header; access_token takes access tokens only');
      }
      authorization = `Bearer ${accessToken}`;
    }
    const principal = await this.resolveAuthenticator().authenticate(
      authorization,
      Array.isArray(apiKey) ? apiKey[0] : apiKey,
    );
    if (!principal) {
      throw new ApiError(
        'authentication_required',
        'Send "Authorization: Bearer <token>" or "X-API-Key", or (browsers) ?access_token=<access token>',
      );
    }
    return principal;
  }

  /** The identity module keeps its Authenticator to itself; reuse that very instance. */
  private resolveAuthenticator(): Authenticator {
    this.authenticator ??= this.moduleRef.get(Authenticator, { strict: false });
    if (!this.authenticator) throw new Error('The Authenticator is not registered');
    return this.authenticator;
  }
}
