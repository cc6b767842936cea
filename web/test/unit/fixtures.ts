import type { TokenPair, User } from '@aleflix/sdk';
import type { ProgressInput } from '~/utils/progress';

export const viewer: User = {
  id: '00000000-0000-4000-8000-00000000000a',
  email: 'viewer@aleflix.test',
  displayName: 'Vera Viewer',
  role: 'viewer',
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export function tokenPair(user: User = viewer, n = 1): TokenPair {
  return {
    tokenType: 'Bearer',
    accessToken: `access-${n}`,
    expiresIn: 900,
    refreshToken: `refresh-${n}`,
    refreshExpiresAt: '2030-01-01T00:00:00.000Z',
    user,
  };
}

export function progressInput(
  mediaId: string,
  positionSeconds: number,
  durationSeconds: number | null = 600,
): ProgressInput {
  return {
    mediaId,
    positionSeconds,
    durationSeconds,
    title: { id: mediaId, slug: `title-${mediaId}`, name: `Title ${mediaId}`, kind: 'movie', posterRef: null },
    episode: null,
  };
}

/** A Storage over a Map (localStorage in a browser). */
export function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, String(value)),
  };
}

/** A fetch that answers from a handler and records the requests (for the real SDK client). */
export function recordingFetch(handler: (method: string, url: URL, body: unknown) => Response | Promise<Response>) {
  const calls: Array<{ method: string; url: URL; body: unknown; headers: Headers }> = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, url, body, headers: new Headers(init?.headers) });
    return handler(method, url, body);
  };
  return { fetch, calls };
}

export function problem(status: number, code: string): Response {
  return new Response(JSON.stringify({ type: 'x', title: code, status, code }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
