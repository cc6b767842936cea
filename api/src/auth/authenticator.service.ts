import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/crypto.js';
import { roleAtLeast, type Role } from '../common/roles.js';
import { UsersRepository } from '../users/users.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { API_KEY_PREFIX } from './api-keys.service.js';
import type { Principal } from './principal.js';
import { SessionsRepository } from './sessions.repository.js';
import { TokensService } from './tokens.service.js';

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves request credentials to a Principal. The user row is read on every request so a
 * disabled account, a demotion or a revoked session take effect immediately.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokensService,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly apiKeys: ApiKeysRepository,
    private readonly clock: Clock,
  ) {}

  /** Returns undefined when the request carries no credentials at all. */
  async authenticate(
    authorization: string | undefined,
    apiKeyHeader: string | undefined,
  ): Promise<Principal | undefined> {
    if (apiKeyHeader) return this.fromApiKey(apiKeyHeader);
    if (!authorization) return undefined;
    const [scheme, credential] = authorization.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !credential) {
      throw new ApiError('token_invalid', 'Authorization must be "Bearer <token>"');
    }
    return credential.startsWith(API_KEY_PREFIX) ? this.fromApiKey(credential) : this.fromAccessToken(credential);
  }

  private async fromAccessToken(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token);
    // One round trip: this runs on every authenticated request.
    const found = await this.sessions.findWithUser(claims.sessionId);
    const user = found?.user;
    const session = found?.session;
    if (!user || !session || user.id !== claims.userId) throw new ApiError('token_invalid', 'Unknown user or session');
    // Disabling also ends every session, so check the account first: the client must learn
    // that the account is disabled (403), not that it merely needs to sign in again (401).
    if (user.disabledAt) throw new ApiError('account_disabled');
    if (session.revokedAt) throw new ApiError('token_invalid', 'This session has ended; sign in again');
    return { userId: user.id, email: user.email, role: user.role, via: 'token', sessionId: session.id };
  }

  private async fromApiKey(key: string): Promise<Principal> {
    const apiKey = await this.apiKeys.findByHash(sha256Hex(key));
    const now = this.clock.now();
    if (!apiKey || apiKey.revokedAt) throw new ApiError('token_invalid', 'API key is invalid or revoked');
    if (apiKey.expiresAt && apiKey.expiresAt <= now) throw new ApiError('token_expired', 'API key has expired');
    const user = await this.users.findById(apiKey.userId);
    if (!user) throw new ApiError('token_invalid', 'API key owner no longer exists');
    if (user.disabledAt) throw new ApiError('account_disabled');
    await this.apiKeys.touch(apiKey.id, now, LAST_USED_RESOLUTION_MS);
    return {
      userId: user.id,
      email: user.email,
      role: lowerRole(apiKey.role, user.role),
      via: 'api_key',
      apiKeyId: apiKey.id,
    };
  }
}

/** A key never grants more than its owner currently has (owners can be demoted). */
function lowerRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? b : a;
}
