import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';
import { AppConfig } from '../config/app-config.js';
import type { UserEntity } from '../users/user.entity.js';
import { toUserView } from '../users/users.mapper.js';
import { UsersRepository } from '../users/users.repository.js';
import type { TokenPair } from './auth.dto.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { PasswordHasher } from './password.hasher.js';
import { SessionsRepository } from './sessions.repository.js';
import { TokensService } from './tokens.service.js';

const REFRESH_PREFIX = 'alr_';

/** Sign-in, token refresh with rotation and reuse detection, sign-out. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokensService,
    private readonly hasher: PasswordHasher,
    private readonly limiter: LoginRateLimiter,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async login(email: string, password: string, ip: string): Promise<TokenPair> {
    await this.limiter.check(ip, email);
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !valid) {
      await this.limiter.recordFailure(ip, email);
      throw new ApiError('invalid_credentials');
    }
    if (user.disabledAt) throw new ApiError('account_disabled', 'This account has been disabled by an administrator');
    await this.limiter.recordSuccess(email);
    const refreshToken = REFRESH_PREFIX + randomSecret();
    const refreshExpiresAt = this.refreshExpiry();
    const session = await this.sessions.createWithToken(user.id, sha256Hex(refreshToken), refreshExpiresAt);
    return this.tokenPair(user, session.id, refreshToken, refreshExpiresAt);
  }

  /**
   * Exchanges a refresh token for a new pair. A token is good for one exchange: presenting
   * it again means it leaked, so the whole session (every descendant token) is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    const record = await this.sessions.findRefreshToken(sha256Hex(refreshToken));
    if (!record) throw new ApiError('token_invalid', 'Refresh token is not recognised');
    const { token, session } = record;
    const user = await this.users.findById(session.userId);
    if (!user) throw new ApiError('token_invalid', 'User no longer exists');
    // Before the session checks: disabling ends every session, and the client should learn
    // that the account is disabled, as it does from its access token, not "sign in again".
    if (user.disabledAt) throw new ApiError('account_disabled');
    if (session.revokedAt) throw new ApiError('token_invalid', 'This session has ended; sign in again');
    if (token.rotatedAt) {
      await this.sessions.revoke(session.id, 'refresh_token_reused', now);
      throw new ApiError('refresh_token_reused');
    }
    if (token.expiresAt <= now) throw new ApiError('token_expired', 'Refresh token has expired; sign in again');
    const next = REFRESH_PREFIX + randomSecret();
    const refreshExpiresAt = this.refreshExpiry();
    const rotated = await this.sessions.rotate(token.id, session.id, sha256Hex(next), refreshExpiresAt, now);
    if (!rotated) {
      // Lost a race with another exchange of the same token: that is reuse too.
      await this.sessions.revoke(session.id, 'refresh_token_reused', now);
      throw new ApiError('refresh_token_reused');
    }
    return this.tokenPair(user, session.id, next, refreshExpiresAt);
  }

  /** Ends the session the refresh token belongs to. Unknown tokens are ignored (idempotent). */
  async logout(refreshToken: string): Promise<void> {
    const record = await this.sessions.findRefreshToken(sha256Hex(refreshToken));
    if (record) await this.sessions.revoke(record.session.id, 'logout', this.clock.now());
  }

  private refreshExpiry(): Date {
    return new Date(this.clock.now().getTime() + this.config.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  }

  private async tokenPair(
    user: UserEntity,
    sessionId: string,
    refreshToken: string,
    refreshExpiresAt: Date,
  ): Promise<TokenPair> {
    return {
      tokenType: 'Bearer',
      accessToken: await this.tokens.sign(user.id, sessionId),
      expiresIn: this.tokens.accessTtlSeconds,
      refreshToken,
      refreshExpiresAt: refreshExpiresAt.toISOString(),
      user: toUserView(user),
    };
  }
}
