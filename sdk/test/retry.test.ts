import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AleflixApiError, AleflixNetworkError, createClient } from '../src/index.js';
import { backoffDelay, parseRetryAfter, retryPolicy } from '../src/retry.js';
import { fakeFetch, json, problem, title } from './fake-fetch.js';

const baseUrl = 'http://api.test';

describe('retry schedule', () => {
  const policy = retryPolicy({ attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 });

  it('draws a full-jitter delay below an exponential ceiling capped at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, policy, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('rejects attempts below one', () => {
    expect(() => retryPolicy({ attempts: 0 })).toThrow(RangeError);
  });
});

describe('retries', () => {
  beforeEach(() => {
    // Only the timers the retry waits use: fetch and Response bodies keep their real scheduling.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00Z') });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('waits the Retry-After seconds before retrying a GET', async () => {
    const { fetch, calls } = fakeFetch((_, index) =>
      index === 0 ? problem(429, 'rate_limited', { 'retry-after': '2' }) : json({ items: [], nextCursor: null }),
    );
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const result = client.titles.list();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual({ items: [], nextCursor: null });
    expect(calls).toHaveLength(2);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const { fetch, calls } = fakeFetch((_, index) =>
      index === 0
        ? problem(503, 'service_unavailable', { 'retry-after': 'Thu, 01 Jan 2026 00:00:04 GMT' })
        : json({ status: 'ok' }),
    );
    const client = createClient({ baseUrl, fetch });
    const result = client.health.live();
    await vi.advanceTimersByTimeAsync(3_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual({ status: 'ok' });
  });

  it('backs off exponentially with jitter on 502/503/504 and gives up after the attempts', async () => {
    const statuses = [502, 504, 503];
    const { fetch, calls } = fakeFetch((_, index) => problem(statuses[index] ?? 503, 'service_unavailable'));
    const client = createClient({ baseUrl, token: 'tok', fetch, retry: { attempts: 3, baseDelayMs: 100 } });
    const result = client.titles.get('heat').catch((e: unknown) => e);
    // random() = 0.5: attempt 1 waits 0.5 × 100 ms, attempt 2 waits 0.5 × 200 ms.
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const error = (await result) as AleflixApiError;
    expect(calls).toHaveLength(3);
    expect(error).toBeInstanceOf(AleflixApiError);
    expect(error.status).toBe(503);
  });

  it('retries PUT and DELETE, which are idempotent', async () => {
    const { fetch, calls } = fakeFetch((call, index) =>
      index % 2 === 0
        ? problem(503, 'service_unavailable')
        : call.method === 'PUT'
          ? json(title('x'), 201, { etag: '"v1"' })
          : new Response(null, { status: 204 }),
    );
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const upsert = client.titles.upsertByExternalId('ext-1', { kind: 'movie', name: 'x' });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(upsert).resolves.toMatchObject({ created: true, etag: '"v1"' });
    const removal = client.titles.delete('x');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(removal).resolves.toBeUndefined();
    expect(calls.map((call) => call.method)).toEqual(['PUT', 'PUT', 'DELETE', 'DELETE']);
  });

  it('never retries POST or PATCH', async () => {
    const { fetch, calls } = fakeFetch(() => problem(503, 'service_unavailable', { 'retry-after': '0' }));
    const client = createClient({ baseUrl, token: 'tok', fetch, retry: { attempts: 5 } });
    await expect(client.titles.create({ kind: 'movie', name: 'x' })).rejects.toMatchObject({ status: 503 });
    await expect(client.titles.update('x', { name: 'y' }, { ifMatch: '"v1"' })).rejects.toMatchObject({ status: 503 });
    expect(calls.map((call) => call.method)).toEqual(['POST', 'PATCH']);
  });

  it('does not retry a POST that failed on the network either', async () => {
    const { fetch, calls } = fakeFetch(() => Promise.reject(new TypeError('socket hang up')));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    await expect(client.users.create({ email: 'a@b.co', password: 'long-enough-password' })).rejects.toBeInstanceOf(
      AleflixNetworkError,
    );
    expect(calls).toHaveLength(1);
  });

  it('retries a GET after network errors', async () => {
    const { fetch, calls } = fakeFetch((_, index) =>
      index < 2 ? Promise.reject(new TypeError('ECONNRESET')) : json({ status: 'ok' }),
    );
    const client = createClient({ baseUrl, fetch, retry: { attempts: 3, baseDelayMs: 10 } });
    const result = client.health.live();
    await vi.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toEqual({ status: 'ok' });
    expect(calls).toHaveLength(3);
  });

  it('does not retry other errors or wait longer than maxDelayMs', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.pathname === '/titles'
        ? problem(400, 'validation_failed')
        : problem(429, 'rate_limited', { 'retry-after': '120' }),
    );
    const client = createClient({ baseUrl, token: 'tok', fetch, retry: { maxDelayMs: 60_000 } });
    await expect(client.titles.list()).rejects.toMatchObject({ code: 'validation_failed' });
    const error = (await client.users.list().catch((e: unknown) => e)) as AleflixApiError;
    expect(error.code).toBe('rate_limited');
    expect(error.headers.get('retry-after')).toBe('120');
    expect(calls).toHaveLength(2);
  });

  it('stops waiting when the caller aborts', async () => {
    const { fetch, calls } = fakeFetch(() => problem(503, 'service_unavailable', { 'retry-after': '10' }));
    const client = createClient({ baseUrl, token: 'tok', fetch });
    const controller = new AbortController();
    const result = client.titles.list({}, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error('user cancelled'));
    expect(await result).toMatchObject({ message: 'user cancelled' });
    expect(calls).toHaveLength(1);
  });
});
