import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  ensureQueueTable,
  LocalObjectStorage,
  SqlMessageQueue,
  sqlClientFrom,
  type ObjectStorage,
  type SqlClient,
} from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoller } from '../src/poller.js';
import { createTranscodeHandler, type DeliveryControls } from '../src/transcode-handler.js';
import {
  deferred,
  delivery,
  jobFor,
  keysUnder,
  listDir,
  makeClip,
  memoryLogger,
  RecordingQueue,
  tempDir,
  waitFor,
} from './support.js';

// A worker stopped while a job uploads its outputs: the poller and the handler as the
// long-running worker runs them, real ffmpeg, local storage, the embedded queue on PGlite.
// Every put of an output is held until the message has been released, so the test sees what
// the release waits for and what happens after it, from state alone.
let root: { path: string; cleanup: () => Promise<void> };
let clip: string;
let db: PGlite;
let sql: SqlClient;

beforeAll(async () => {
  root = await tempDir('stop-upload');
  db = await PGlite.create();
  sql = sqlClientFrom(db);
  [clip] = await Promise.all([makeClip(join(root.path, 'clip.mp4')), ensureQueueTable(sql)]);
});
afterAll(async () => {
  await db?.close();
  await root?.cleanup();
});

describe('a worker stopped during the output upload', () => {
  it('uploads nothing more, releases the message before cleaning up, and never marks the job ready', async () => {
    const storage = new LocalObjectStorage(join(root.path, 'storage'));
    const tmpRoot = join(root.path, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const jobs = new SqlMessageQueue({ name: `jobs-${randomUUID()}`, sql, maxReceives: 5 });
    const events = new RecordingQueue();
    const logger = memoryLogger();
    const job = jobFor();
    await storage.putFile(job.sourceKey, clip);
    const id = await jobs.send(JSON.stringify(job));

    let signal: AbortSignal | undefined;
    let stopping: Promise<void> | undefined;
    const started: Array<{ key: string; afterAbort: boolean }> = [];
    const stored: string[] = [];
    const released = deferred<{ workFolders: string[]; stored: string[] }>();

    // The storage the handler writes through: the first output put stops the worker, and
    // every output put waits for the release before it is stored.
    const holding: ObjectStorage = Object.create(storage) as ObjectStorage;
    holding.putFile = async (key, path, options) => {
      if (!key.startsWith(job.outputPrefix)) return storage.putFile(key, path, options);
      started.push({ key, afterAbort: signal?.aborted ?? false });
      // Only ever called once the poller below has handed a job over, so it exists by then.
      stopping ??= poller.stop();
      await released.promise;
      await storage.putFile(key, path, options);
      stored.push(key);
    };
    // The release: visibility 0 for this delivery, after which another worker may take the job.
    const changeVisibility = jobs.changeVisibility.bind(jobs);
    jobs.changeVisibility = async (receipt, seconds) => {
      await changeVisibility(receipt, seconds);
      if (seconds === 0) released.resolve({ workFolders: await listDir(tmpRoot), stored: [...stored] });
    };

    const handle = createTranscodeHandler({
      storage: holding,
      events,
      logger,
      workerId: 'stop-test',
      tmpRoot,
      maxAttempts: 3,
      visibilityTimeoutSeconds: 120,
      transcodeOptions: { encode: { preset: 'ultrafast' } },
    });
    const poller = startPoller({
      queue: jobs,
      handle: (message, controls: DeliveryControls) => {
        signal = controls.signal;
        return handle(message, controls);
      },
      logger,
      concurrency: 1,
      // Only the release can make the message visible again before the test ends.
      visibilityTimeoutSeconds: 600,
      waitSeconds: 1,
      // The upload is held: the drain runs out at once and the job is aborted mid-upload.
      drainTimeoutMs: 0,
    });

    await waitFor('the upload to start', () => stopping !== undefined, 60_000);
    await stopping;

    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'jobs still running at shutdown; releasing them' }),
    );
    expect(signal?.aborted).toBe(true);
    // No put started once the job was aborted: only those already running (one per lane at
    // most) went on, and the master playlist, always last, was never among them.
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThanOrEqual(4);
    expect(started.filter((put) => put.afterAbort)).toEqual([]);
    expect(started.map((put) => put.key)).not.toContain(`${job.outputPrefix}master.m3u8`);
    // The message was released before the clean-up and without waiting for those puts: the
    // work folder was still there, and nothing had been stored yet.
    const atRelease = await released.promise;
    expect(atRelease.workFolders).toHaveLength(1);
    expect(atRelease.stored).toEqual([]);
    // Then the clean-up removed the work folder (a put still in flight may find its file gone,
    // which is as good) and, once those puts had ended, the whole partial run; no done
    // marker, no ready (nor failed) event.
    expect(started.map((put) => put.key)).toEqual(expect.arrayContaining(stored));
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([]);
    expect(await listDir(tmpRoot)).toEqual([]);
    expect(events.events.map((event) => event.type)).not.toContain('ready');
    expect(events.events.map((event) => event.type)).not.toContain('failed');
    // Visible again at once (despite its 600 s visibility), a second receive, not dead-lettered.
    expect(await jobs.receive({ maxMessages: 10, visibilityTimeoutSeconds: 0 })).toMatchObject([
      { id, receiveCount: 2 },
    ]);
    expect(await jobs.deadLetters(5)).toEqual([]);
    // The source stays, for the worker that takes the job next.
    expect(await storage.head(job.sourceKey)).not.toBeNull();
  });

  it('hands its clean-up over when asked, and the next delivery of the released job finishes it', async () => {
    // The job the aborted run gave back is whole again for the next worker: a new run folder,
    // done.json, one ready event. (Same handler, no poller: one delivery, handled to the end.)
    const storage = new LocalObjectStorage(join(root.path, 'storage-2'));
    const tmpRoot = join(root.path, 'tmp-2');
    await mkdir(tmpRoot, { recursive: true });
    const events = new RecordingQueue();
    const job = jobFor();
    await storage.putFile(job.sourceKey, clip);
    const handle = createTranscodeHandler({
      storage,
      events,
      logger: memoryLogger(),
      workerId: 'next-worker',
      tmpRoot,
      maxAttempts: 3,
      visibilityTimeoutSeconds: 120,
      transcodeOptions: { encode: { preset: 'ultrafast' } },
    });
    const stop = new AbortController();
    const cleanups: Array<() => Promise<void>> = [];
    // First delivery stopped during its upload, the clean-up handed over as the poller takes it.
    const stopping: ObjectStorage = Object.create(storage) as ObjectStorage;
    stopping.putFile = async (key, path, options) => {
      if (key.startsWith(job.outputPrefix)) stop.abort();
      await storage.putFile(key, path, options);
    };
    const first = await createTranscodeHandler({
      storage: stopping,
      events,
      logger: memoryLogger(),
      workerId: 'stopped-worker',
      tmpRoot,
      maxAttempts: 3,
      visibilityTimeoutSeconds: 120,
      transcodeOptions: { encode: { preset: 'ultrafast' } },
    })(delivery(JSON.stringify(job), 1), {
      signal: stop.signal,
      extendVisibility: async () => undefined,
      afterSettled: (cleanup) => void cleanups.push(cleanup),
    });
    expect(first).toEqual({ kind: 'retry', reason: 'worker stopping' });
    // Handed over, not done: the work folder is still there until the clean-up runs.
    expect(cleanups).toHaveLength(1);
    expect(await listDir(tmpRoot)).toHaveLength(1);
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    expect(await listDir(tmpRoot)).toEqual([]);
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([]);

    expect(
      await handle(delivery(JSON.stringify(job), 2), {
        signal: new AbortController().signal,
        extendVisibility: async () => undefined,
      }),
    ).toEqual({ kind: 'done' });
    const readies = events.events.filter((event) => event.type === 'ready');
    expect(readies).toHaveLength(1);
    expect(readies[0]).toMatchObject({ workerId: 'next-worker' });
    expect(await storage.head(`${job.outputPrefix}done.json`)).not.toBeNull();
    expect(await listDir(tmpRoot)).toEqual([]);
  });
});
