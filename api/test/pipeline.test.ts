import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageQueue } from '@aleflix/core';
import { JobDispatcher } from '../src/media/job-dispatcher.js';
import { JOBS_QUEUE } from '../src/media/media.tokens.js';
import { JobsRepository } from '../src/media/jobs.repository.js';
import { AssetsRepository } from '../src/media/assets.repository.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { makeClip, notMedia, uploadWhole, waitForAsset } from './media-helpers.js';

/**
 * The whole flow on embedded defaults, with the worker running inside the API:
 * upload → queue → ffmpeg → events → ready → signed playback URL → HLS files.
 */
describe.each(databaseTargets())('media pipeline on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let viewer: string;
  let movieId: string;
  let assetId: string;
  const clip = makeClip(3);

  beforeAll(async () => {
    t = await createTestApp(target, { BACKGROUND_TASKS: 'true' });
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
    movieId = (
      await t.request('POST', '/titles', {
        token: editor,
        body: { kind: 'movie', name: 'Pipeline Movie', status: 'published' },
      })
    ).json().id;
    assetId = (await uploadWhole(t, editor, clip, { attachTo: { titleId: movieId } })).assetId;
    await waitForAsset(t, editor, assetId, (asset) => asset.status === 'ready' || asset.status === 'failed');
  });
  afterAll(() => t.close());

  it('transcodes an upload into adaptive HLS and records what it made', async () => {
    const asset = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
    expect(asset).toMatchObject({
      status: 'ready',
      width: 320,
      height: 240,
      videoCodec: 'h264',
      audioCodec: 'aac',
      hasPoster: true,
      hasThumbnails: true,
    });
    expect(asset.durationSeconds).toBeGreaterThan(2.5);
    expect(asset.renditions.map((r: any) => r.name)).toEqual(['240p']);
    expect(asset.job).toMatchObject({ status: 'succeeded', progress: 100, attempt: 1 });
    expect(asset.job.workerId).toMatch(/^embedded:/);
    const jobs = (await t.request('GET', '/jobs', { token: editor, query: { assetId } })).json();
    expect(jobs.items).toHaveLength(1);
  });

  it('hands viewers a signed URL for the published movie and serves the HLS files under it', async () => {
    const playback = await t.request('GET', `/media/stream/${movieId}`, { token: viewer });
    expect(playback.status).toBe(200);
    const { url, posterUrl, thumbnailsUrl } = playback.json();
    const path = (absolute: string) => new URL(absolute).pathname;
    const master = await t.request('GET', path(url));
    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toContain('mpegurl');
    expect(master.body).toMatch(
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,.*RESOLUTION=320x240,CODECS="avc1\.[0-9A-F]{6},mp4a\.40\.2"/,
    );
    const rendition = master.body.split('\n').find((line) => line.endsWith('.m3u8'))!;
    const base = path(url).replace(/master\.m3u8$/, '');
    const media = await t.request('GET', base + rendition);
    expect(media.body).toContain('#EXT-X-MAP:URI="init.mp4"');
    const segment = media.body.split('\n').find((line) => line.endsWith('.m4s'))!;
    const segmentPath = base + rendition.replace(/index\.m3u8$/, '') + segment;
    const whole = await t.app.inject({ method: 'GET', url: segmentPath });
    expect(whole.statusCode).toBe(200);
    const ranged = await t.app.inject({ method: 'GET', url: segmentPath, headers: { range: 'bytes=0-99' } });
    expect([ranged.statusCode, ranged.rawPayload.length]).toEqual([206, 100]);
    expect(ranged.headers['content-range']).toBe(`bytes 0-99/${whole.rawPayload.length}`);
    expect((await t.request('GET', path(posterUrl))).headers['content-type']).toBe('image/jpeg');
    expect((await t.request('GET', path(thumbnailsUrl))).body).toMatch(/^WEBVTT/);
  });

  it('refuses tampered, expired and path-trick playback URLs', async () => {
    const { url } = (await t.request('GET', `/media/stream/${assetId}`, { token: viewer })).json();
    const path = new URL(url).pathname;
    const tampered = path.replace(/\/(\d+)\./, (_m, expiry) => `/${Number(expiry) + 1}.`);
    expect((await t.request('GET', tampered)).json().code).toBe('playback_url_invalid');
    const otherAsset = path.replace(assetId, '00000000-0000-4000-8000-000000000000');
    expect((await t.request('GET', otherAsset)).json().code).toBe('playback_url_invalid');
    for (const trick of [
      '../source',
      '..%2Fsource',
      '%2e%2e/source',
      'x/../../source',
      'master.m3u8%00.jpg',
      '.multipart/x',
    ]) {
      const response = await t.request('GET', path.replace(/master\.m3u8$/, trick));
      expect(response.status, trick).toBeGreaterThanOrEqual(400);
      expect(response.status, trick).toBeLessThan(500);
    }
    t.clock.advance(7 * 3600 * 1000);
    const expired = await t.request('GET', path);
    expect([expired.status, expired.json().code]).toEqual([403, 'playback_url_expired']);
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
  });

  it('does nothing new when a finished job is delivered again', async () => {
    const before = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
    const job = await t.app.get(JobsRepository).latestForAsset(assetId);
    const asset = await t.app.get(AssetsRepository).findById(assetId);
    await t.app.get(JobDispatcher).dispatch(job!, asset!.sourceKey);
    // The worker re-announces the stored result; wait until it has been consumed.
    const attemptDir = join(t.home, 'media', 'assets', assetId, 'attempts', '1');
    const deadline = Date.now() + 30_000;
    let runs = readdirSync(attemptDir).filter((name) => name.startsWith('run-'));
    while (Date.now() < deadline) {
      const stats = await t.app.get(JobsRepository).findById(job!.id);
      runs = readdirSync(attemptDir).filter((name) => name.startsWith('run-'));
      if (stats?.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(runs).toHaveLength(1);
    const after = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
    expect(after.updatedAt).toBe(before.updatedAt);
  });

  it('fails corrupt media with a stable code, and keeps it failed on retry', async () => {
    const bad = (await uploadWhole(t, editor, notMedia())).assetId;
    const failed = await waitForAsset(t, editor, bad, (asset) => asset.status === 'failed');
    expect(failed).toMatchObject({
      errorCode: 'media_unreadable',
      job: { status: 'failed', errorCode: 'media_unreadable' },
    });
    const retry = await t.request('POST', `/assets/${bad}/retranscode`, { token: editor });
    expect(retry.status).toBe(202);
    expect(retry.json().job.attempt).toBe(2);
    const again = await waitForAsset(
      t,
      editor,
      bad,
      (asset) => asset.job?.attempt === 2 && asset.job.status === 'failed',
    );
    expect(again.status).toBe('failed');
    const busy = await t.request('POST', `/assets/${assetId}/retranscode`, { token: editor });
    expect(busy.status).toBe(202);
    const busyAgain = await t.request('POST', `/assets/${assetId}/retranscode`, { token: editor });
    expect(busyAgain.status === 202 || busyAgain.json().code === 'asset_busy').toBe(true);
  });

  it('lets viewers play only what belongs to a published title', async () => {
    const loose = (await uploadWhole(t, editor, clip)).assetId;
    await waitForAsset(t, editor, loose, (asset) => asset.status === 'ready');
    expect((await t.request('GET', `/media/stream/${loose}`, { token: viewer })).json().code).toBe('not_playable');
    expect((await t.request('GET', `/media/stream/${loose}`, { token: editor })).status).toBe(200);
    const draft = (
      await t.request('POST', '/titles', { token: editor, body: { kind: 'movie', name: 'Draft Movie' } })
    ).json();
    await t.request('PUT', `/assets/${loose}/attachment`, { token: editor, body: { titleId: draft.id } });
    expect((await t.request('GET', `/media/stream/${draft.id}`, { token: viewer })).json().code).toBe('not_playable');
    expect((await t.request('GET', `/media/stream/${draft.id}`, { token: editor })).status).toBe(200);
  });

  it('dead-letters a message no worker can read, with its reason visible through the API', async () => {
    const queue = t.app.get<MessageQueue>(JOBS_QUEUE);
    await queue.send('{"type":"transcode","version":99}');
    const deadline = Date.now() + 30_000;
    let letters: any[] = [];
    while (Date.now() < deadline) {
      letters = (await t.request('GET', '/jobs/dead-letters', { token: editor })).json().items;
      if (letters.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(letters[0]).toMatchObject({ queue: 'jobs', body: '{"type":"transcode","version":99}' });
    expect(letters[0].reason).toMatch(/invalid job message/);
    expect((await t.request('GET', '/jobs/dead-letters', { token: viewer })).status).toBe(403);
  });

  it('deletes an asset with every file it had', async () => {
    const doomed = (await uploadWhole(t, editor, clip)).assetId;
    await waitForAsset(t, editor, doomed, (asset) => asset.status === 'ready');
    const dir = join(t.home, 'media', 'assets', doomed);
    expect(existsSync(dir)).toBe(true);
    expect((await t.request('DELETE', `/assets/${doomed}`, { token: editor })).status).toBe(204);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await t.request('GET', `/assets/${doomed}`, { token: editor })).status).toBe(404);
    expect((await t.request('GET', `/media/stream/${doomed}`, { token: editor })).json().code).toBe('not_playable');
  });
});
