import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';

describe.each(databaseTargets())('watch progress on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let viewer: string;
  let movie: any;
  let draft: any;
  let episodeId: string;

  beforeAll(async () => {
    t = await createTestApp(target);
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
    movie = (
      await t.request('POST', '/titles', {
        token: editor,
        body: { kind: 'movie', name: 'Resume Me', status: 'published' },
      })
    ).json();
    draft = (
      await t.request('POST', '/titles', { token: editor, body: { kind: 'movie', name: 'Hidden Draft' } })
    ).json();
    const series = (
      await t.request('POST', '/titles', {
        token: editor,
        body: { kind: 'series', name: 'Binge', status: 'published' },
      })
    ).json();
    const detail = (
      await t.request('PUT', `/titles/${series.id}/seasons/2/episodes/3`, { token: editor, body: { name: 'Third' } })
    ).json();
    episodeId = detail.seasons[0].episodes[0].id;
  });
  afterAll(() => t.close());

  it('saves, reads, lists and forgets a position, per user', async () => {
    const saved = await t.request('PUT', `/me/progress/${movie.id}`, {
      token: viewer,
      body: { positionSeconds: 42.5, durationSeconds: 600 },
    });
    expect(saved.status).toBe(200);
    expect(saved.json()).toMatchObject({
      mediaId: movie.id,
      titleId: movie.id,
      episodeId: null,
      positionSeconds: 42.5,
      completed: false,
      title: { slug: 'resume-me' },
    });
    const again = await t.request('PUT', `/me/progress/${movie.id}`, {
      token: viewer,
      body: { positionSeconds: 60, durationSeconds: 600 },
    });
    expect(again.json().positionSeconds).toBe(60);
    const episode = await t.request('PUT', `/me/progress/${episodeId}`, {
      token: viewer,
      body: { positionSeconds: 5 },
    });
    expect(episode.json()).toMatchObject({
      episode: { seasonNumber: 2, number: 3, name: 'Third' },
      durationSeconds: null,
    });
    const list = (await t.request('GET', '/me/progress', { token: viewer })).json();
    expect(list.items.map((item: any) => item.mediaId)).toEqual([episodeId, movie.id]);
    expect((await t.request('GET', '/me/progress', { token: editor })).json().items).toEqual([]);
    expect((await t.request('GET', `/me/progress/${movie.id}`, { token: editor })).status).toBe(204);
    expect((await t.request('DELETE', `/me/progress/${movie.id}`, { token: viewer })).status).toBe(204);
    expect((await t.request('GET', `/me/progress/${movie.id}`, { token: viewer })).status).toBe(204);
    expect((await t.request('GET', `/me/progress/${draft.id}`, { token: viewer })).json().code).toBe('not_found');
  });

  it('marks the end as completed and leaves it out of continue watching', async () => {
    await t.request('PUT', `/me/progress/${movie.id}`, {
      token: viewer,
      body: { positionSeconds: 590, durationSeconds: 600 },
    });
    expect((await t.request('GET', `/me/progress/${movie.id}`, { token: viewer })).json().completed).toBe(true);
    const ids = (await t.request('GET', '/me/progress', { token: viewer }))
      .json()
      .items.map((item: any) => item.mediaId);
    expect(ids).not.toContain(movie.id);
  });

  it('refuses what the caller cannot watch and bad positions', async () => {
    expect(
      (await t.request('PUT', `/me/progress/${draft.id}`, { token: viewer, body: { positionSeconds: 1 } })).status,
    ).toBe(404);
    expect(
      (await t.request('PUT', `/me/progress/${draft.id}`, { token: editor, body: { positionSeconds: 1 } })).status,
    ).toBe(200);
    expect(
      (await t.request('PUT', `/me/progress/not-an-id`, { token: viewer, body: { positionSeconds: 1 } })).status,
    ).toBe(404);
    expect(
      (await t.request('PUT', `/me/progress/${movie.id}`, { token: viewer, body: { positionSeconds: -1 } })).status,
    ).toBe(400);
    expect(
      (await t.request('PUT', `/me/progress/${movie.id}`, { token: viewer, body: { positionSeconds: 1, x: 1 } }))
        .status,
    ).toBe(400);
    expect((await t.request('GET', '/me/progress')).status).toBe(401);
  });
});
