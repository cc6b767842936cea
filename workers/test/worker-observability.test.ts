import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createS3Client, ensureSqsQueues, JobEventSchema, S3ObjectStorage, SqsMessageQueue } from '@aleflix/core';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWorkerBuilt, WORKER_BIN } from './build.js';
import { startReceiver, type Span } from './otlp-receiver.js';
import { jobFor, makeClip, tempDir, waitFor } from './support.js';

/**
 * `aleflix-worker` with WORKER_METRICS_PORT and OTEL_EXPORTER_OTLP_ENDPOINT set, against
 * fauxqs: after one job, its /metrics has the transcode and process metrics, and its spans
 * continue the trace the job message carried (job → probe, encode, upload; AWS SDK calls
 * instrumented), with the events carrying the job's trace back.
 */
describe('aleflix-worker observability', () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const spans: Span[] = [];
  let fauxqs: FauxqsServer;
  let receiver: { server: Server; url: string };
  let sqs: SQSClient;
  let s3: S3Client;
  let clips: { path: string; cleanup: () => Promise<void> };
  let worker: ChildProcessWithoutNullStreams | undefined;
  const stdout: string[] = [];

  beforeAll(async () => {
    clips = await tempDir('observability');
    [fauxqs, receiver] = await Promise.all([
      startFauxqs({ port: 0, logger: false }),
      startReceiver(spans),
      ensureWorkerBuilt(),
    ]);
    sqs = new SQSClient({ region: 'us-east-1', endpoint: fauxqs.address, credentials });
    s3 = createS3Client({ region: 'us-east-1', endpoint: fauxqs.address, forcePathStyle: true, credentials });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    sqs?.destroy();
    s3?.destroy();
    await fauxqs?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
    await clips?.cleanup();
  });

  it('serves /metrics after a job and traces it as part of the trace the job message carried', async () => {
    const bucket = `media-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const jobUrls = await ensureSqsQueues(sqs, `transcode-${randomUUID()}`, {
      maxReceives: 3,
      visibilityTimeoutSeconds: 30,
    });
    const eventUrls = await ensureSqsQueues(sqs, `events-${randomUUID()}`, {
      maxReceives: 5,
      visibilityTimeoutSeconds: 30,
    });
    const storage = new S3ObjectStorage({ bucket, client: s3 });
    const jobs = new SqsMessageQueue({ name: 'jobs', client: sqs, ...jobUrls });
    const events = new SqsMessageQueue({ name: 'events', client: sqs, ...eventUrls });
    const job = jobFor();
    await storage.putFile(job.sourceKey, await makeClip(`${clips.path}/clip.mp4`));

    worker = spawn(process.execPath, [WORKER_BIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        STORAGE_URL: `s3://${bucket}`,
        AWS_ENDPOINT_URL: fauxqs.address,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        SQS_JOBS_QUEUE_URL: jobUrls.queueUrl,
        SQS_EVENTS_QUEUE_URL: eventUrls.queueUrl,
        VISIBILITY_TIMEOUT_SECONDS: '30',
        WORKER_ID: 'observability-test',
        WORKER_METRICS_PORT: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    worker.stdout.on('data', (chunk: Buffer) => stdout.push(...chunk.toString().split('\n').filter(Boolean)));
    const started = await waitFor(
      'the worker to start',
      () => stdout.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === 'worker started'),
      20_000,
    );
    expect(started).toMatchObject({ tracing: true, metricsPort: expect.any(Number) });
    const metricsUrl = `http://127.0.0.1:${String(started.metricsPort)}/metrics`;

    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    await jobs.send(JSON.stringify(job), { attributes: { traceparent: `00-${traceId}-${parentSpanId}-01` } });
    const eventTraceparents: string[] = [];
    await waitFor(
      'the ready event',
      async () => {
        let ready = false;
        for (const message of await events.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30, waitSeconds: 1 })) {
          eventTraceparents.push(message.attributes.traceparent ?? '');
          ready ||= JobEventSchema.parse(JSON.parse(message.body)).type === 'ready';
          await events.delete(message.receipt);
        }
        return ready;
      },
      90_000,
    );

    // The job counts as running until its message is deleted, just after the ready event.
    const text = await waitFor(
      'the job to leave the worker',
      async () => {
        const response = await fetch(metricsUrl);
        expect(response.headers.get('content-type')).toContain('text/plain');
        const body = await response.text();
        return /^aleflix_worker_jobs_in_flight 0$/m.test(body) ? body : undefined;
      },
      10_000,
    );
    expect(text).toMatch(/^aleflix_transcode_duration_seconds_count 1$/m);
    expect(text).toMatch(/^aleflix_transcode_realtime_factor_count 1$/m);
    expect(text).toMatch(/^aleflix_worker_job_events_total\{type="ready"\} 1$/m);
    expect(text).toMatch(/^aleflix_worker_job_events_total\{type="started"\} 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);

    const mine = await waitFor(
      'the job spans',
      () => {
        const inTrace = spans.filter((span) => span.traceId === traceId);
        return inTrace.some((span) => span.name === 'transcode job') && inTrace.some((s) => s.name === 'upload outputs')
          ? inTrace
          : undefined;
      },
      15_000,
    );
    const jobSpan = mine.find((span) => span.name === 'transcode job')!;
    expect(jobSpan.parentSpanId).toBe(parentSpanId);
    expect(jobSpan.attributes).toMatchObject({ 'aleflix.job_id': job.jobId, 'aleflix.asset_id': job.assetId });
    const children = mine.filter((span) => span.parentSpanId === jobSpan.spanId).map((span) => span.name);
    expect(children).toEqual(expect.arrayContaining(['download source', 'probe', 'encode', 'upload outputs']));
    // The AWS SDK is instrumented (loaded after tracing started): S3 and SQS calls of the job.
    expect(mine.some((span) => span.scope.includes('aws-sdk'))).toBe(true);
    // Every event went back carrying the job's trace.
    expect(eventTraceparents.length).toBeGreaterThan(0);
    for (const traceparent of eventTraceparents)
      expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[\\da-f]{16}-01$`));
    // Logs carry the trace of what they are about.
    const logged = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((line) => line.msg === 'transcoded')).toMatchObject({ trace_id: traceId, jobId: job.jobId });

    worker.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => worker!.on('exit', resolve));
    expect(code).toBe(0);
  });
});
