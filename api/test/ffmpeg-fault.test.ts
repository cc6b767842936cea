import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrashingFfmpeg, type FfmpegWrapper } from './ffmpeg-wrapper.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { makeClip, uploadWhole, waitForAsset } from './media-helpers.js';
import { fetchMedia, filesUnder } from './media-targets.js';

/**
 * ffmpeg crashing mid-encode, for real: FFMPEG_PATH points at a wrapper that runs the real
 * ffmpeg for probing and the small runs but dies of SIGSEGV on the encode pass. The embedded
 * worker transcodes an upload made through the API. The asset must end `failed` with the
 * stable code `transcode_crashed` and leave no outputs behind; once ffmpeg behaves again,
 * `retranscode` must make it ready and playable.
 */
describe('ffmpeg crashing during the encode', () => {
  let ffmpeg: FfmpegWrapper;
  let t: TestApp;
  let editor: string;
  let movieId: string;
  let assetId: string;
  const previousFfmpegPath = process.env.FFMPEG_PATH;

  beforeAll(async () => {
    ffmpeg = createCrashingFfmpeg();
    ffmpeg.crashEncodes(true);
    process.env.FFMPEG_PATH = ffmpeg.path;
    t = await createTestApp(databaseTargets()[0], {
      BACKGROUND_TASKS: 'true',
      // One delivery: the crash becomes the job's verdict at once, without the retry backoff.
      JOB_MAX_ATTEMPTS: '1',
    });
    editor = (await t.userWithRole('editor')).token;
    const movie = await t.request('POST', '/titles', {
      token: editor,
      body: { kind: 'movie', name: 'Crash Test Movie', status: 'published' },
    });
    movieId = movie.json().id;
  });

  afterAll(async () => {
    await t?.close();
    if (previousFfmpegPath === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = previousFfmpegPath;
    ffmpeg?.remove();
  });

  it('fails the asset with transcode_crashed, visible through the API, and keeps no outputs', async () => {
    assetId = (await uploadWhole(t, editor, makeClip(2), { attachTo: { titleId: movieId } })).assetId;
    const failed = await waitForAsset(
      t,
      editor,
      assetId,
      (asset) => asset.status !== 'queued' && asset.status !== 'processing',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      errorCode: 'transcode_crashed',
      renditions: [],
      job: { status: 'failed', attempt: 1, errorCode: 'transcode_crashed' },
    });
    expect(failed.errorMessage).toMatch(/killed by SIGSEGV/);
    // Probing passed; it was the encode pass that crashed, once.
    expect(ffmpeg.crashes()).toBe(1);
    // Only the uploaded source is stored: no run folder, no playlist, no poster.
    expect(await filesUnder(`${t.home}/media`, `assets/${assetId}/`)).toEqual([`assets/${assetId}/source`]);
    const playback = await t.request('GET', `/media/stream/${movieId}`, { token: editor });
    expect([playback.status, playback.json().code]).toEqual([404, 'not_playable']);
  });

  it('becomes ready and plays after a retranscode once ffmpeg no longer crashes', async () => {
    ffmpeg.crashEncodes(false);
    const retry = await t.request('POST', `/assets/${assetId}/retranscode`, { token: editor });
    expect(retry.status).toBe(202);
    expect(retry.json().job.attempt).toBe(2);
    const ready = await waitForAsset(
      t,
      editor,
      assetId,
      (asset) => asset.job?.attempt === 2 && asset.status !== 'queued' && asset.status !== 'processing',
    );
    expect(ready).toMatchObject({
      status: 'ready',
      errorCode: null,
      job: { status: 'succeeded', attempt: 2, errorCode: null },
    });
    expect(ffmpeg.crashes()).toBe(1);
    const playback = await t.request('GET', `/media/stream/${movieId}`, { token: editor });
    expect(playback.status).toBe(200);
    const master = await fetchMedia(t, playback.json().url);
    expect(master.status).toBe(200);
    expect(master.body.toString()).toMatch(/^#EXTM3U[\s\S]*#EXT-X-STREAM-INF:/);
  });
});
