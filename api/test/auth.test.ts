import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenPairSchema } from '../src/auth/auth.dto.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  TEST_JWT_SECRET,
  createTestApp,
  databaseTargets,
  type TestApp,
} from './http-harness.js';
import { createApiKey, createUser, expectProblem, loginFrom, uniqueEmail } from './identity-helpers.js';

const ACCESS_TTL_MS = 15 * 60_000;

/** Claims exactly like the API's own access tokens, so only the signature differs. */
async function signLike(genuine: string, secret: Uint8Array, alg = 'HS256'): Promise<string> {
  const claims = decodeJwt(genuine);
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(claims.sub!)
    .setIssuer(claims.iss!)
    .setAudience(claims.aud!)
    .setIssuedAt(claims.iat!)
    .setExpirationTime(claims.exp!)
    .sign(secret);
}

const MAX_PER_ACCOUNT = 3;
const MAX_PER_IP = 5;
const WINDOW_SECONDS = 600;

let ipCounter = 0;
/** A client address no other test uses, so per-IP failure counts never leak between tests. */
function freshIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 8) & 255}.${ipCounter & 255}.1`;
}

describe.each(databaseTargets())('auth endpoints on $name', (target) => {
  // One app per engine (PGlite takes seconds to start). The limiter's limits are low so
  // they can be tested here; every failed login is therefore sent from its own freshIp(),
  // and the helpers' logins from 127.0.0.1 always succeed, so they never count.
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(target, {
      LOGIN_MAX_PER_ACCOUNT: String(MAX_PER_ACCOUNT),
      LOGIN_MAX_PER_IP: String(MAX_PER_IP),
      LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
    });
  });
  afterAll(() => t?.close());

  describe('POST /auth/login', () => {
    it('returns a token pair and the user', async () => {
      const user = await createUser(t, 'editor');
      const response = await t.request('POST', '/auth/login', { body: { email: user.email, password: user.password } });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const pair = TokenPairSchema.parse(response.json());
      expect(pair).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        user: { id: user.id, email: user.email, role: 'editor', disabled: false },
      });
      expect(pair.accessToken.split('.')).toHaveLength(3);
      expect(pair.refreshToken).not.toBe(pair.accessToken);
      expect(Date.parse(pair.refreshExpiresAt)).toBe(t.clock.now().getTime() + 30 * 86_400_000);
      expect(response.body).not.toMatch(/argon2|passwordHash|password_hash/);
      expect(decodeJwt(pair.accessToken)).toMatchObject({
        sub: user.id,
        exp: Math.floor(t.clock.now().getTime() / 1000) + 900,
      });
    });

    it('matches the email case-insensitively and ignores surrounding spaces', async () => {
      const user = await createUser(t);
      const response = await t.request('POST', '/auth/login', {
        body: { email: `  ${user.email.toUpperCase()} `, password: user.password },
      });
      expect(response.status, response.body).toBe(200);
      expect(response.json().user.id).toBe(user.id);
    });

    it('refuses a wrong password and an unknown email alike with 401 invalid_credentials', async () => {
      const user = await createUser(t);
      const wrong = expectProblem(
        await loginFrom(t, freshIp(), user.email, `${user.password}x`),
        401,
        'invalid_credentials',
      );
      const unknown = expectProblem(
        await loginFrom(t, freshIp(), uniqueEmail('nobody'), user.password),
        401,
        'invalid_credentials',
      );
      // Nothing in the body tells an existing account from a missing one.
      expect({ ...unknown, requestId: undefined }).toEqual({ ...wrong, requestId: undefined });
    });

    it('refuses unknown fields with 400 validation_failed and per-field errors', async () => {
      const response = await t.request('POST', '/auth/login', {
        body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, role: 'admin' },
      });
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(problem.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('role') })]);
    });

    it('refuses a missing password with 400 validation_failed naming the field', async () => {
      const problem = expectProblem(
        await t.request('POST', '/auth/login', { body: { email: ADMIN_EMAIL } }),
        400,
        'validation_failed',
      );
      expect(problem.errors?.map((e) => e.field)).toEqual(['password']);
    });

    it('refuses a body that is not JSON with 400 invalid_json', async () => {
      const response = await t.request('POST', '/auth/login', {
        rawBody: '{"email":',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(response, 400, 'invalid_json');
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: the new pair works and differs from the old one', async () => {
      const user = await createUser(t);
      const response = await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(response.status, response.body).toBe(200);
      const pair = TokenPairSchema.parse(response.json());
      expect(pair.refreshToken).not.toBe(user.refreshToken);
      expect(pair.user.id).toBe(user.id);
      const me = await t.request('GET', '/auth/me', { token: pair.accessToken });
      expect(me.status).toBe(200);
      expect(me.json().user.id).toBe(user.id);
      // And the new refresh token can be exchanged in turn.
      const again = await t.request('POST', '/auth/refresh', { body: { refreshToken: pair.refreshToken } });
      expect(again.status, again.body).toBe(200);
    });

    it('on reuse of a spent token answers refresh_token_reused and ends the whole session', async () => {
      const user = await createUser(t);
      const other = await t.login(user.email, user.password);
      const rotated = await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(rotated.status).toBe(200);
      const { accessToken: newAccess, refreshToken: newRefresh } = rotated.json();
      expect((await t.request('GET', '/auth/me', { token: newAccess })).status).toBe(200);

      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }),
        401,
        'refresh_token_reused',
      );
      // The legitimate successor is dead too, and so are the session's access tokens.
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: newRefresh } }),
        401,
        'token_invalid',
      );
      expectProblem(await t.request('GET', '/auth/me', { token: newAccess }), 401, 'token_invalid');
      expectProblem(await t.request('GET', '/auth/me', { token: user.accessToken }), 401, 'token_invalid');
      // Another session of the same user is not affected.
      expect((await t.request('GET', '/auth/me', { token: other.accessToken })).status).toBe(200);
    });

    it('refuses an unknown refresh token with 401 token_invalid', async () => {
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: 'alr_not-a-real-token' } }),
        401,
        'token_invalid',
      );
    });

    it('refuses a missing or oversized refresh token with 400 validation_failed', async () => {
      expectProblem(await t.request('POST', '/auth/refresh', { body: {} }), 400, 'validation_failed');
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: 'x'.repeat(201) } }),
        400,
        'validation_failed',
      );
    });
  });

  describe('POST /auth/logout', () => {
    it('ends the session: its access and refresh tokens stop working, other sessions do not', async () => {
      const user = await createUser(t);
      const other = await t.login(user.email, user.password);
      expect((await t.request('GET', '/auth/me', { token: user.accessToken })).status).toBe(200);
      const response = await t.request('POST', '/auth/logout', { body: { refreshToken: user.refreshToken } });
      expect(response.status).toBe(204);
      expect(response.body).toBe('');
      expectProblem(await t.request('GET', '/auth/me', { token: user.accessToken }), 401, 'token_invalid');
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }),
        401,
        'token_invalid',
      );
      expect((await t.request('GET', '/auth/me', { token: other.accessToken })).status).toBe(200);
    });

    it('is idempotent: unknown and already-used tokens give 204', async () => {
      const user = await createUser(t);
      expect((await t.request('POST', '/auth/logout', { body: { refreshToken: 'alr_never-issued' } })).status).toBe(
        204,
      );
      expect((await t.request('POST', '/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
      expect((await t.request('POST', '/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    });

    it('validates its body', async () => {
      expectProblem(await t.request('POST', '/auth/logout', { body: { token: 'x' } }), 400, 'validation_failed');
    });
  });

  describe('GET /auth/me', () => {
    it('describes a token credential', async () => {
      const user = await createUser(t, 'editor');
      const response = await t.request('GET', '/auth/me', { token: user.accessToken });
      expect(response.status).toBe(200);
      const me = response.json();
      expect(me).toEqual({
        user: expect.objectContaining({ id: user.id, email: user.email, role: 'editor' }),
        role: 'editor',
        via: 'token',
      });
    });

    it('describes an API key credential with its own, lower role', async () => {
      const user = await createUser(t, 'editor');
      const key = await createApiKey(t, user.accessToken, { role: 'viewer' });
      const variants: Array<Record<string, string>> = [
        { authorization: `Bearer ${key.key}` },
        { 'x-api-key': key.key },
      ];
      for (const headers of variants) {
        const response = await t.request('GET', '/auth/me', { headers });
        expect(response.status, response.body).toBe(200);
        expect(response.json()).toEqual({
          user: expect.objectContaining({ id: user.id, role: 'editor' }),
          role: 'viewer',
          via: 'api_key',
          apiKeyId: key.id,
        });
      }
    });

    it('requires credentials: 401 authentication_required', async () => {
      const problem = expectProblem(await t.request('GET', '/auth/me'), 401, 'authentication_required');
      expect(problem.instance).toBe('/auth/me');
    });
  });

  describe('access tokens', () => {
    it('expire after 15 minutes (401 token_expired); the refresh token still gets a new one', async () => {
      const user = await createUser(t);
      t.clock.advance(ACCESS_TTL_MS - 1000);
      expect((await t.request('GET', '/auth/me', { token: user.accessToken })).status).toBe(200);
      t.clock.advance(2000);
      expectProblem(await t.request('GET', '/auth/me', { token: user.accessToken }), 401, 'token_expired');
      const refreshed = await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(refreshed.status, refreshed.body).toBe(200);
      expect((await t.request('GET', '/auth/me', { token: refreshed.json().accessToken })).status).toBe(200);
    });

    it('signed with another key are rejected as token_invalid (the same claims with the real key pass)', async () => {
      const user = await createUser(t);
      const genuine = await signLike(user.accessToken, TEST_JWT_SECRET);
      expect((await t.request('GET', '/auth/me', { token: genuine })).status).toBe(200);
      const forged = await signLike(
        user.accessToken,
        new TextEncoder().encode('an-attacker-secret-of-at-least-32-chars'),
      );
      expectProblem(await t.request('GET', '/auth/me', { token: forged }), 401, 'token_invalid');
      const otherAlg = await signLike(user.accessToken, TEST_JWT_SECRET, 'HS512');
      expectProblem(await t.request('GET', '/auth/me', { token: otherAlg }), 401, 'token_invalid');
    });

    it('with `alg: none` are rejected as token_invalid', async () => {
      const user = await createUser(t);
      const claims = decodeJwt(user.accessToken);
      const unsigned = new UnsecuredJWT({ sid: claims.sid })
        .setSubject(claims.sub!)
        .setIssuer(claims.iss!)
        .setAudience(claims.aud!)
        .setIssuedAt(claims.iat!)
        .setExpirationTime(claims.exp!)
        .encode();
      expectProblem(await t.request('GET', '/auth/me', { token: unsigned }), 401, 'token_invalid');
    });

    it('that are garbage, or sent with another scheme, are rejected as token_invalid', async () => {
      const user = await createUser(t);
      expectProblem(await t.request('GET', '/auth/me', { token: 'not-a-jwt' }), 401, 'token_invalid');
      expectProblem(await t.request('GET', '/auth/me', { token: 'a.b.c' }), 401, 'token_invalid');
      expectProblem(
        await t.request('GET', '/auth/me', { headers: { authorization: `Basic ${user.accessToken}` } }),
        401,
        'token_invalid',
      );
      expectProblem(await t.request('GET', '/auth/me', { headers: { authorization: 'Bearer' } }), 401, 'token_invalid');
    });
  });

  describe('login rate limiting', () => {
    it(`refuses an account after ${MAX_PER_ACCOUNT} failures with 429 and Retry-After, even with the right password, from any IP`, async () => {
      const user = await createUser(t);
      for (let i = 0; i < MAX_PER_ACCOUNT; i++) {
        expectProblem(await loginFrom(t, freshIp(), user.email, 'wrong-password'), 401, 'invalid_credentials');
      }
      const ip = freshIp();
      const limited = await loginFrom(t, ip, user.email, user.password);
      expectProblem(limited, 429, 'rate_limited');
      expect(limited.headers['retry-after']).toBe(String(WINDOW_SECONDS));
      t.clock.advance(250_000);
      const later = await loginFrom(t, ip, user.email.toUpperCase(), user.password);
      expectProblem(later, 429, 'rate_limited');
      expect(later.headers['retry-after']).toBe(String(WINDOW_SECONDS - 250));
      // Other accounts are unaffected, from the same IP.
      const other = await createUser(t);
      expect((await loginFrom(t, ip, other.email, other.password)).status).toBe(200);
      // Once the window has passed the account can sign in again.
      t.clock.advance((WINDOW_SECONDS - 250) * 1000);
      expect((await loginFrom(t, ip, user.email, user.password)).status).toBe(200);
    });

    it(`refuses an IP after ${MAX_PER_IP} failures across accounts; other IPs still get in`, async () => {
      const user = await createUser(t);
      const ip = freshIp();
      for (let i = 0; i < MAX_PER_IP; i++) {
        expectProblem(await loginFrom(t, ip, uniqueEmail('ghost'), 'whatever-password'), 401, 'invalid_credentials');
      }
      const limited = await loginFrom(t, ip, user.email, user.password);
      expectProblem(limited, 429, 'rate_limited');
      expect(limited.headers['retry-after']).toBe(String(WINDOW_SECONDS));
      expect((await loginFrom(t, freshIp(), user.email, user.password)).status).toBe(200);
    });

    it('clears the account counter after a successful login', async () => {
      const user = await createUser(t);
      for (let i = 0; i < MAX_PER_ACCOUNT - 1; i++)
        expect((await loginFrom(t, freshIp(), user.email, 'wrong-password')).status).toBe(401);
      expect((await loginFrom(t, freshIp(), user.email, user.password)).status).toBe(200);
      for (let i = 0; i < MAX_PER_ACCOUNT - 1; i++)
        expect((await loginFrom(t, freshIp(), user.email, 'wrong-password')).status).toBe(401);
      // 2 × (limit − 1) failures in the window, but only limit − 1 since the success.
      expect((await loginFrom(t, freshIp(), user.email, user.password)).status).toBe(200);
    });
  });
});
