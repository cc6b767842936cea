import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageQueue } from '@aleflix/core';
import { JobDispatcher } from '../src/media/job-dispatcher.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from '../src/media/media.tokens.js';
import { JobsRepository } from '../src/media/jobs.repository.js';
import { AssetsRepository } from '../src/media/assets.repository.js';
import { createTestApp, type TestApp } from './http-harness.js';
import {
  makeClip,
  notMedia,
  putPresignedPart,
  randomFile,
  sha256,
  uploadWhole,
  waitForAsset,
} from './media-helpers.js';
import { fetchMedia, mediaTargets, type MediaStack, type MediaTarget } from './media-targets.js';
import { probePlayback } from './playback-probe.js';

/**
 * The whole flow, with the worker running inside the API: upload → queue → ffmpeg → events →
 * ready → signed playback URL → HLS files. The same suite runs on the embedded defaults
 * (local disk, database queue) and on S3 + SQS (fauxqs), where parts go straight to storage
 * through presigned URLs and playback hands out presigned storage URLs.
 */
describe.each(mediaTargets())('media pipeline on $name', (target: MediaTarget) => {
  let stack: MediaStack;
  let t: TestApp;
  let editor: string;
  let viewer: string;
  let movieId: string;
  let assetId: string;
  const clip = makeClip(3);
  const onS3 = target.storage === 's3';

  beforeAll(async () => {
    stack = await target.start();
    t = await createTestApp(target.database, { ...stack.env, BACKGROUND_TASKS: 'true' });
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
  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

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
    // In storage: the source, the attempt's done marker and one run folder with the master.
    const keys = await stack.keysUnder(t, `assets/${assetId}/`);
    expect(keys).toContain(`assets/${assetId}/source`);
    expect(keys).toContain(`assets/${assetId}/attempts/1/done.json`);
    expect(keys.filter((key) => key.endsWith('/master.m3u8'))).toEqual([
      expect.stringMatching(new RegExp(`^assets/${assetId}/attempts/1/run-[0-9a-f-]{36}/master\\.m3u8$`)),
    ]);
  });

  it('hands viewers a signed URL for the published movie and serves the HLS files under it', async () => {
    const playback = await t.request('GET', `/media/stream/${movieId}`, { token: viewer });
    expect(playback.status).toBe(200);
    const { url, posterUrl, thumbnailsUrl } = playback.json();
    const master = await fetchMedia(t, url);
    expect(master.status).toBe(200);
    expect(master.contentType).toContain('mpegurl');
    expect(master.body.toString()).toMatch(
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,.*RESOLUTION=320x240,CODECS="avc1\.[0-9A-F]{6},mp4a\.40\.2"/,
    );
    // Playlists always come from the API (signed path), so their relative URIs inherit the token.
    const rendition = master.body
      .toString()
      .split('\n')
      .find((line) => line.endsWith('.m3u8'))!;
    expect(rendition).not.toMatch(/^[a-z]+:/);
    const mediaUrl = new URL(rendition, url).href;
    const media = (await fetchMedia(t, mediaUrl)).body.toString();
    const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(media)?.[1];
    const segmentUri = media.split('\n').find((line) => /\.m4s(\?|$)/.test(line));
    if (onS3) {
      // Media bytes never go through the API: the playlist names presigned storage URLs, which
      // live as long as the playback URL (a player fetches segments for the whole film).
      const playbackSeconds = (Date.parse(playback.json().expiresAt) - t.clock.now().getTime()) / 1000;
      for (const uri of [initUri, segmentUri]) {
        expect(uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
        expect(Number(new URL(uri!).searchParams.get('X-Amz-Expires'))).toBeGreaterThanOrEqual(playbackSeconds);
      }
    } else {
      expect([initUri, segmentUri?.endsWith('.m4s')]).toEqual(['init.mp4', true]);
    }
    const init = await fetchMedia(t, new URL(initUri!, mediaUrl).href);
    expect([init.status, init.body.subarray(4, 8).toString('latin1')]).toEqual([200, 'ftyp']);
    const segmentUrl = new URL(segmentUri!, mediaUrl).href;
    const whole = await fetchMedia(t, segmentUrl);
    expect(whole.status).toBe(200);
    expect(whole.body.length).toBeGreaterThan(100);
    const ranged = await fetchMedia(t, segmentUrl, 'bytes=0-99');
    expect([ranged.status, ranged.body.length]).toEqual([206, 100]);
    expect(ranged.contentRange).toBe(`bytes 0-99/${whole.body.length}`);
    expect(ranged.body).toEqual(whole.body.subarray(0, 100));

    const poster = await fetchMedia(t, posterUrl);
    expect([poster.status, poster.contentType, poster.body.subarray(0, 2).toString('hex')]).toEqual([
      200,
      'image/jpeg',
      'ffd8',
    ]);
    // On S3 the API answers media files under the signed path with a redirect to presigned storage URLs.
    if (onS3) expect(poster.redirectedTo).toMatch(/X-Amz-Signature=/);
    else expect(poster.redirectedTo).toBeUndefined();

    // The thumbnail track comes from the API itself on either storage, never a redirect: a
    // player resolves the sprite against the URL it read the track from.
    const thumbnails = await fetchMedia(t, thumbnailsUrl);
    expect([thumbnails.status, thumbnails.contentType, thumbnails.redirectedTo]).toEqual([
      200,
      'text/vtt; charset=utf-8',
      undefined,
    ]);
    const vtt = thumbnails.body.toString();
    expect(vtt).toMatch(/^WEBVTT\n/);
    const tiles = vtt.split('\n').filter((line) => line.includes('#xywh='));
    expect(tiles.length).toBeGreaterThanOrEqual(2);
    if (onS3) {
      // Rewritten per request like a playlist, with presigned URLs that live as long as the
      // playback URL, and cached as briefly as a playlist.
      const playbackSeconds = (Date.parse(playback.json().expiresAt) - t.clock.now().getTime()) / 1000;
      for (const tile of tiles) {
        expect(tile).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S*X-Amz-Signature=\S*#xywh=\d+,\d+,\d+,\d+$/);
        expect(Number(new URL(tile).searchParams.get('X-Amz-Expires'))).toBeGreaterThanOrEqual(playbackSeconds);
      }
      expect(thumbnails.cacheControl).toBe(master.cacheControl);
    } else {
      for (const tile of tiles) expect(tile).toMatch(/^sprite\.jpg#xywh=\d+,\d+,\d+,\d+$/);
    }
    // What a player fetches for a tile: the stored sprite, as a JPEG.
    const spriteUrl = new URL(tiles[0]!, thumbnailsUrl);
    spriteUrl.hash = '';
    const sprite = await fetchMedia(t, spriteUrl.href);
    expect([sprite.status, sprite.contentType, sprite.body.subarray(0, 2).toString('hex')]).toEqual([
      200,
      'image/jpeg',
      'ffd8',
    ]);
    const spriteKey = (await stack.keysUnder(t, `assets/${assetId}/`)).find((key) => key.endsWith('/sprite.jpg'));
    expect(sprite.body.equals(await stack.readObject(t, spriteKey!))).toBe(true);
  });

  it('plays the signed URL end to end with ffprobe over HTTP', async () => {
    await t.app.listen(0, '127.0.0.1');
    const base = await t.app.getUrl();
    const response = await fetch(`${base}/media/stream/${movieId}`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    expect(new URL(url).origin).toBe(new URL(base).origin);
    const { video, audio } = await probePlayback(url);
    expect(video).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    // 3 s at 25 fps: every segment was fetched and decoded.
    expect(Number(video.nb_read_frames)).toBeGreaterThanOrEqual(70);
    expect(audio?.codec_name).toBe('aac');
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
    const attemptPrefix = `assets/${assetId}/attempts/1/`;
    const runsBefore = runFolders(await stack.keysUnder(t, attemptPrefix));
    expect(runsBefore).toHaveLength(1);
    const job = await t.app.get(JobsRepository).latestForAsset(assetId);
    const asset = await t.app.get(AssetsRepository).findById(assetId);
    await t.app.get(JobDispatcher).dispatch(job!, asset!.sourceKey);
    // Settled when the worker has deleted the job message (after re-sending the stored ready
    // event) and the API has consumed every event.
    await waitForQueuesEmpty(t, [JOBS_QUEUE, EVENTS_QUEUE]);
    expect(runFolders(await stack.keysUnder(t, attemptPrefix))).toEqual(runsBefore);
    const after = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
    expect(after.updatedAt).toBe(before.updatedAt);
    expect(after.job).toEqual(before.job);
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
    // Parked, not left to come back: nothing is waiting on the jobs queue.
    await waitForQueuesEmpty(t, [JOBS_QUEUE]);
  });

  it('deletes an asset with every file it had', async () => {
    const doomed = (await uploadWhole(t, editor, clip)).assetId;
    await waitForAsset(t, editor, doomed, (asset) => asset.status === 'ready');
    const prefix = `assets/${doomed}/`;
    expect((await stack.keysUnder(t, prefix)).length).toBeGreaterThan(5);
    expect((await t.request('DELETE', `/assets/${doomed}`, { token: editor })).status).toBe(204);
    expect(await stack.keysUnder(t, prefix)).toEqual([]);
    expect((await t.request('GET', `/assets/${doomed}`, { token: editor })).status).toBe(404);
    expect((await t.request('GET', `/media/stream/${doomed}`, { token: editor })).json().code).toBe('not_playable');
  });

  it.runIf(onS3)(
    'takes parts straight to S3 through presigned URLs, in any order, resuming from what S3 has',
    async () => {
      // Two parts (the smallest part size is 5 MiB): the second one first, then resume.
      const data = randomFile(6 * 1024 * 1024);
      const created = await t.request('POST', '/uploads', {
        token: editor,
        body: { filename: 'big.bin', size: data.length, contentType: 'video/mp4' },
      });
      const { upload } = created.json();
      expect([upload.partCount, upload.partUrlTemplate]).toEqual([2, null]);
      expect(upload.presignedPartUrls.map((part: any) => part.partNumber)).toEqual([1, 2]);
      const throughApi = await t.app.inject({
        method: 'PUT',
        url: `/uploads/${upload.id}/parts/1`,
        headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/octet-stream' },
        payload: data.subarray(0, 10),
      });
      expect(throughApi.statusCode).toBe(409);
      await putPresignedPart(upload.presignedPartUrls[1].url, data.subarray(upload.partSize));

      const resumed = (await t.request('GET', `/uploads/${upload.id}`, { token: editor })).json();
      expect(resumed.receivedParts.map((part: any) => [part.partNumber, part.size])).toEqual([
        [2, data.length - upload.partSize],
      ]);
      expect(resumed.presignedPartUrls.map((part: any) => part.partNumber)).toEqual([1]);
      await putPresignedPart(resumed.presignedPartUrls[0].url, data.subarray(0, upload.partSize));
      const done = await t.request('POST', `/uploads/${upload.id}/complete`, { token: editor });
      expect(done.status).toBe(200);
      expect(await stack.keysUnder(t, `assets/${upload.assetId}/`)).toContain(`assets/${upload.assetId}/source`);
      expect(sha256(await stack.readObject(t, `assets/${upload.assetId}/source`))).toBe(sha256(data));
      // Random bytes are no video: the job fails rather than running into the next test.
      await waitForAsset(t, editor, upload.assetId, (asset) => asset.status === 'failed');
    },
  );
});

/** The distinct `run-<uuid>` folders among `keys`. */
function runFolders(keys: string[]): string[] {
  return [...new Set(keys.flatMap((key) => /\/(run-[0-9a-f-]{36})\//.exec(key)?.[1] ?? []))].sort();
}

/** Polls the queues (bounded) until nothing is waiting or in flight on any of them. */
async function waitForQueuesEmpty(t: TestApp, tokens: symbol[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await Promise.all(tokens.map((token) => t.app.get<MessageQueue>(token).stats()));
    if (stats.every((queue) => queue.visible === 0 && queue.inFlight === 0)) return;
    if (Date.now() > deadline) throw new Error(`queues still busy: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
