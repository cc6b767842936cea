import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReadyAsset } from './cache-seeds.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './redis-test-support.js';

interface Variant {
  name: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

const prefix = uniquePrefix('catalog-cache');
const redisUrl = TEST_REDIS_URL;
const variants: Variant[] = [{ name: 'the in-process cache', env: {}, cleanup: async () => {} }];
if (redisUrl) {
  variants.push({
    name: 'Redis',
    env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix },
    cleanup: () => deleteKeys(redisUrl, prefix),
  });
}

/**
 * The cache wired into the catalog and playback: repeated reads are hits, and every write
 * that changes an answer is visible in the very next read, for each visibility class.
 */
describe.each(variants)('catalog and playback caching with $name', (variant) => {
  let t: TestApp;
  let editor: string;
  let viewer: string;

  const lookups = async (cache: string, result: 'hit' | 'miss') =>
    sampleValue(parsePrometheusText((await t.request('GET', '/metrics')).body), 'aleflix_cache_requests_total', {
      cache,
      result,
    }) ?? 0;

  const patch = async (id: string, body: Record<string, unknown>) => {
    const current = await t.request('GET', `/titles/${id}`, { token: editor });
    const response = await t.request('PATCH', `/titles/${id}`, {
      token: editor,
      headers: { 'if-match': String(current.headers.etag) },
      body,
    });
    expect(response.status, response.body).toBe(200);
  };

  beforeAll(async () => {
    t = await createTestApp(databaseTargets()[0]!, variant.env);
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
  });
  afterAll(async () => {
    await t?.close();
    await variant.cleanup();
  });

  it('answers repeated list and detail reads from the cache', async () => {
    const created = await t.request('POST', '/titles', {
      token: editor,
      body: { kind: 'movie', name: 'Cached Movie', status: 'published' },
    });
    const id = created.json().id;
    const hitsBefore = await lookups('catalog', 'hit');
    const first = await t.request('GET', `/titles/${id}`, { token: viewer });
    const second = await t.request('GET', `/titles/${id}`, { token: viewer });
    expect(second.json()).toEqual(first.json());
    expect(second.headers.etag).toBe(first.headers.etag);
    const list = await t.request('GET', '/titles?limit=5', { token: viewer });
    expect((await t.request('GET', '/titles?limit=5', { token: viewer })).json()).toEqual(list.json());
    expect(await lookups('catalog', 'hit')).toBeGreaterThanOrEqual(hitsBefore + 2);
  });

  it('serves a change on the next read: rename, publish, seasons, delete', async () => {
    const series = (
      await t.request('POST', '/titles', { token: editor, body: { kind: 'series', name: 'Draft Series' } })
    ).json();
    // Viewers and editors are cached apart: the draft is a 404 to one and a page to the other.
    expect((await t.request('GET', `/titles/${series.id}`, { token: viewer })).status).toBe(404);
    expect((await t.request('GET', `/titles/${series.id}`, { token: editor })).status).toBe(200);
    const viewerList = async () =>
      (await t.request('GET', '/titles?kind=series', { token: viewer })).json().items.map((i: { id: string }) => i.id);
    expect(await viewerList()).not.toContain(series.id);

    await patch(series.id, { status: 'published' });
    expect((await t.request('GET', `/titles/${series.id}`, { token: viewer })).status).toBe(200);
    expect(await viewerList()).toContain(series.id);

    await patch(series.id, { name: 'Renamed Series' });
    expect((await t.request('GET', `/titles/${series.id}`, { token: viewer })).json().name).toBe('Renamed Series');
    expect((await t.request('GET', `/titles/${series.slug}`, { token: viewer })).json().name).toBe('Renamed Series');

    const season = await t.request('PUT', `/titles/${series.id}/seasons/1`, { token: editor, body: { name: 'One' } });
    expect(season.status).toBe(201);
    const page = (await t.request('GET', `/titles/${series.id}`, { token: viewer })).json();
    expect(page.seasons.map((s: { number: number }) => s.number)).toEqual([1]);

    const etag = String((await t.request('GET', `/titles/${series.id}`, { token: editor })).headers.etag);
    const removed = await t.request('DELETE', `/titles/${series.id}`, { token: editor, headers: { 'if-match': etag } });
    expect(removed.status).toBe(204);
    expect((await t.request('GET', `/titles/${series.id}`, { token: viewer })).status).toBe(404);
    expect(await viewerList()).not.toContain(series.id);
  });

  it('caches playback lookups of ready assets and drops them when the asset or its title changes', async () => {
    const movie = (
      await t.request('POST', '/titles', {
        token: editor,
        body: { kind: 'movie', name: 'Playable', status: 'published' },
      })
    ).json();
    const assetId = await seedReadyAsset(t.dataSource, t.home, movie.id);
    const hitsBefore = await lookups('playback', 'hit');
    const first = await t.request('GET', `/media/stream/${movie.id}`, { token: viewer });
    expect(first.status, first.body).toBe(200);
    expect(first.json().assetId).toBe(assetId);
    expect((await t.request('GET', `/media/stream/${movie.id}`, { token: viewer })).status).toBe(200);
    // The segment route reads the asset per file: cached too.
    const url = new URL(first.json().url);
    const base = url.pathname.replace(/master\.m3u8$/, '');
    expect((await t.request('GET', `${base}seg0.m4s`)).status).toBe(200);
    expect((await t.request('GET', `${base}seg0.m4s`)).status).toBe(200);
    expect(await lookups('playback', 'hit')).toBeGreaterThanOrEqual(hitsBefore + 2);

    // Back to draft: viewers may no longer play it, editors still can.
    await patch(movie.id, { status: 'draft' });
    expect((await t.request('GET', `/media/stream/${movie.id}`, { token: viewer })).json().code).toBe('not_playable');
    expect((await t.request('GET', `/media/stream/${movie.id}`, { token: editor })).status).toBe(200);

    // Deleted: nothing to play, and its files are no longer served.
    expect((await t.request('DELETE', `/assets/${assetId}`, { token: editor })).status).toBe(204);
    expect((await t.request('GET', `/media/stream/${movie.id}`, { token: editor })).json().code).toBe('not_playable');
    expect((await t.request('GET', `${base}seg0.m4s`)).status).toBe(404);
  });
});
