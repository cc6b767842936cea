import { AleflixApiError, AleflixNetworkError, type AleflixClient } from '@aleflix/sdk';
import { describe, expect, it, vi } from 'vitest';
import { useSessionStore } from '~/stores/session';
import { tokenPair, viewer } from './fixtures';
import { piniaWith } from './stores';

const invalid = new AleflixApiError({
  status: 401,
  problem: { type: 't', title: 'bad', status: 401, code: 'invalid_credentials' },
  method: 'POST',
  url: '/auth/login',
  headers: new Headers(),
});

function auth(overrides: Partial<AleflixClient['auth']>): Partial<AleflixClient> {
  return { auth: { login: vi.fn(), logout: vi.fn(), refresh: vi.fn(), me: vi.fn(), ...overrides } };
}

describe('session store', () => {
  it('signs in: keeps the user and access token, persists the refresh token', async () => {
    const login = vi.fn(async () => tokenPair(viewer, 1));
    const { tokens } = piniaWith({ api: auth({ login }) });
    const session = useSessionStore();
    expect(session.signedIn).toBe(false);
    expect(await session.login('  viewer@aleflix.test ', 'pw-123456789012')).toEqual({ ok: true });
    expect(login).toHaveBeenCalledWith({ email: 'viewer@aleflix.test', password: 'pw-123456789012' });
    expect(session.signedIn).toBe(true);
    expect(session.accessToken).toBe('access-1');
    expect(session.role).toBe('viewer');
    expect(session.canSeeDrafts).toBe(false);
    expect(tokens.save).toHaveBeenCalledWith(tokenPair(viewer, 1));
  });

  it('reports why a sign-in failed and stays signed out', async () => {
    piniaWith({ api: auth({ login: vi.fn(async () => Promise.reject(invalid)) }) });
    const session = useSessionStore();
    expect(await session.login('a@b.c', 'wrong')).toEqual({ ok: false, reason: 'invalid' });
    expect(session.signedIn).toBe(false);

    piniaWith({
      api: auth({
        login: vi.fn(async () => Promise.reject(new AleflixNetworkError({ method: 'POST', url: '/x', cause: 1 }))),
      }),
    });
    expect(await useSessionStore().login('a@b.c', 'pw')).toEqual({ ok: false, reason: 'network' });
  });

  it('lets editors and admins see drafts', () => {
    piniaWith();
    const session = useSessionStore();
    session.adopt(tokenPair({ ...viewer, role: 'editor' }));
    expect(session.canSeeDrafts).toBe(true);
    session.adopt(tokenPair({ ...viewer, role: 'admin' }));
    expect(session.canSeeDrafts).toBe(true);
  });

  it('signs out at the API and forgets the session even when the API call fails', async () => {
    const logout = vi.fn(async () => Promise.reject(invalid));
    const { tokens } = piniaWith({ api: auth({ logout }) });
    const session = useSessionStore();
    session.adopt(tokenPair());
    await session.logout();
    expect(logout).toHaveBeenCalled();
    expect(session.signedIn).toBe(false);
    expect(session.accessToken).toBeNull();
    expect(tokens.clear).toHaveBeenCalled();
  });
});
