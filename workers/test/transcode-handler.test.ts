import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { LocalObjectStorage, type JobEvent, type ObjectStorage, type TranscodeOptions } from '@aleflix/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTranscodeHandler, type DeliveryControls, type TranscodeHandlerDeps } from '../src/transcode-handler.js';
import { delivery, jobFor, keysUnder, listDir, makeClip, memoryLogger, RecordingQueue, tempDir } from './support.js';

// Real ffmpeg, local storage in a temp folder, an in-memory events queue. Encodes are kept
// cheap: small clips, one rung, the `ultrafast` preset.
const CHEAP: TranscodeOptions = { encode: { preset: 'ultrafast' } };
// The cancellation tests need an encode that is still running when the heartbeat looks: a
// 20 s 720p clip, the whole ladder below it, a slow preset. It is killed after a second or two.
const SLOW: TranscodeOptions = { encode: { preset: 'veryslow' }, sprite: false };

let root: { path: string; cleanup: () => Promise<void> };
let smallClip: string;
let longClip: string;

beforeAll(async () => {
  root = await tempDir('handler');
  await mkdir(join(root.path, 'clips'));
  [smallClip, longClip] = await Promise.all([
    makeClip(join(root.path, 'clips', 'small.mp4')),
    makeClip(join(root.path, 'clips', 'long.mp4'), { durationSeconds: 20, width: 1280, height: 720, frameRate: 10 }),
  ]);
});
afterAll(async () => {
  await root?.cleanup();
});

let storage: LocalObjectStorage;
let events: RecordingQueue;
let tmpRoot: string;
let logger: ReturnType<typeof memoryLogger>;

beforeEach(async () => {
  const dir = join(root.path, randomUUID());
  storage = new LocalObjectStorage(join(dir, 'storage'));
  tmpRoot = join(dir, 'tmp');
  await mkdir(tmpRoot, { recursive: true });
  events = new RecordingQueue();
  logger = memoryLogger();
});
afterEach(async () => {
  // Whatever happened, the job's temporary folder is gone.
  expect(await listDir(tmpRoot)).toEqual([]);
});

function handlerWith(overrides: Partial<TranscodeHandlerDeps> = {}) {
  return createTranscodeHandler({
    storage,
    events,
    logger,
    workerId: 'test-worker',
    tmpRoot,
    maxAttempts: 3,
    visibilityTimeoutSeconds: 120,
    transcodeOptions: CHEAP,
    ...overrides,
  });
}

function controlsWith(
  signal: AbortSignal = new AbortController().signal,
): DeliveryControls & { extendVisibility: ReturnType<typeof vi.fn> } {
  return { signal, extendVisibility: vi.fn(async (_seconds: number) => undefined) };
}

const types = (list: JobEvent[]) => list.map((event) => event.type);
const runFolders = (keys: string[], prefix: string) => [
  ...new Set(keys.map((key) => key.slice(prefix.length).split('/')[0]).filter((name) => name?.startsWith('run-'))),
];

async function readText(store: ObjectStorage, key: string): Promise<string> {
  return (await buffer(await store.get(key))).toString('utf8');
}

describe('transcode handler', () => {
  it('transcodes a clip into a run folder, writes done.json, and only re-announces on redelivery', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, smallClip);
    const handle = handlerWith();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

    expect(await handle(delivery(JSON.stringify(job), 1, { traceparent }), controlsWith())).toEqual({ kind: 'done' });

    const first = events.events;
    expect(first[0]?.type).toBe('started');
    expect(first.at(-1)?.type).toBe('ready');
    const progress = first.filter((event) => event.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ percent: 100 });
    expect(types(first.slice(1, -1)).every((type) => type === 'progress')).toBe(true);
    for (const event of first)
      expect(event).toMatchObject({ jobId: job.jobId, assetId: job.assetId, attempt: 1, workerId: 'test-worker' });
    expect(events.sent.every((entry) => entry.attributes.traceparent === traceparent)).toBe(true);

    const ready = first.at(-1);
    if (ready?.type !== 'ready') throw new Error('no ready event');
    expect(ready.outputPrefix).toMatch(new RegExp(`^${job.outputPrefix}run-[0-9a-f-]{36}/$`));
    expect(ready.renditions.map((rendition) => rendition.name)).toEqual(['240p']);
    expect(ready.media).toMatchObject({ width: 320, height: 240 });
    const master = await readText(storage, ready.outputPrefix + ready.masterPlaylist);
    expect(master).toContain('#EXTM3U');
    expect(master).toContain('240p/index.m3u8');
    expect(await storage.head(ready.outputPrefix + '240p/index.m3u8')).not.toBeNull();
    if (ready.poster) expect(await storage.head(ready.outputPrefix + ready.poster)).not.toBeNull();

    const {
      type: _t,
      version: _v,
      jobId: _j,
      assetId: _a,
      attempt: _at,
      workerId: _w,
      at: _time,
      ...readyBody
    } = ready;
    expect(JSON.parse(await readText(storage, `${job.outputPrefix}done.json`))).toEqual(readyBody);
    const keysAfterFirst = await keysUnder(storage, job.outputPrefix);
    expect(runFolders(keysAfterFirst, job.outputPrefix)).toHaveLength(1);
    expect(keysAfterFirst.filter((key) => !key.startsWith(ready.outputPrefix))).toEqual([
      `${job.outputPrefix}done.json`,
    ]);

    // The same message again (a visibility timeout lapsed, SQS delivered twice...).
    events.sent.length = 0;
    expect(await handle(delivery(JSON.stringify(job), 2), controlsWith())).toEqual({ kind: 'done' });
    expect(types(events.events)).toEqual(['ready']);
    expect(events.events[0]).toMatchObject({
      outputPrefix: ready.outputPrefix,
      masterPlaylist: ready.masterPlaylist,
      renditions: ready.renditions,
    });
    expect(await keysUnder(storage, job.outputPrefix)).toEqual(keysAfterFirst);
  });

  it('drops its own run when another delivery of the attempt finished first', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, smallClip);
    const other = {
      outputPrefix: `${job.outputPrefix}run-${randomUUID()}/`,
      masterPlaylist: 'master.m3u8',
      poster: null,
      thumbnails: null,
      media: {
        durationSeconds: 2,
        width: 320,
        height: 240,
        videoCodec: 'h264',
        audioCodec: 'aac',
        frameRate: 15,
        rotation: 0,
        bitDepth: 8,
        audioChannels: 2,
      },
      renditions: [
        {
          name: '240p',
          width: 320,
          height: 240,
          bandwidth: 500_000,
          codecs: 'avc1.42c00d,mp4a.40.2',
          playlist: '240p/index.m3u8',
        },
      ],
      encodeSeconds: 1,
    } as const;
    // A storage that lets the "other delivery" finish while this one uploads its master.
    const racing: ObjectStorage = Object.create(storage) as ObjectStorage;
    racing.putFile = async (key, path, options) => {
      await storage.putFile(key, path, options);
      if (key.endsWith('/master.m3u8')) await storage.put(`${job.outputPrefix}done.json`, JSON.stringify(other));
    };
    const handle = handlerWith({ storage: racing, transcodeOptions: { ...CHEAP, sprite: false, poster: false } });

    expect(await handle(delivery(JSON.stringify(job)), controlsWith())).toEqual({ kind: 'done' });
    expect(events.events.at(-1)).toMatchObject({ type: 'ready', outputPrefix: other.outputPrefix });
    expect(types(events.events).filter((type) => type === 'ready')).toHaveLength(1);
    // Only the marker of the winner is left: this run's folder was removed.
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([`${job.outputPrefix}done.json`]);
  });

  it('treats invalid JSON, an unknown version and unusable keys as poison', async () => {
    const handle = handlerWith();
    const job = jobFor();
    for (const body of [
      '{not json',
      JSON.stringify({ ...job, version: 2 }),
      JSON.stringify({ ...job, type: 'mystery' }),
      JSON.stringify({ ...job, sourceKey: '../../etc/passwd' }),
    ]) {
      const outcome = await handle(delivery(body), controlsWith());
      expect(outcome).toMatchObject({ kind: 'poison', reason: expect.stringContaining('invalid job message') });
    }
    expect(events.events).toEqual([]);
  });

  it('fails a text file at once with media_unreadable, without retrying', async () => {
    const job = jobFor();
    await storage.put(job.sourceKey, 'This is not a video, whatever the extension says.\n'.repeat(20));
    const outcome = await handlerWith()(delivery(JSON.stringify(job), 1), controlsWith());
    expect(outcome).toEqual({ kind: 'done' });
    expect(types(events.events)).toEqual(['started', 'failed']);
    expect(events.events[1]).toMatchObject({ code: 'media_unreadable', retryable: false, jobId: job.jobId });
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([]);
  });

  it('retries a missing source until maxAttempts, then fails the job', async () => {
    const job = jobFor();
    const handle = handlerWith({ maxAttempts: 3 });
    for (const receiveCount of [1, 2]) {
      expect(await handle(delivery(JSON.stringify(job), receiveCount), controlsWith())).toMatchObject({
        kind: 'retry',
        reason: expect.stringContaining(job.sourceKey),
      });
    }
    expect(types(events.events)).toEqual(['started', 'started']);
    expect(await handle(delivery(JSON.stringify(job), 3), controlsWith())).toEqual({ kind: 'done' });
    expect(events.events.at(-1)).toMatchObject({ type: 'failed', code: 'media_source_missing', retryable: true });
  });

  it('cancels the job when the source is deleted while encoding', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, longClip);
    // The first progress event means ffmpeg is encoding: the asset is deleted then.
    events.onSend = async (event) => {
      if (event.type === 'progress') await storage.delete(job.sourceKey);
    };
    const controls = controlsWith();
    // A 3 s visibility timeout gives a heartbeat every second (its floor).
    const handle = handlerWith({ visibilityTimeoutSeconds: 3, transcodeOptions: SLOW });

    expect(await handle(delivery(JSON.stringify(job)), controls)).toEqual({ kind: 'done' });
    expect(events.events.at(-1)).toMatchObject({ type: 'failed', code: 'transcode_cancelled', retryable: false });
    expect(types(events.events)).not.toContain('ready');
    expect(controls.extendVisibility).toHaveBeenCalledWith(3);
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([]);
  });

  it('releases the message when the worker stops mid-encode', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, longClip);
    const stop = new AbortController();
    events.onSend = (event) => {
      if (event.type === 'progress') stop.abort();
    };
    const outcome = await handlerWith({ transcodeOptions: SLOW })(
      delivery(JSON.stringify(job)),
      controlsWith(stop.signal),
    );
    expect(outcome).toEqual({ kind: 'retry', reason: 'worker stopping' });
    // Stopping is not the job's fault: no failed event, nothing stored, the source kept.
    expect(types(events.events)).not.toContain('failed');
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([]);
    expect(await storage.head(job.sourceKey)).not.toBeNull();
  });

  it('does not start a job when the worker is already stopping', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, smallClip);
    const outcome = await handlerWith()(delivery(JSON.stringify(job)), controlsWith(AbortSignal.abort()));
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(events.events).toEqual([]);
  });

  it('retries when the done marker cannot be read, rather than encoding twice', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, smallClip);
    const flaky: ObjectStorage = Object.create(storage) as ObjectStorage;
    flaky.get = async (key, range) => {
      if (key.endsWith('done.json')) throw new Error('503 Slow Down');
      return storage.get(key, range);
    };
    await expect(handlerWith({ storage: flaky })(delivery(JSON.stringify(job)), controlsWith())).rejects.toThrow(
      'Slow Down',
    );
    expect(events.events).toEqual([]);
  });
});
