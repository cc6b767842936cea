import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createS3Client,
  ensureSqsQueues,
  JobEventSchema,
  S3ObjectStorage,
  SqsMessageQueue,
  type JobEvent,
} from '@aleflix/core';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workDirPrefix } from '../src/work-dirs.js';
import { ensureWorkerBuilt, WORKER_BIN } from './build.js';
import { childProcesses, createSlowFfmpeg, isAlive } from './processes.js';
import { jobFor, keysUnder, makeClip, tempDir, waitFor } from './support.js';

// The built `aleflix-worker` binary as a child process, against fauxqs running in this test
// process. Every wait is bounded and every child is killed at the end, whatever happened.
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let server: FauxqsServer;
let sqs: SQSClient;
let s3: S3Client;
let baseEnv: NodeJS.ProcessEnv;
let storage: S3ObjectStorage;
let jobs: SqsMessageQueue;
let events: SqsMessageQueue;
let clips: { path: string; cleanup: () => Promise<void> };
let clip: string;
let longClip: string;
const slowFfmpeg = createSlowFfmpeg();

beforeAll(async () => {
  clips = await tempDir('bin');
  [server, clip, longClip] = await Promise.all([
    startFauxqs({ port: 0, logger: false }),
    makeClip(`${clips.path}/clip.mp4`),
    // 20 s of video: with the slow ffmpeg, still encoding long after a short grace is over.
    makeClip(`${clips.path}/long.mp4`, { durationSeconds: 20 }),
    ensureWorkerBuilt(),
  ]);
  sqs = new SQSClient({ region: 'us-east-1', endpoint: server.address, credentials });
  s3 = createS3Client({ region: 'us-east-1', endpoint: server.address, forcePathStyle: true, credentials });
  const bucket = `media-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const jobUrls = await ensureSqsQueues(sqs, `transcode-${randomUUID()}`, {
    maxReceives: 3,
    visibilityTimeoutSeconds: 30,
  });
  const eventUrls = await ensureSqsQueues(sqs, `transcode-events-${randomUUID()}`, {
    maxReceives: 5,
    visibilityTimeoutSeconds: 30,
  });
  storage = new S3ObjectStorage({ bucket, client: s3 });
  jobs = new SqsMessageQueue({ name: 'jobs', client: sqs, ...jobUrls });
  events = new SqsMessageQueue({ name: 'events', client: sqs, ...eventUrls });
  baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STORAGE_URL: `s3://${bucket}`,
    AWS_ENDPOINT_URL: server.address,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    SQS_JOBS_QUEUE_URL: jobUrls.queueUrl,
    SQS_EVENTS_QUEUE_URL: eventUrls.queueUrl,
    VISIBILITY_TIMEOUT_SECONDS: '30',
    WORKER_ID: 'bin-test',
  };
});
afterAll(async () => {
  sqs?.destroy();
  s3?.destroy();
  await server?.stop();
  await clips?.cleanup();
  slowFfmpeg.remove();
});

interface Worker {
  child: ChildProcessWithoutNullStreams;
  stdout: string[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const children: Worker[] = [];
afterEach(() => {
  for (const { child } of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startWorker(env: NodeJS.ProcessEnv): Worker {
  const child = spawn(process.execPath, [WORKER_BIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => (chunk: Buffer) => into.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect(stdout));
  child.stderr.on('data', collect(stderr));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker = { child, stdout, stderr, exit };
  children.push(worker);
  return worker;
}

async function exitWithin(worker: Worker, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `the worker did not exit within ${ms} ms\nstdout: ${worker.stdout.join('\n')}\nstderr: ${worker.stderr.join('\n')}`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([worker.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const logged = (worker: Worker, message: string) => worker.stdout.some((line) => line.includes(`"msg":"${message}"`));

describe('aleflix-worker', () => {
  it.each([
    ['STORAGE_URL', { STORAGE_URL: undefined }],
    ['STORAGE_URL', { STORAGE_URL: 's3://Not_A_Bucket' }],
    ['SQS_EVENTS_QUEUE_URL', { SQS_EVENTS_QUEUE_URL: 'not a url' }],
    ['WORKER_CONCURRENCY', { WORKER_CONCURRENCY: 'lots' }],
  ])('exits 1 with one line naming %s when the environment is bad', async (variable, change) => {
    const worker = startWorker({ ...baseEnv, ...change });
    expect(await exitWithin(worker, 20_000)).toEqual({ code: 1, signal: null });
    expect(worker.stderr).toHaveLength(1);
    expect(worker.stderr[0]).toMatch(new RegExp(`^Invalid configuration: ${variable}: `));
    expect(worker.stdout).toEqual([]);
  });

  it('transcodes a job from the SQS jobs queue and sends its ready event', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, clip);
    const worker = startWorker(baseEnv);
    await waitFor('the worker to start', () => logged(worker, 'worker started'), 20_000);
    await jobs.send(JSON.stringify(job), {
      attributes: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });

    const seen: Array<{ event: JobEvent; traceparent: string | undefined }> = [];
    await waitFor(
      'the ready event',
      async () => {
        for (const message of await events.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30, waitSeconds: 1 })) {
          seen.push({
            event: JobEventSchema.parse(JSON.parse(message.body)),
            traceparent: message.attributes.traceparent,
          });
          await events.delete(message.receipt);
        }
        return seen.some(({ event }) => event.type === 'ready');
      },
      60_000,
    );
    const ready = seen.find(({ event }) => event.type === 'ready')?.event;
    if (ready?.type !== 'ready') throw new Error('no ready event');
    expect(ready).toMatchObject({ jobId: job.jobId, assetId: job.assetId, workerId: 'bin-test' });
    expect(seen[0]?.event.type).toBe('started');
    expect(seen.every(({ traceparent }) => traceparent?.startsWith('00-4bf92f3577b34da6a3ce929d0e0e4736-'))).toBe(true);
    expect(await storage.head(ready.outputPrefix + ready.masterPlaylist)).not.toBeNull();
    // The job message was deleted once done.
    await waitFor(
      'the job message deleted',
      async () => {
        const stats = await jobs.stats();
        return stats.visible === 0 && stats.inFlight === 0;
      },
      10_000,
    );

    worker.child.kill('SIGTERM');
    expect(await exitWithin(worker, 15_000)).toEqual({ code: 0, signal: null });
  });

  it('dead-letters a poison job with its reason instead of deleting it', async () => {
    // A queue of its own: a long poll of an earlier test's worker, still pending in fauxqs
    // after that worker exited, would take the message here.
    const urls = await ensureSqsQueues(sqs, `transcode-poison-${randomUUID()}`, {
      maxReceives: 3,
      visibilityTimeoutSeconds: 30,
    });
    const jobs = new SqsMessageQueue({ name: 'jobs', client: sqs, ...urls });
    const worker = startWorker({ ...baseEnv, SQS_JOBS_QUEUE_URL: urls.queueUrl });
    await waitFor('the worker to start', () => logged(worker, 'worker started'), 20_000);
    const body = JSON.stringify({ type: 'transcode', version: 99 });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const id = await jobs.send(body, { attributes: { traceparent } });

    // The DLQ of the jobs queue's redrive policy, read as GET /jobs/dead-letters reads it.
    const [letter] = await waitFor(
      'the poison job in the dead-letter queue',
      async () => {
        const letters = await jobs.deadLetters(10);
        return letters.length > 0 ? letters : undefined;
      },
      20_000,
    );
    expect(letter).toMatchObject({ id: expect.any(String), body, attributes: { traceparent } });
    expect(letter?.reason).toMatch(/^invalid job message: version: /);
    // Parked on its first delivery, not after using up its receives, and gone from the jobs queue.
    await waitFor('the jobs queue empty', async () => {
      const stats = await jobs.stats();
      return stats.visible === 0 && stats.inFlight === 0;
    });
    const parked = worker.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parked.find((line) => line.msg === 'poison message dead-lettered')).toMatchObject({ messageId: id });
    expect(worker.stderr.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ msg: 'poison message', messageId: id }),
    );

    worker.child.kill('SIGTERM');
    expect(await exitWithin(worker, 15_000)).toEqual({ code: 0, signal: null });
  });

  it('removes on start the work folders a killed worker left behind, and no live one', async () => {
    const tmp = await tempDir('bin-tmp');
    try {
      // What a SIGKILLed worker leaves: its folder, named after its pid, which is gone now.
      const killed = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await new Promise((resolve) => killed.on('exit', resolve));
      const stale = `${workDirPrefix(randomUUID(), killed.pid)}0f1e2d`;
      await mkdir(join(tmp.path, stale, 'out'), { recursive: true });
      await writeFile(join(tmp.path, stale, 'source'), 'half a download');
      // A folder of a process that is alive (this one) stays, as does anything else there.
      const live = `${workDirPrefix(randomUUID(), process.pid)}3c4b5a`;
      await mkdir(join(tmp.path, live));
      await writeFile(join(tmp.path, 'unrelated.txt'), 'not ours');

      const worker = startWorker({ ...baseEnv, TMPDIR: tmp.path });
      const swept = await waitFor(
        'the sweep',
        () =>
          worker.stdout
            .map((line) => JSON.parse(line) as Record<string, unknown>)
            .find((line) => line.msg === 'removed stale work folders'),
        20_000,
      );
      expect(swept).toMatchObject({ tmpRoot: tmp.path, folders: [stale] });
      expect((await readdir(tmp.path)).sort()).toEqual([live, 'unrelated.txt'].sort());

      worker.child.kill('SIGTERM');
      expect(await exitWithin(worker, 15_000)).toEqual({ code: 0, signal: null });
    } finally {
      await tmp.cleanup();
    }
  });

  it('on SIGTERM mid-encode, aborts the job after the drain, releases its message and exits 0 within the grace', async () => {
    // A queue of its own (see the poison test), and a short grace: the drain is 3 s of 4.
    const urls = await ensureSqsQueues(sqs, `transcode-stop-${randomUUID()}`, {
      maxReceives: 3,
      visibilityTimeoutSeconds: 30,
    });
    const jobs = new SqsMessageQueue({ name: 'jobs', client: sqs, ...urls });
    const job = jobFor();
    await storage.putFile(job.sourceKey, longClip);
    const worker = startWorker({
      ...baseEnv,
      SQS_JOBS_QUEUE_URL: urls.queueUrl,
      FFMPEG_PATH: slowFfmpeg.path,
      SHUTDOWN_GRACE_MS: '4000',
    });
    await waitFor('the worker to start', () => logged(worker, 'worker started'), 20_000);
    const id = await jobs.send(JSON.stringify(job));
    const encoder = await waitFor(
      'the encode running',
      () => childProcesses(worker.child.pid!, 'ffmpeg', '-progress')[0],
      30_000,
    );

    worker.child.kill('SIGTERM');
    // 1 would be the force exit once the grace is over; the bound only guards against a hang.
    expect(await exitWithin(worker, 30_000)).toEqual({ code: 0, signal: null });
    const lines = [...worker.stdout, ...worker.stderr].map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === 'stopping')).toMatchObject({ inFlight: 1, drainMs: 3000, graceMs: 4000 });
    expect(lines.map((line) => line.msg)).toContain('jobs still running at shutdown; releasing them');
    expect(lines.map((line) => line.msg)).not.toContain('shutdown took longer than the grace; exiting');
    // The encoder was killed with the job, not left running without its worker.
    expect(isAlive(encoder)).toBe(false);
    // Released: visible now, not after its 30 s visibility timeout, and nothing published.
    expect(await jobs.stats()).toMatchObject({ visible: 1, inFlight: 0 });
    expect(await jobs.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 })).toMatchObject([
      { id, receiveCount: 2 },
    ]);
    expect(await keysUnder(storage, job.outputPrefix)).toEqual([]);
  });

  it('exits 1 by force when its shutdown has not ended once the grace is over', async () => {
    const worker = startWorker({ ...baseEnv, WORKER_METRICS_PORT: '0', SHUTDOWN_GRACE_MS: '2000' });
    const started = await waitFor(
      'the worker to start',
      () =>
        worker.stdout
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.msg === 'worker started'),
      20_000,
    );
    // Something the shutdown waits for and that never ends: here a metrics scrape whose
    // request never completes (closing the server waits for it), as a hung collector or queue
    // would hold it.
    const scrape = connect(Number(started.metricsPort), '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => scrape.once('connect', resolve).once('error', reject));
      scrape.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      worker.child.kill('SIGTERM');
      expect(await exitWithin(worker, 30_000)).toEqual({ code: 1, signal: null });
      expect(worker.stderr.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
        expect.objectContaining({ msg: 'shutdown took longer than the grace; exiting', graceMs: 2000 }),
      );
      expect(logged(worker, 'stopped')).toBe(false);
    } finally {
      scrape.destroy();
    }
  });

  it('exits 0 on SIGTERM while idle, without waiting out its long poll', async () => {
    const worker = startWorker(baseEnv);
    await waitFor('the worker to start', () => logged(worker, 'worker started'), 20_000);
    worker.child.kill('SIGTERM');
    // Its idle long poll lasts 10 s; the bound is below that on purpose.
    expect(await exitWithin(worker, 8_000)).toEqual({ code: 0, signal: null });
    expect(logged(worker, 'stopped')).toBe(true);
  });
});
