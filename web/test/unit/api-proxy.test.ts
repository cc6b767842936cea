import { AleflixApiError, type TokenPair } from '@aleflix/sdk';
import { describe, expect, it, vi } from 'vitest';
import { MAX_PROXY_BODY_BYTES, proxyToApi, type ProxyRequest } from '../../shared/api-proxy';

const pair = {
  tokenType: 'Bearer',
  accessToken: 'access-2',
  expiresIn: 900,
  refreshToken: 'refresh-2',
  refreshExpiresAt: '2030-01-01T00:00:00.000Z',
  user: {
    id: '00000000-0000-4000-8000-000000000001',
    email: 'a@b.c',
    displayName: 'A',
    role: 'viewer',
    disabled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  },
} satisfies TokenPair;

function request(overrides: Partial<ProxyRequest> = {}): ProxyRequest {
  return { method: 'GET', path: '/titles?q=x', headers: {}, body: undefined, clientIp: '10.1.2.3', ...overrides };
}

describe('proxyToApi', () => {
  it('forwards the path, query, method and only the allowed request headers', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      Response.json({ items: [] }, { headers: { etag: '"v1"', 'set-cookie': 'x=1', 'x-request-id': 'r1' } }),
    );
    const response = await proxyToApi(
      request({
        headers: { authorization: 'Bearer t', cookie: 'aleflix_session=secret', 'if-match': '"v0"', host: 'web' },
      }),
      { apiBase: 'http://api:3000/', fetch: fetch as unknown as typeof globalThis.fetch, refresh: vi.fn() },
    );
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://api:3000/titles?q=x');
    const sent = init!.headers as Headers;
    expect(sent.get('authorization')).toBe('Bearer t');
    expect(sent.get('if-match')).toBe('"v0"');
    expect(sent.get('cookie')).toBeNull();
    expect(sent.get('host')).toBeNull();
    expect(sent.get('x-forwarded-for')).toBe('10.1.2.3');
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toEqual({ items: [] });
  });

  it('passes error statuses and bodies through', async () => {
    const problem = { status: 404, code: 'not_found', title: 'Resource not found', type: 'x' };
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify(problem), { status: 404, headers: { 'content-type': 'application/problem+json' } }),
    );
    const response = await proxyToApi(request(), { apiBase: 'http://api', fetch, refresh: vi.fn() });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual(problem);
  });

  it('answers 502 when the API cannot be reached, and refuses odd paths and big bodies', async () => {
    const down = vi.fn(async () => Promise.reject(new TypeError('fetch failed')));
    expect((await proxyToApi(request(), { apiBase: 'http://api', fetch: down, refresh: vi.fn() })).status).toBe(502);
    const fetch = vi.fn();
    const deps = { apiBase: 'http://api', fetch, refresh: vi.fn() };
    expect((await proxyToApi(request({ path: '//evil.example/x' }), deps)).status).toBe(400);
    const big = new Uint8Array(MAX_PROXY_BODY_BYTES + 1);
    expect((await proxyToApi(request({ method: 'POST', path: '/titles', body: big }), deps)).status).toBe(413);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('exchanges refresh tokens through the shared single flight', async () => {
    const refresh = vi.fn(async () => pair);
    const fetch = vi.fn();
    const body = new TextEncoder().encode(JSON.stringify({ refreshToken: 'refresh-1' }));
    const response = await proxyToApi(request({ method: 'POST', path: '/auth/refresh', body }), {
      apiBase: 'http://api',
      fetch,
      refresh,
    });
    expect(refresh).toHaveBeenCalledWith('refresh-1');
    expect(fetch).not.toHaveBeenCalled();
    expect(await response.json()).toEqual(pair);
  });

  it('returns the problem of a rejected refresh, and 400 for a malformed one', async () => {
    const problem = { type: 't', title: 'reused', status: 401, code: 'refresh_token_reused' as const };
    const refresh = vi.fn(async () => {
      throw new AleflixApiError({ status: 401, problem, method: 'POST', url: 'u', headers: new Headers() });
    });
    const deps = { apiBase: 'http://api', fetch: vi.fn(), refresh };
    const body = new TextEncoder().encode(JSON.stringify({ refreshToken: 'old' }));
    const rejected = await proxyToApi(request({ method: 'POST', path: '/auth/refresh', body }), deps);
    expect(rejected.status).toBe(401);
    expect(((await rejected.json()) as { code: string }).code).toBe('refresh_token_reused');
    const garbage = await proxyToApi(
      request({ method: 'POST', path: '/auth/refresh', body: new TextEncoder().encode('{') }),
      deps,
    );
    expect(garbage.status).toBe(400);
    const missing = await proxyToApi(
      request({ method: 'POST', path: '/auth/refresh', body: new TextEncoder().encode('{}') }),
      deps,
    );
    expect(missing.status).toBe(400);
  });
});
