import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { API_KEY_PREFIX } from '../auth/api-keys.service.js';
import { Authenticator } from '../auth/authenticator.service.js';
import type { Principal } from '../auth/principal.js';
import { SessionCache, type InvalidationListener } from '../auth/session-cache.js';
import { ApiError } from '../common/api-error.js';
import { roleAtLeast, type Role } from '../common/roles.js';
import { issuesToFieldErrors } from '../common/validation.pipe.js';
import { EventsQuerySchema, type EventsFilter } from './events.dto.js';
import { CLOSE, type CloseReason } from './events.subscriber.js';

/** Who may subscribe: the roles that may read /assets and /jobs. */
export const EVENTS_ROLE: Role = 'editor';

/** What an upgrade authenticated with, in the Authenticator's terms: kept to check it again later. */
export interface EventsCredential {
  authorization: string | undefined;
  apiKey: string | undefined;
}

/**
 * The checks Nest's guard and validation pipe make for HTTP routes, for the WebSocket
 * upgrade (which Fastify routes outside Nest): credentials, role, then the filter. Then, for
 * as long as the socket is open, the same credential and role check again (`recheck`).
 */
@Injectable()
export class EventsAuthorizer {
  private authenticator: Authenticator | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  async authorize(
    request: FastifyRequest,
  ): Promise<{ principal: Principal; filter: EventsFilter; credential: EventsCredential }> {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const credential = this.credentialOf(request, typeof raw.access_token === 'string' ? raw.access_token : undefined);
    const principal = await this.authenticate(credential);
    if (!roleAtLeast(principal.role, EVENTS_ROLE)) {
      throw new ApiError('forbidden', `Requires the ${EVENTS_ROLE} role; you are ${principal.role}`);
    }
    const query = EventsQuerySchema.safeParse(raw);
    if (!query.success) {
      const errors = issuesToFieldErrors(query.error.issues);
      throw new ApiError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
    }
    const { assetId, jobId } = query.data;
    return { principal, filter: { ...(assetId ? { assetId } : {}), ...(jobId ? { jobId } : {}) }, credential };
  }

  /**
   * Authenticates a socket's credential again, as its upgrade was: undefined while it may
   * still subscribe, else how to close the socket. The problem the credential would now get
   * over HTTP picks the close (401 → 4001, 403 → 4003, its code as the reason). Throws what
   * says nothing about the credential (the database is unreachable, say).
   */
  async recheck(credential: EventsCredential): Promise<CloseReason | undefined> {
    let principal: Principal | undefined;
    try {
      principal = await this.resolveAuthenticator().authenticate(credential.authorization, credential.apiKey);
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) throw error;
      if (error.code === 'token_expired') return CLOSE.tokenExpired;
      if (error.code === 'account_disabled') return CLOSE.accountDisabled;
      return error.status === 401 ? CLOSE.tokenInvalid : CLOSE.forbidden;
    }
    if (!principal) return CLOSE.tokenInvalid; // unreachable: the upgrade carried credentials
    return roleAtLeast(principal.role, EVENTS_ROLE) ? undefined : CLOSE.forbidden;
  }

  /**
   * Calls `listener` whenever a session, user or API key may have changed, in this process or
   * (with Redis) in another instance: the hook of the identity module's session cache.
   */
  onCredentialsChanged(listener: InvalidationListener): () => void {
    return this.moduleRef.get(SessionCache, { strict: false }).onInvalidated(listener);
  }

  private credentialOf(request: FastifyRequest, accessToken: string | undefined): EventsCredential {
    const header = request.headers['x-api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    let authorization = request.headers.authorization;
    if (!authorization && !apiKey && accessToken) {
      // A leaked URL must not hand out a credential that lives for months.
      if (accessToken.startsWith(API_KEY_PREFIX)) {
        throw new ApiError('token_invalid', 'Send API keys in a header; access_token takes access tokens only');
      }
      authorization = `Bearer ${accessToken}`;
    }
    return { authorization, apiKey };
  }

  private async authenticate(credential: EventsCredential): Promise<Principal> {
    const principal = await this.resolveAuthenticator().authenticate(credential.authorization, credential.apiKey);
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
