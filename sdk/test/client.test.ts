import { describe, expect, it } from 'vitest';
import { AleflixApiError, AleflixNetworkError, createClient } from '../src/index.js';
import { fakeFetch, json, noContent, problem, title } from './fake-fetch.js';

const baseUrl = 'http://api.test/';

describe('requests', () => {
  it('fills and encodes path parameters, serializes the query and skips undefined values', async () => {
    const { fetch, calls } = fakeFetch(() => json({ items: [], nextCursor: null }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    await client.request('delete', '/titles/{title}/seasons/{season}/episodes/{episode}', {
      params: { path: { title: 'a b/c', season: 2, episode: 10 } },
    });
    await client.titles.list({ q: 'coração', year: 1999, genre: undefined, sort: 'name' });
    expect(calls[0]!.url.pathname).toBe('/titles/a%20b%2Fc/seasons/2/episodes/10');
    expect(calls[1]!.url.pathname).toBe('/titles');
    expect(Object.fromEntries(calls[1]!.url.searchParams)).toEqual({ q: 'coração', year: '1999', sort: 'name' });
  });

  it('sends JSON bodies with the bearer token and returns data, status and headers', async () => {
    const { fetch, calls } = fakeFetch(() => json(title('heat'), 201, { etag: '"v1"' }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const response = await client.request('post', '/titles', { body: { kind: 'movie', name: 'Heat' } });
    expect(response.status).toBe(201);
    expect(response.data.slug).toBe('heat');
    expect(response.headers.get('etag')).toBe('"v1"');
    const call = calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.headers.get('authorization')).toBe('Bearer tok');
    expect(call.headers.get('content-type')).toBe('application/json');
    expect(call.body).toEqual({ kind: 'movie', name: 'Heat' });
  });

  it('sends an API key as X-API-Key and no credentials to public operations', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.pathname === '/health/live' ? json({ status: 'ok' }) : json({ items: [] }),
    );
    const client = createClient({ baseUrl, apiKey: 'alx_secret', fetch });
    await client.apiKeys.list();
    await client.health.live();
    expect(calls[0]!.headers.get('x-api-key')).toBe('alx_secret');
    expect(calls[1]!.headers.get('x-api-key')).toBeNull();
    expect(calls[1]!.headers.get('authorization')).toBeNull();
  });

  it('keeps instances apart: each has its own credentials and fetch', async () => {
    const first = fakeFetch(() => json({ items: [] }));
    const second = fakeFetch(() => json({ items: [] }));
    const admin = createClient({ baseUrl, token: 'admin-token', fetch: first.fetch });
    const viewer = createClient({ baseUrl: 'http://other.test', apiKey: 'alx_viewer', fetch: second.fetch });
    await Promise.all([admin.apiKeys.list(), viewer.apiKeys.list()]);
    expect(first.calls[0]!.headers.get('authorization')).toBe('Bearer admin-token');
    expect(first.calls[0]!.url.host).toBe('api.test');
    expect(second.calls[0]!.headers.get('x-api-key')).toBe('alx_viewer');
    expect(second.calls[0]!.headers.get('authorization')).toBeNull();
    expect(second.calls[0]!.url.host).toBe('other.test');
  });
});

describe('ETags', () => {
  it('returns the ETag of a read and sends it back as If-Match on update', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.method === 'GET'
        ? json({ ...title('heat'), seasons: [] }, 200, { etag: '"v1"' })
        : json(title('heat', 2), 200, { etag: '"v2"' }),
    );
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const { etag } = await client.titles.get('heat');
    const updated = await client.titles.update('heat', { name: 'Heat (1995)' }, { ifMatch: etag });
    expect(etag).toBe('"v1"');
    expect(calls[1]!.method).toBe('PATCH');
    expect(calls[1]!.headers.get('if-match')).toBe('"v1"');
    expect(updated).toEqual({ data: title('heat', 2), etag: '"v2"' });
  });

  it('tells an upsert that created from one that updated', async () => {
    const { fetch, calls } = fakeFetch((_, index) => json(title('heat'), index === 0 ? 201 : 200, { etag: '"v1"' }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const first = await client.titles.upsertByExternalId('tmdb:949', { kind: 'movie', name: 'Heat' });
    const second = await client.titles.upsertByExternalId(
      'tmdb:949',
      { kind: 'movie', name: 'Heat' },
      { ifMatch: '"v1"' },
    );
    expect([first.created, second.created]).toEqual([true, false]);
    expect(calls[0]!.url.pathname).toBe('/titles/by-external-id/tmdb%3A949');
    expect(calls[0]!.headers.get('if-match')).toBeNull();
    expect(calls[1]!.headers.get('if-match')).toBe('"v1"');
  });

  it('fails clearly when a response that must carry an ETag does not', async () => {
    const { fetch } = fakeFetch(() => json({ ...title('heat'), seasons: [] }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    await expect(client.titles.get('heat')).rejects.toThrow(/no ETag header/);
  });
});

describe('errors', () => {
  it('throws AleflixApiError with the status, the typed code, the problem and the request id', async () => {
    const { fetch } = fakeFetch(() => problem(412, 'precondition_failed'));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const error = await client.titles.update('heat', { name: 'x' }, { ifMatch: '"v0"' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AleflixApiError);
    expect(error).toBeInstanceOf(Error);
    const apiError = error as AleflixApiError;
    expect(apiError.status).toBe(412);
    expect(apiError.code).toBe('precondition_failed');
    expect(apiError.problem?.detail).toBe('detail of precondition_failed');
    expect(apiError.requestId).toBe('req-precondition_failed');
    expect(apiError.message).toContain('PATCH http://api.test/titles/heat failed with 412');
  });

  it('keeps the status and the X-Request-Id when the body is not problem+json', async () => {
    const { fetch } = fakeFetch(
      () =>
        new Response('<html>bad gateway</html>', {
          status: 502,
          headers: { 'x-request-id': 'edge-1', 'content-type': 'text/html' },
        }),
    );
    const client = createClient({ baseUrl, token: 'tok', fetch, retry: { attempts: 1 } });
    const error = (await client.titles.list().catch((e: unknown) => e)) as AleflixApiError;
    expect(error).toBeInstanceOf(AleflixApiError);
    expect([error.status, error.code, error.problem, error.requestId]).toEqual([502, undefined, undefined, 'edge-1']);
  });

  it('reports a failure without a response as AleflixNetworkError with the cause', async () => {
    const refused = new TypeError('fetch failed: ECONNREFUSED');
    const client = createClient({ baseUrl, token: 'tok', fetch: () => Promise.reject(refused) });
    const error = (await client.titles
      .create({ kind: 'movie', name: 'x' })
      .catch((e: unknown) => e)) as AleflixNetworkError;
    expect(error).toBeInstanceOf(AleflixNetworkError);
    expect(error.cause).toBe(refused);
    expect(error.message).toContain(
      'POST http://api.test/titles failed without a response: fetch failed: ECONNREFUSED',
    );
  });

  it('returns undefined for 204 responses', async () => {
    const { fetch } = fakeFetch(() => noContent());
    const client = createClient({ baseUrl, token: 'tok', fetch });
    await expect(client.titles.delete('heat', { ifMatch: '"v3"' })).resolves.toBeUndefined();
    const raw = await client.request('delete', '/titles/{title}', { params: { path: { title: 'heat' } } });
    expect(raw).toMatchObject({ status: 204, data: undefined });
  });
});

describe('iteration', () => {
  it('follows nextCursor through every page, keeping the filters', async () => {
    const pages: Record<string, { items: unknown[]; nextCursor: string | null }> = {
      '': { items: [title('a'), title('b')], nextCursor: 'c1' },
      c1: { items: [title('c')], nextCursor: 'c2' },
      c2: { items: [title('d')], nextCursor: null },
    };
    const { fetch, calls } = fakeFetch((call) => json(pages[call.url.searchParams.get('cursor') ?? '']));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const slugs: string[] = [];
    for await (const item of client.titles.iterate({ q: 'x', limit: 2 })) slugs.push(item.slug);
    expect(slugs).toEqual(['a', 'b', 'c', 'd']);
    expect(calls.map((call) => call.url.search)).toEqual([
      '?q=x&limit=2',
      '?q=x&limit=2&cursor=c1',
      '?q=x&limit=2&cursor=c2',
    ]);
  });

  it('fetches no further page once the caller stops', async () => {
    const { fetch, calls } = fakeFetch(() => json({ items: [title('a'), title('b')], nextCursor: 'more' }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    for await (const item of client.titles.iterate()) if (item.slug === 'a') break;
    expect(calls).toHaveLength(1);
  });

  it('iterates users and refuses a cursor that does not advance', async () => {
    const user = {
      id: '1',
      email: 'a@b.co',
      displayName: 'A',
      role: 'viewer',
      disabled: false,
      createdAt: '',
      updatedAt: '',
    };
    const { fetch, calls } = fakeFetch(() => json({ items: [user], nextCursor: 'same' }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const seen: string[] = [];
    await expect(async () => {
      for await (const item of client.users.iterate({ limit: 1 })) seen.push(item.email);
    }).rejects.toThrow(/did not advance/);
    expect(seen).toEqual(['a@b.co', 'a@b.co']);
    expect(calls.map((call) => call.url.pathname)).toEqual(['/users', '/users']);
  });
});
