import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEvent, MessageQueue } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEventsConsumer } from '../src/media/job-events.consumer.js';
import { EVENTS_QUEUE } from '../src/media/media.tokens.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { randomFile, uploadWhole } from './media-helpers.js';

const media = {
  durationSeconds: 3,
  width: 320,
  height: 240,
  videoCodec: 'h264',
  audioCodec: 'aac',
  frameRate: 25,
  rotation: 0,
  bitDepth: 8,
  audioChannels: 1,
};
const renditions = [
  {
    name: '240p',
    width: 320,
    height: 240,
    bandwidth: 400000,
    codecs: 'avc1.64000D,mp4a.40.2',
    playlist: '240p/index.m3u8',
  },
];

/** The API's side of the worker protocol: events are applied idempotently, in any order. */
describe.each(databaseTargets())('job events on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let events: MessageQueue;

  beforeAll(async () => {
    t = await createTestApp(target);
    editor = (await t.userWithRole('editor')).token;
    events = t.app.get<MessageQueue>(EVENTS_QUEUE);
  });
  afterAll(() => t.close());

  async function queuedAsset() {
    const { assetId } = await uploadWhole(t, editor, randomFile(1000));
    const asset = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
    return { assetId, jobId: asset.job.id as string };
  }

  function event(
    base: { assetId: string; jobId: string },
    body: Partial<JobEvent> & { type: JobEvent['type'] },
    attempt = 1,
  ): string {
    return JSON.stringify({
      version: 1,
      attempt,
      workerId: 'test-worker',
      at: new Date().toISOString(),
      ...base,
      ...body,
    });
  }

  function ready(base: { assetId: string; jobId: string }, run: string, attempt = 1) {
    const outputPrefix = `assets/${base.assetId}/attempts/${attempt}/${run}/`;
    const dir = join(t.home, 'media', outputPrefix);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'master.m3u8'), '#EXTM3U\n');
    return event(
      base,
      {
        type: 'ready',
        outputPrefix,
        masterPlaylist: 'master.m3u8',
        poster: null,
        thumbnails: null,
        media,
        renditions,
        encodeSeconds: 1,
      } as never,
      attempt,
    );
  }

  async function deliver(...bodies: string[]) {
    for (const body of bodies) await events.send(body);
    const consumer = t.app.get(JobEventsConsumer);
    while ((await consumer.drainOnce()) > 0);
  }

  const asset = async (id: string) => (await t.request('GET', `/assets/${id}`, { token: editor })).json();

  it('moves a job through started, progress and ready', async () => {
    const ids = await queuedAsset();
    await deliver(event(ids, { type: 'started' }));
    expect(await asset(ids.assetId)).toMatchObject({
      status: 'processing',
      job: { status: 'running', workerId: 'test-worker' },
    });
    await deliver(event(ids, { type: 'progress', percent: 42.5, speed: 3.1, etaSeconds: 9 } as never));
    expect((await asset(ids.assetId)).job).toMatchObject({ progress: 42.5, speed: 3.1, etaSeconds: 9 });
    // Playback answers with the status and progress until the asset is ready.
    const early = await t.request('GET', `/media/stream/${ids.assetId}`, { token: editor });
    expect(early.status).toBe(202);
    expect(early.json()).toMatchObject({ status: 'processing', progress: 42.5, url: null });
    await deliver(ready(ids, 'run-a'));
    expect(await asset(ids.assetId)).toMatchObject({
      status: 'ready',
      width: 320,
      job: { status: 'succeeded', progress: 100 },
    });
  });

  it('keeps the first result when a duplicate run reports ready, and removes the duplicate files', async () => {
    const ids = await queuedAsset();
    await deliver(ready(ids, 'run-first'));
    await deliver(
      ready(ids, 'run-second'),
      event(ids, { type: 'progress', percent: 10, speed: 1, etaSeconds: 5 } as never),
    );
    const after = await asset(ids.assetId);
    expect(after.job).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-first/master.m3u8`))).toBe(true);
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-second/master.m3u8`))).toBe(false);
  });

  it('sweeps what a run that died while uploading left of the same attempt', async () => {
    const ids = await queuedAsset();
    const orphan = join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-killed/360p`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'seg_00000.m4s'), 'half an upload');
    await deliver(ready(ids, 'run-survivor'));
    expect((await asset(ids.assetId)).status).toBe('ready');
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-killed`))).toBe(false);
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-survivor/master.m3u8`))).toBe(true);
  });

  it('ignores events of another attempt and events that do not parse', async () => {
    const ids = await queuedAsset();
    await deliver(
      event(ids, { type: 'failed', code: 'transcode_failed', message: 'old', retryable: true } as never, 7),
      '{not json',
      JSON.stringify({ type: 'ready', version: 99 }),
    );
    expect(await asset(ids.assetId)).toMatchObject({ status: 'queued', job: { status: 'queued' } });
    expect((await events.receive({ maxMessages: 10, visibilityTimeoutSeconds: 1 })).length).toBe(0);
  });

  it('keeps a ready asset playable when its re-transcode fails', async () => {
    const ids = await queuedAsset();
    await deliver(ready(ids, 'run-1'));
    const retry = await t.request('POST', `/assets/${ids.assetId}/retranscode`, { token: editor });
    expect(retry.json().job).toMatchObject({ attempt: 2, status: 'queued' });
    await deliver(
      event(
        { assetId: ids.assetId, jobId: retry.json().job.id },
        { type: 'failed', code: 'transcode_failed', message: 'boom', retryable: true } as never,
        2,
      ),
    );
    expect(await asset(ids.assetId)).toMatchObject({
      status: 'ready',
      errorCode: 'transcode_failed',
      job: { attempt: 2, status: 'failed' },
    });
  });

  it('promotes a successful re-transcode and deletes the outputs it replaces', async () => {
    const ids = await queuedAsset();
    await deliver(ready(ids, 'run-old'));
    const retry = (await t.request('POST', `/assets/${ids.assetId}/retranscode`, { token: editor })).json();
    await deliver(ready({ assetId: ids.assetId, jobId: retry.job.id }, 'run-new', 2));
    expect((await asset(ids.assetId)).job).toMatchObject({ attempt: 2, status: 'succeeded' });
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-old/master.m3u8`))).toBe(false);
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/2/run-new/master.m3u8`))).toBe(true);
  });

  it('discards what a worker finishes for a deleted asset', async () => {
    const ids = await queuedAsset();
    expect((await t.request('DELETE', `/assets/${ids.assetId}`, { token: editor })).status).toBe(204);
    await deliver(ready(ids, 'run-late'));
    expect(existsSync(join(t.home, 'media', `assets/${ids.assetId}/attempts/1/run-late/master.m3u8`))).toBe(false);
    expect((await t.request('GET', `/jobs/${ids.jobId}`, { token: editor })).json().status).toBe('cancelled');
  });

  it('lists assets with the latest job of each', async () => {
    const ids = await queuedAsset();
    await deliver(ready(ids, 'run-listed'));
    const retry = (await t.request('POST', `/assets/${ids.assetId}/retranscode`, { token: editor })).json();
    const listed = (await t.request('GET', '/assets', { token: editor, query: { limit: '100' } })).json().items;
    const mine = listed.find((item: any) => item.id === ids.assetId);
    expect(mine.job).toMatchObject({ id: retry.job.id, attempt: 2 });
    expect(listed.every((item: any) => item.job !== null)).toBe(true);
  });
});
