import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageQueue } from '@aleflix/core';
import { AssetsRepository } from '../src/media/assets.repository.js';
import { JOBS_QUEUE } from '../src/media/media.tokens.js';
import { childProcesses, isAlive } from './child-processes.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { makeClip, uploadWhole, waitForAsset } from './media-helpers.js';
import { filesUnder } from './media-targets.js';
import { probePlayback } from './playback-probe.js';

/**
 * A worker process killed mid-encode (SIGKILL: no cleanup, no goodbye) and the job finished
 * by another worker process, with nothing duplicated. Real processes on loopback: the API in
 * this process (SQS queues, local disk), fauxqs in this process, and the built
 * `aleflix-worker` binary as children sharing the API's media folder. Every wait is a
 * bounded poll on state; every child is killed at the end whatever happened.
 */
const WORKER_BIN = join(
  dirname(createRequire(import.meta.url).resolve('@aleflix/workers')),
  'bin',
  'aleflix-worker.js',
);
/** The shortest visibility the worker accepts: a dead worker's job comes back within 10 s. */
const VISIBILITY_TIMEOUT_SECONDS = 10;

interface WorkerProcess {
  id: string;
  child: ChildProcessWithoutNullStreams;
  stdout: string[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('a worker killed mid-encode', () => {
  let aws: FakeAws;
  let t: TestApp;
  let mediaRoot: string;
  let workerTmp: string;
  let workerEnv: NodeJS.ProcessEnv;
  let jobsQueueName: string;
  const workers: WorkerProcess[] = [];
  const strayEncoders = new Set<number>();

  beforeAll(async () => {
    if (!existsSync(WORKER_BIN)) throw new Error(`${WORKER_BIN} is missing: npm run build -w @aleflix/workers`);
    [aws, mediaRoot, workerTmp] = await Promise.all([
      startFakeAws(),
      mkdtemp(join(tmpdir(), 'aleflix-crash-media-')),
      mkdtemp(join(tmpdir(), 'aleflix-crash-worker-tmp-')),
    ]);
    const [jobs, events] = await Promise.all([
      aws.createQueues('crash-transcode', { maxReceives: 3, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS }),
      aws.createQueues('crash-events', { maxReceives: 5, visibilityTimeoutSeconds: 30 }),
    ]);
    jobsQueueName = jobs.queueUrl.split('/').pop()!;
    const shared = {
      ...aws.env(),
      STORAGE_URL: `file://${mediaRoot}`,
      SQS_JOBS_QUEUE_URL: jobs.queueUrl,
      SQS_EVENTS_QUEUE_URL: events.queueUrl,
      JOB_MAX_ATTEMPTS: '3',
    };
    workerEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Each delivery's temporary folder lands here, where the test can look.
      TMPDIR: workerTmp,
      ...shared,
      VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY_TIMEOUT_SECONDS),
    };
    t = await createTestApp(databaseTargets()[0], { ...shared, BACKGROUND_TASKS: 'true', EMBEDDED_WORKER: 'false' });
  });

  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    }
    // An encoder orphaned by the killed worker, if it outlived its parent (asserted below).
    for (const pid of strayEncoders) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await t?.close();
    await aws?.stop();
    await Promise.all([mediaRoot, workerTmp].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  });

  function startWorker(id: string): WorkerProcess {
    const child = spawn(process.execPath, [WORKER_BIN], {
      env: { ...workerEnv, WORKER_ID: id },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const collect = (into: string[]) => (chunk: Buffer) => into.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const worker = { id, child, stdout, stderr, exit };
    workers.push(worker);
    return worker;
  }

  const logLines = (worker: WorkerProcess) =>
    worker.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

  it('is finished by another worker, once, with one set of outputs that plays', async () => {
    const editor = (await t.userWithRole('editor')).token;
    const first = startWorker('worker-a');
    await waitFor('worker-a to start', () => logLines(first).some((line) => line.msg === 'worker started'));

    // 30 s of 640x360 makes two renditions and an encode of several seconds on any machine.
    const clip = makeClip(30, '640x360');
    const { assetId } = await uploadWhole(t, editor, clip);

    // Mid-encode: the API shows worker-a's progress and its ffmpeg is running.
    const running = await waitFor('worker-a encoding, with progress reported', async () => {
      const asset = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
      const encoder = childProcesses(first.child.pid!, 'ffmpeg', '-progress')[0];
      const job = asset.job;
      return job?.status === 'running' && job.workerId === 'worker-a' && job.progress > 0 && encoder
        ? { job, encoder }
        : undefined;
    });
    const killedRunTemp = await deliveryTempFolders(running.job.id);
    expect(killedRunTemp).toHaveLength(1);
    strayEncoders.add(running.encoder);
    first.child.kill('SIGKILL');
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(running.job.progress).toBeLessThan(100);

    // Its encoder does not outlive it (its output pipe is gone), and it uploaded nothing.
    await waitFor('the orphaned ffmpeg to end', () => !isAlive(running.encoder));
    const attemptPrefix = `assets/${assetId}/attempts/1/`;
    expect(await filesUnder(mediaRoot, attemptPrefix)).toEqual([]);

    // The message comes back once its visibility lapses; a second worker takes it.
    const second = startWorker('worker-b');
    const ready = await waitForAsset(
      t,
      editor,
      assetId,
      (asset) => asset.status === 'ready' || asset.status === 'failed',
      180_000,
    );
    expect(ready).toMatchObject({ status: 'ready', width: 640, height: 360 });
    expect(ready.renditions.map((rendition: { name: string }) => rendition.name)).toEqual(['360p', '240p']);
    expect(ready.job).toMatchObject({ id: running.job.id, status: 'succeeded', attempt: 1, workerId: 'worker-b' });
    expect(Date.parse(ready.job.startedAt)).toBeGreaterThan(Date.parse(running.job.startedAt));
    expect((await t.request('GET', '/jobs', { token: editor, query: { assetId } })).json().items).toHaveLength(1);

    // worker-b got the second delivery of the same message, and settled it.
    const transcoded = await waitFor('worker-b to log the result', () =>
      logLines(second).find((line) => line.msg === 'transcoded'),
    );
    expect(transcoded).toMatchObject({ jobId: running.job.id, attempt: 1, receiveCount: 2 });
    await waitFor('the job message deleted', async () => {
      const stats = await t.app.get<MessageQueue>(JOBS_QUEUE).stats();
      return stats.visible === 0 && stats.inFlight === 0;
    });
    expect(await t.app.get<MessageQueue>(JOBS_QUEUE).deadLetters(10)).toEqual([]);
    expect(await fauxqsMessageCount(jobsQueueName)).toBe(0);

    // Exactly one output set: the source, the attempt's marker and the one promoted run folder.
    const keys = await filesUnder(mediaRoot, `assets/${assetId}/`);
    const runs = [...new Set(keys.flatMap((key) => /\/attempts\/1\/(run-[0-9a-f-]{36})\//.exec(key)?.[1] ?? []))];
    expect(runs).toHaveLength(1);
    const promoted = `${attemptPrefix}${runs[0]}/`;
    expect(keys.filter((key) => !key.startsWith(promoted))).toEqual([
      `${attemptPrefix}done.json`,
      `assets/${assetId}/source`,
    ]);
    expect(keys).toContain(`${promoted}master.m3u8`);
    expect((await t.app.get(AssetsRepository).findById(assetId))?.outputPrefix).toBe(promoted);
    expect(JSON.parse(await readFile(join(mediaRoot, attemptPrefix, 'done.json'), 'utf8')).outputPrefix).toBe(promoted);

    // It plays: the signed URL, fetched over HTTP by ffprobe, decodes every frame.
    await t.app.listen(0, '127.0.0.1');
    const viewerUrl = await t.app.getUrl();
    const playback = await fetch(`${viewerUrl}/media/stream/${assetId}`, {
      headers: { authorization: `Bearer ${editor}` },
    });
    const { url } = (await playback.json()) as { url: string };
    const { video, audio } = await probePlayback(url);
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(Number(video.nb_read_frames)).toBeGreaterThanOrEqual(29 * 25);
    expect(audio?.codec_name).toBe('aac');

    // Temporary files: SIGKILL left worker-a's folder behind (no process survived to remove
    // it); worker-b, sharing the temp folder, removed it when it started (the pid in its name
    // was dead), and removed its own when the job was done.
    const swept = await waitFor('worker-b to sweep stale work folders', () =>
      logLines(second).find((line) => line.msg === 'removed stale work folders'),
    );
    expect(swept).toMatchObject({ tmpRoot: workerTmp, folders: killedRunTemp });
    expect(await deliveryTempFolders(running.job.id)).toEqual([]);

    second.child.kill('SIGTERM');
    expect(await second.exit).toEqual({ code: 0, signal: null });
  });

  async function deliveryTempFolders(jobId: string): Promise<string[]> {
    // aleflix-job-<owner>-<pid>-<jobId>-<random> (workers/src/work-dirs.ts)
    return (await readdir(workerTmp))
      .filter((name) => name.startsWith('aleflix-job-') && name.includes(`-${jobId}-`))
      .sort();
  }

  /** Messages fauxqs holds for the queue, in any state (its non-destructive inspection endpoint). */
  async function fauxqsMessageCount(queueName: string): Promise<number> {
    const response = await fetch(`${aws.address}/_fauxqs/queues/${queueName}`);
    const { messages } = (await response.json()) as { messages: Record<string, unknown[]> };
    return Object.values(messages).reduce((sum, list) => sum + list.length, 0);
  }
});

/** Polls `check` until it returns something truthy; fails after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 120_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
