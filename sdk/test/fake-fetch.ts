// A scripted stand-in for fetch: records every call and answers with the handler's response.
import type { FetchLike } from '../src/index.js';

export interface RecordedCall {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

export type Handler = (call: RecordedCall, index: number) => Response | Promise<Response>;

export function fakeFetch(handler: Handler): { fetch: FetchLike; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const fetch: FetchLike = async (input, init) => {
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const call: RecordedCall = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init?.headers),
      body: text === undefined ? undefined : JSON.parse(text),
    };
    calls.push(call);
    return handler(call, calls.length - 1);
  };
  return { fetch, calls };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  const body = {
    type: `https://aleflix.dev/problems/${code}`,
    title: code,
    status,
    code,
    detail: `detail of ${code}`,
    requestId: `req-${code}`,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': `hdr-${code}`, ...headers },
  });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

export function tokenPair(n: number) {
  return {
    tokenType: 'Bearer',
    accessToken: `access-${n}`,
    expiresIn: 900,
    refreshToken: `refresh-${n}`,
    refreshExpiresAt: '2030-01-01T00:00:00.000Z',
    user: {
      id: '00000000-0000-4000-8000-000000000001',
      email: 'admin@aleflix.test',
      displayName: 'Admin',
      role: 'admin',
      disabled: false,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
  };
}

export function title(slug: string, version = 1) {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    slug,
    kind: 'movie',
    name: slug,
    synopsis: '',
    year: null,
    genres: [],
    tags: [],
    maturityRating: null,
    originalLanguage: null,
    status: 'draft',
    externalId: null,
    posterRef: null,
    backdropRef: null,
    metadata: {},
    version,
    publishedAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}
