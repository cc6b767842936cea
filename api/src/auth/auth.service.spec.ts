import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fake-clock.js';
import { sha256Hex } from '../common/crypto.js';
import type { AppConfig } from '../config/app-config.js';
import type { UserEntity } from '../users/user.entity.js';
import type { UsersRepository } from '../users/users.repository.js';
import { AuthService } from './auth.service.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import type { PasswordHasher } from './password.hasher.js';
import type { RefreshTokenEntity } from './refresh-token.entity.js';
import type { SessionEntity } from './session.entity.js';
import type { SessionsRepository } from './sessions.repository.js';
import { TokensService } from './tokens.service.js';

const DAY = 86_400_000;
const IP = '192.0.2.10';
const PASSWORD = 'correct horse battery';

const config = {
  env: {
    ACCESS_TOKEN_TTL_SECONDS: 900,
    REFRESH_TOKEN_TTL_DAYS: 30,
    LOGIN_MAX_PER_IP: 50,
    LOGIN_MAX_PER_ACCOUNT: 3,
    LOGIN_WINDOW_SECONDS: 900,
  },
  jwtSecret: new TextEncoder().encode('unit-test-secret-that-is-at-least-32-chars'),
} as unknown as AppConfig;

class FakeUsers {
  readonly rows: UserEntity[] = [];
  async findByEmail(email: string) {
    return this.rows.find((u) => u.email === email.toLowerCase()) ?? null;
  }
  async findById(id: string) {
    return this.rows.find((u) => u.id === id) ?? null;
  }
}

class FakeSessions {
  readonly sessions: SessionEntity[] = [];
  readonly tokens: RefreshTokenEntity[] = [];
  async createWithToken(userId: string, tokenHash: string, expiresAt: Date) {
    const session: SessionEntity = {
      id: randomUUID(),
      userId,
      revokedAt: null,
      revokedReason: null,
      createdAt: new Date(),
    };
    this.sessions.push(session);
    this.tokens.push({
      id: randomUUID(),
      sessionId: session.id,
      tokenHash,
      expiresAt,
      rotatedAt: null,
      createdAt: new Date(),
    });
    return session;
  }
  async findRefreshToken(tokenHash: string) {
    const token = this.tokens.find((t) => t.tokenHash === tokenHash);
    const session = token && this.sessions.find((s) => s.id === token.sessionId);
    return token && session ? { token: { ...token }, session: { ...session } } : null;
  }
  async rotate(tokenId: string, sessionId: string, nextHash: string, expiresAt: Date, now: Date) {
    const token = this.tokens.find((t) => t.id === tokenId);
    if (!token || token.rotatedAt) return false;
    token.rotatedAt = now;
    this.tokens.push({ id: randomUUID(), sessionId, tokenHash: nextHash, expiresAt, rotatedAt: null, createdAt: now });
    return true;
  }
  async revoke(sessionId: string, reason: string, now: Date) {
    const session = this.sessions.find((s) => s.id === sessionId);
    if (session && !session.revokedAt) Object.assign(session, { revokedAt: now, revokedReason: reason });
  }
  session(id: string) {
    return this.sessions.find((s) => s.id === id)!;
  }
}

/** Passwords "hash" to a readable string; records what it was asked to verify. */
class FakeHasher {
  readonly verified: Array<string | undefined> = [];
  async hash(password: string) {
    return `hashed:${password}`;
  }
  async verify(hash: string | undefined, password: string) {
    this.verified.push(hash);
    return hash !== undefined && hash === `hashed:${password}`;
  }
}

/** Records the limiter calls, optionally refusing every check. */
class SpyLimiter {
  readonly calls: string[] = [];
  refuse: Error | undefined;
  check(ip: string, email: string) {
    this.calls.push(`check ${ip} ${email}`);
    if (this.refuse) throw this.refuse;
  }
  recordFailure(ip: string, email: string) {
    this.calls.push(`failure ${ip} ${email}`);
  }
  recordSuccess(email: string) {
    this.calls.push(`success ${email}`);
  }
}

describe('AuthService', () => {
  let clock: FakeClock;
  let users: FakeUsers;
  let sessions: FakeSessions;
  let hasher: FakeHasher;
  let limiter: SpyLimiter;
  let tokens: TokensService;
  let auth: AuthService;

  function addUser(overrides: Partial<UserEntity> = {}): UserEntity {
    const user: UserEntity = {
      id: randomUUID(),
      email: `u${users.rows.length}@example.test`,
      displayName: 'U',
      passwordHash: `hashed:${PASSWORD}`,
      role: 'editor',
      disabledAt: null,
      passwordChangedAt: clock.now(),
      createdAt: clock.now(),
      updatedAt: clock.now(),
      ...overrides,
    };
    users.rows.push(user);
    return user;
  }

  function build(rateLimiter: SpyLimiter | LoginRateLimiter) {
    return new AuthService(
      users as unknown as UsersRepository,
      sessions as unknown as SessionsRepository,
      tokens,
      hasher as unknown as PasswordHasher,
      rateLimiter as unknown as LoginRateLimiter,
      config,
      clock,
    );
  }

  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2030, 0, 1));
    users = new FakeUsers();
    sessions = new FakeSessions();
    hasher = new FakeHasher();
    limiter = new SpyLimiter();
    tokens = new TokensService(config, clock);
    auth = build(limiter);
  });

  describe('login', () => {
    it('returns a token pair for the right password and opens a session', async () => {
      const user = addUser();
      const pair = await auth.login(user.email.toUpperCase(), PASSWORD, IP);
      expect(pair).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshExpiresAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
        user: { id: user.id, email: user.email, role: 'editor', disabled: false },
      });
      expect(pair.refreshToken).toMatch(/^alr_/);
      expect(pair.user).not.toHaveProperty('passwordHash');
      expect(sessions.sessions).toHaveLength(1);
      // Only the hash of the refresh token is stored.
      expect(sessions.tokens[0]!.tokenHash).toBe(sha256Hex(pair.refreshToken));
      const claims = await tokens.verify(pair.accessToken);
      expect(claims).toMatchObject({ userId: user.id, sessionId: sessions.sessions[0]!.id });
    });

    it('refuses a wrong password with invalid_credentials and opens no session', async () => {
      const user = addUser();
      await expect(auth.login(user.email, 'wrong password', IP)).rejects.toMatchObject({
        code: 'invalid_credentials',
        status: 401,
      });
      expect(sessions.sessions).toHaveLength(0);
    });

    it('refuses an unknown email the same way, still running a password check', async () => {
      await expect(auth.login('nobody@example.test', PASSWORD, IP)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
      // verify() is called (against no hash) so the response time does not reveal the email is unknown.
      expect(hasher.verified).toEqual([undefined]);
    });

    it('refuses a disabled account with account_disabled, but only after the password is right', async () => {
      const user = addUser({ disabledAt: clock.now() });
      await expect(auth.login(user.email, 'wrong password', IP)).rejects.toMatchObject({ code: 'invalid_credentials' });
      await expect(auth.login(user.email, PASSWORD, IP)).rejects.toMatchObject({
        code: 'account_disabled',
        status: 403,
      });
      expect(sessions.sessions).toHaveLength(0);
    });

    it('asks the rate limiter first, and reports failures and successes to it', async () => {
      const user = addUser();
      await expect(auth.login(user.email, 'nope', IP)).rejects.toMatchObject({ code: 'invalid_credentials' });
      await auth.login(user.email, PASSWORD, IP);
      await expect(auth.login('ghost@example.test', 'nope', IP)).rejects.toMatchObject({ code: 'invalid_credentials' });
      expect(limiter.calls).toEqual([
        `check ${IP} ${user.email}`,
        `failure ${IP} ${user.email}`,
        `check ${IP} ${user.email}`,
        `success ${user.email}`,
        `check ${IP} ghost@example.test`,
        `failure ${IP} ghost@example.test`,
      ]);
    });

    it('does not check the password at all while the limiter refuses', async () => {
      const user = addUser();
      limiter.refuse = new Error('rate limited');
      await expect(auth.login(user.email, PASSWORD, IP)).rejects.toThrow('rate limited');
      expect(hasher.verified).toEqual([]);
      expect(sessions.sessions).toHaveLength(0);
    });

    it('with the real limiter: refuses even the right password after too many failures, until the window passes', async () => {
      const user = addUser();
      const real = build(new LoginRateLimiter(config, clock));
      for (let i = 0; i < 3; i++)
        await expect(real.login(user.email, 'nope', IP)).rejects.toMatchObject({ code: 'invalid_credentials' });
      await expect(real.login(user.email, PASSWORD, IP)).rejects.toMatchObject({
        code: 'rate_limited',
        status: 429,
        extras: { headers: { 'retry-after': '900' } },
      });
      clock.advance(900_000);
      await expect(real.login(user.email, PASSWORD, IP)).resolves.toMatchObject({ user: { id: user.id } });
    });
  });

  describe('refresh', () => {
    it('rotates: returns a new pair for the same session and spends the old refresh token', async () => {
      const user = addUser();
      const first = await auth.login(user.email, PASSWORD, IP);
      clock.advance(60_000);
      const second = await auth.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(second.refreshExpiresAt).toBe(new Date(clock.now().getTime() + 30 * DAY).toISOString());
      const [a, b] = await Promise.all([tokens.verify(first.accessToken), tokens.verify(second.accessToken)]);
      expect(b.sessionId).toBe(a.sessionId);
      expect(sessions.tokens.find((t) => t.tokenHash === sha256Hex(first.refreshToken))!.rotatedAt).toEqual(
        clock.now(),
      );
      // The new token can itself be exchanged.
      await expect(auth.refresh(second.refreshToken)).resolves.toMatchObject({ user: { id: user.id } });
    });

    it('detects reuse of a spent token and revokes the whole session', async () => {
      const user = addUser();
      const first = await auth.login(user.email, PASSWORD, IP);
      const second = await auth.refresh(first.refreshToken);
      const sessionId = (await tokens.verify(first.accessToken)).sessionId;
      await expect(auth.refresh(first.refreshToken)).rejects.toMatchObject({
        code: 'refresh_token_reused',
        status: 401,
      });
      expect(sessions.session(sessionId)).toMatchObject({
        revokedAt: clock.now(),
        revokedReason: 'refresh_token_reused',
      });
      // The legitimate descendant dies with the session.
      await expect(auth.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'token_invalid' });
    });

    it('treats losing a rotation race as reuse', async () => {
      const user = addUser();
      const first = await auth.login(user.email, PASSWORD, IP);
      // Another request rotated the token between our read and our write.
      const realRotate = sessions.rotate.bind(sessions);
      sessions.rotate = async (...args) => {
        await realRotate(...args);
        return realRotate(...args);
      };
      await expect(auth.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
      expect(sessions.sessions[0]!.revokedReason).toBe('refresh_token_reused');
    });

    it('refuses an expired refresh token with token_expired', async () => {
      const user = addUser();
      const early = await auth.login(user.email, PASSWORD, IP);
      const late = await auth.login(user.email, PASSWORD, IP);
      clock.advance(30 * DAY - 1);
      await expect(auth.refresh(early.refreshToken)).resolves.toBeDefined();
      clock.advance(1);
      await expect(auth.refresh(late.refreshToken)).rejects.toMatchObject({ code: 'token_expired', status: 401 });
    });

    it('refuses unknown tokens, ended sessions and disabled users', async () => {
      const user = addUser();
      await expect(auth.refresh('alr_unknown')).rejects.toMatchObject({ code: 'token_invalid' });
      const loggedOut = await auth.login(user.email, PASSWORD, IP);
      await auth.logout(loggedOut.refreshToken);
      await expect(auth.refresh(loggedOut.refreshToken)).rejects.toMatchObject({ code: 'token_invalid' });
      const pair = await auth.login(user.email, PASSWORD, IP);
      user.disabledAt = clock.now();
      await expect(auth.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'account_disabled', status: 403 });
    });

    it('reports a disabled account as account_disabled even though disabling ended the session', async () => {
      const user = addUser();
      const pair = await auth.login(user.email, PASSWORD, IP);
      // What UsersService.update does: mark the user disabled and revoke every session.
      user.disabledAt = clock.now();
      await sessions.revoke(sessions.sessions[0]!.id, 'disabled', clock.now());
      await expect(auth.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'account_disabled', status: 403 });
    });
  });

  describe('logout', () => {
    it('revokes the session of the refresh token', async () => {
      const user = addUser();
      const pair = await auth.login(user.email, PASSWORD, IP);
      const other = await auth.login(user.email, PASSWORD, IP);
      await auth.logout(pair.refreshToken);
      const { sessionId } = await tokens.verify(pair.accessToken);
      expect(sessions.session(sessionId)).toMatchObject({ revokedAt: clock.now(), revokedReason: 'logout' });
      // Other sessions of the same user are untouched.
      await expect(auth.refresh(other.refreshToken)).resolves.toBeDefined();
    });

    it('ignores unknown tokens and repeated logouts', async () => {
      const user = addUser();
      const pair = await auth.login(user.email, PASSWORD, IP);
      await expect(auth.logout('alr_never-issued')).resolves.toBeUndefined();
      await auth.logout(pair.refreshToken);
      clock.advance(1000);
      await expect(auth.logout(pair.refreshToken)).resolves.toBeUndefined();
      // The first revocation is kept, not overwritten.
      expect(sessions.sessions[0]!.revokedAt).toEqual(new Date(clock.now().getTime() - 1000));
    });
  });
});
