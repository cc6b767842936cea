import { describe, expect, it, vi } from 'vitest';
import { AleflixApiError, createClient, type TokenPair } from '../src/index.js';
import { fakeFetch, json, noContent, problem, title, tokenPair, type RecordedCall } from './fake-fetch.js';

const baseUrl = 'http://api.test';
const me = (call: RecordedCall) =>
  json({ user: tokenPair(0).user, role: 'admin', via: call.headers.get('authorization') });

/** An API whose access tokens `access-<n>` are valid only for the latest n. */
function tokenServer(options: { refreshFails?: string } = {}) {
  let current = 0;
  return fakeFetch(async (call) => {
    if (call.url.pathname === '/auth/login') return json(tokenPair(++current));
    if (call.url.pathname === '/auth/refresh') {
      if (options.refreshFails) return problem(401, options.refreshFails);
      // Slow enough that concurrent calls pile up behind one refresh.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return json(tokenPair(++current));
    }
    if (call.url.pathname === '/health/live') return json({ status: 'ok' });
    if (call.headers.get('authorization') !== `Bearer access-${current}`) return problem(401, 'token_expired');
    if (call.method === 'POST') return json(title('x'), 201, { etag: '"v1"' });
    return me(call);
  });
}

describe('token refresh', () => {
  it('refreshes once on token_expired, retries the call and reports the new tokens', async () => {
    const server = tokenServer();
    const onTokens = vi.fn<(tokens: TokenPair) => void>();
    const client = createClient({ baseUrl, token: 'stale', refreshToken: 'refresh-0', fetch: server.fetch, onTokens });
    const result = await client.auth.me();
    expect(result.via).toBe('Bearer access-1');
    expect(server.calls.map((call) => call.url.pathname)).toEqual(['/auth/me', '/auth/refresh', '/auth/me']);
    expect(server.calls[1]!.body).toEqual({ refreshToken: 'refresh-0' });
    expect(server.calls[1]!.headers.get('authorization')).toBeNull();
    expect(onTokens).toHaveBeenCalledTimes(1);
    expect(onTokens.mock.calls[0]![0]).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
  });

  it('shares one refresh among concurrent calls (single flight)', async () => {
    const server = tokenServer();
    const onTokens = vi.fn();
    const client = createClient({ baseUrl, token: 'stale', refreshToken: 'refresh-0', fetch: server.fetch, onTokens });
    const results = await Promise.all([
      client.auth.me(),
      client.titles.list(),
      client.users.get('u1'),
      client.auth.me(),
    ]);
    expect(results.every((result) => (result as { via?: string }).via === 'Bearer access-1')).toBe(true);
    expect(server.calls.filter((call) => call.url.pathname === '/auth/refresh')).toHaveLength(1);
    expect(onTokens).toHaveBeenCalledTimes(1);
  });

  it('retries a POST after refreshing, since the API rejected it before acting', async () => {
    const server = tokenServer();
    const client = createClient({ baseUrl, token: 'stale', refreshToken: 'refresh-0', fetch: server.fetch });
    await client.titles.create({ kind: 'movie', name: 'x' });
    expect(server.calls.map((call) => `${call.method} ${call.url.pathname}`)).toEqual([
      'POST /titles',
      'POST /auth/refresh',
      'POST /titles',
    ]);
  });

  it('surfaces the refresh failure and forgets the dead session', async () => {
    const server = tokenServer({ refreshFails: 'refresh_token_reused' });
    const client = createClient({ baseUrl, token: 'stale', refreshToken: 'refresh-0', fetch: server.fetch });
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401, code: 'refresh_token_reused' });
    await expect(client.auth.me()).rejects.toMatchObject({ code: 'token_expired' });
    expect(server.calls.map((call) => call.url.pathname)).toEqual(['/auth/me', '/auth/refresh', '/auth/me']);
    expect(server.calls[2]!.headers.get('authorization')).toBeNull();
  });

  it('does not refresh for other 401s, nor without a refresh token', async () => {
    const invalid = fakeFetch(() => problem(401, 'token_invalid'));
    const client = createClient({ baseUrl, token: 'forged', refreshToken: 'refresh-0', fetch: invalid.fetch });
    await expect(client.auth.me()).rejects.toMatchObject({ code: 'token_invalid' });
    expect(invalid.calls).toHaveLength(1);

    const expired = fakeFetch(() => problem(401, 'token_expired'));
    const bare = createClient({ baseUrl, token: 'old', fetch: expired.fetch });
    const error = (await bare.auth.me().catch((e: unknown) => e)) as AleflixApiError;
    expect(error.code).toBe('token_expired');
    expect(expired.calls).toHaveLength(1);
  });

  it('does not refresh an expired API key', async () => {
    const { fetch, calls } = fakeFetch(() => problem(401, 'token_expired'));
    const client = createClient({ baseUrl, apiKey: 'alx_old', fetch });
    await expect(client.apiKeys.list()).rejects.toMatchObject({ code: 'token_expired' });
    expect(calls).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('signs in lazily, once, on the first authenticated calls', async () => {
    const server = tokenServer();
    const onTokens = vi.fn();
    const client = createClient({
      baseUrl,
      credentials: { email: 'admin@aleflix.test', password: 'pw' },
      fetch: server.fetch,
      onTokens,
    });
    expect(server.calls).toHaveLength(0);
    await client.request('get', '/health/live'); // public: no sign-in
    expect(server.calls.map((call) => call.url.pathname)).toEqual(['/health/live']);
    await Promise.all([client.auth.me(), client.auth.me(), client.titles.list()]);
    const logins = server.calls.filter((call) => call.url.pathname === '/auth/login');
    expect(logins).toHaveLength(1);
    expect(logins[0]!.body).toEqual({ email: 'admin@aleflix.test', password: 'pw' });
    expect(onTokens).toHaveBeenCalledTimes(1);
  });

  it('signs in again when the refresh token was rejected', async () => {
    const server = tokenServer({ refreshFails: 'token_invalid' });
    const client = createClient({
      baseUrl,
      token: 'stale',
      refreshToken: 'refresh-0',
      credentials: { email: 'a@b.co', password: 'pw' },
      fetch: server.fetch,
    });
    await expect(client.auth.me()).resolves.toMatchObject({ via: 'Bearer access-1' });
    expect(server.calls.map((call) => call.url.pathname)).toEqual([
      '/auth/me',
      '/auth/refresh',
      '/auth/login',
      '/auth/me',
    ]);
  });

  it('passes wrong credentials on as invalid_credentials', async () => {
    const { fetch } = fakeFetch(() => problem(401, 'invalid_credentials'));
    const client = createClient({ baseUrl, credentials: { email: 'a@b.co', password: 'nope' }, fetch });
    await expect(client.titles.list()).rejects.toMatchObject({ code: 'invalid_credentials' });
  });
});

describe('auth calls', () => {
  it('login keeps the tokens, logout revokes the refresh token and forgets them', async () => {
    const server = fakeFetch((call) => {
      if (call.url.pathname === '/auth/login') return json(tokenPair(7));
      if (call.url.pathname === '/auth/logout') return noContent();
      return me(call);
    });
    const client = createClient({ baseUrl, fetch: server.fetch });
    const pair = await client.auth.login({ email: 'a@b.co', password: 'pw' });
    expect(pair.user.role).toBe('admin');
    expect((await client.auth.me()).via).toBe('Bearer access-7');
    await client.auth.logout();
    expect(server.calls[2]!.body).toEqual({ refreshToken: 'refresh-7' });
    expect((await client.auth.me()).via).toBeNull();
    await expect(client.auth.logout()).rejects.toThrow(/no session/);
  });

  it('starts from a persisted refresh token alone', async () => {
    const server = tokenServer();
    const client = createClient({ baseUrl, refreshToken: 'refresh-0', fetch: server.fetch });
    await expect(client.auth.me()).resolves.toMatchObject({ via: 'Bearer access-1' });
    expect(server.calls.map((call) => call.url.pathname)).toEqual(['/auth/refresh', '/auth/me']);
  });

  it('refresh can be called explicitly', async () => {
    const server = tokenServer();
    const client = createClient({ baseUrl, refreshToken: 'refresh-0', fetch: server.fetch });
    const pair = await client.auth.refresh();
    expect(pair.accessToken).toBe('access-1');
    expect((await client.auth.me()).via).toBe('Bearer access-1');
  });
});
