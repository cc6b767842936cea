import { describe, expect, it, vi } from 'vitest';
import { createBrowserFetch, KEEPALIVE_HEADER } from '~/utils/browser-fetch';
import { readCookie } from '~/utils/cookies';

describe('createBrowserFetch', () => {
  it('sends the newest refresh token from the cookie, not the one the page started with', async () => {
    const base = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => new Response('{}'));
    const fetch = createBrowserFetch(base, () => 'rotated-by-another-tab');
    await fetch('/api/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: 'stale' }) });
    expect(JSON.parse(base.mock.calls[0]![1]!.body as string)).toEqual({ refreshToken: 'rotated-by-another-tab' });
  });

  it('leaves other requests and a missing cookie alone', async () => {
    const base = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => new Response('{}'));
    const fetch = createBrowserFetch(base, () => null);
    await fetch('/api/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: 'kept' }) });
    await fetch('/api/titles', { method: 'POST', body: JSON.stringify({ refreshToken: 'not-a-refresh' }) });
    expect(JSON.parse(base.mock.calls[0]![1]!.body as string)).toEqual({ refreshToken: 'kept' });
    expect(JSON.parse(base.mock.calls[1]![1]!.body as string)).toEqual({ refreshToken: 'not-a-refresh' });
  });

  it('turns the keepalive marker header into fetch keepalive', async () => {
    const base = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => new Response('{}'));
    const fetch = createBrowserFetch(base, () => null);
    await fetch('/api/me/progress/x', {
      method: 'PUT',
      headers: { [KEEPALIVE_HEADER]: '1', authorization: 'Bearer a' },
    });
    const init = base.mock.calls[0]![1]!;
    expect(init.keepalive).toBe(true);
    expect((init.headers as Headers).has(KEEPALIVE_HEADER)).toBe(false);
    expect((init.headers as Headers).get('authorization')).toBe('Bearer a');
  });

  it('reports a refused refresh as a lost session', async () => {
    const onLost = vi.fn();
    const refused = createBrowserFetch(
      async () => new Response('{}', { status: 401 }),
      () => null,
      onLost,
    );
    await refused('/api/titles', { method: 'GET' });
    expect(onLost).not.toHaveBeenCalled();
    await refused('/api/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: 'dead' }) });
    expect(onLost).toHaveBeenCalledOnce();
  });
});

describe('readCookie', () => {
  it('reads one cookie, decoded, from a cookie header', () => {
    expect(readCookie('a=1; aleflix_session=abc%3D; b=2', 'aleflix_session')).toBe('abc=');
    expect(readCookie('a=1', 'aleflix_session')).toBeNull();
    expect(readCookie('', 'x')).toBeNull();
  });
});
