import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { createS3Client, ensureSqsQueues, JobEventSchema, S3ObjectStorage, SqsMessageQueue } from '@aleflix/core';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqsEvent } from '../src/lambda.js';
import { ensureWorkerBuilt, WORKERS_DIR } from './build.js';
import { startReceiver, type Span } from './otlp-receiver.js';
import { jobFor, makeClip, tempDir, waitFor } from './support.js';

/**
 * The built Lambda handler (`dist/lambda.js`) invoked in a child process with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver in this test, against fauxqs: the
 * `transcode job` span continues the trace of the record's `traceparent` attribute, and the
 * spans are exported before the invocation returns (the batch delay is set far beyond the
 * test, and the child stays up after answering, so nothing else could have exported them).
 */
const REPO_ROOT = join(WORKERS_DIR, '..');
const HANDLER = join(WORKERS_DIR, 'dist', 'lambda.js');
const INVOKE = join(WORKERS_DIR, 'test', 'invoke-lambda.mjs');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let fauxqs: FauxqsServer;
let receiver: { server: Server; url: string };
let sqs: SQSClient;
let s3: S3Client;
let clips: { path: string; cleanup: () => Promise<void> };
let clip: string;
const spans: Span[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  clips = await tempDir('lambda-tracing');
  [fauxqs, receiver, clip] = await Promise.all([
    startFauxqs({ port: 0, logger: false }),
    startReceiver(spans),
    makeClip(`${clips.path}/clip.mp4`),
    ensureWorkerBuilt(),
  ]);
  sqs = new SQSClient({ region: 'us-east-1', endpoint: fauxqs.address, credentials });
  s3 = createS3Client({ region: 'us-east-1', endpoint: fauxqs.address, forcePathStyle: true, credentials });
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
});
afterAll(async () => {
  sqs?.destroy();
  s3?.destroy();
  await fauxqs?.stop();
  await new Promise((resolve) => receiver?.server.close(resolve));
  await clips?.cleanup();
});

/** The job, received from the jobs queue as the event source mapping would hand it over. */
async function sqsEventFor(queueUrl: string, body: string, traceparent: string): Promise<SqsEvent> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: { traceparent: { DataType: 'String', StringValue: traceparent } },
    }),
  );
  const message = await waitFor<Message>('the job to be received', async () => {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 120,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return output.Messages?.[0];
  });
  return {
    Records: [
      {
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: message.Attributes?.SentTimestamp ?? '',
        },
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            { stringValue: value.StringValue, dataType: value.DataType ?? 'String' },
          ]),
        ),
      },
    ],
  };
}

describe('Lambda handler tracing', () => {
  it.each([
    ['started by the handler on its first invocation', undefined],
    ['preloaded with --import @aleflix/workers/telemetry/register', '--import @aleflix/workers/telemetry/register'],
  ])('continues the trace of the record, with tracing %s', async (_mode, nodeOptions) => {
    const bucket = `media-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const jobUrls = await ensureSqsQueues(sqs, `transcode-${randomUUID()}`, {
      maxReceives: 3,
      visibilityTimeoutSeconds: 120,
    });
    const eventUrls = await ensureSqsQueues(sqs, `events-${randomUUID()}`, {
      maxReceives: 5,
      visibilityTimeoutSeconds: 30,
    });
    const job = jobFor();
    await new S3ObjectStorage({ bucket, client: s3 }).putFile(job.sourceKey, clip);
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const event = await sqsEventFor(jobUrls.queueUrl, JSON.stringify(job), `00-${traceId}-${parentSpanId}-01`);

    const child = spawn(process.execPath, [INVOKE, HANDLER], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        LAMBDA_EVENT: JSON.stringify(event),
        AWS_LAMBDA_LOG_STREAM_NAME: 'tracing-test',
        STORAGE_URL: `s3://${bucket}`,
        AWS_ENDPOINT_URL: fauxqs.address,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        SQS_JOBS_QUEUE_URL: jobUrls.queueUrl,
        SQS_EVENTS_QUEUE_URL: eventUrls.queueUrl,
        VISIBILITY_TIMEOUT_SECONDS: '120',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Far beyond the test: only the invocation's own flush can export its spans.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(...chunk.toString().split('\n').filter(Boolean)));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    const answer = await waitFor(
      'the invocation to return',
      () => {
        if (child.exitCode !== null) throw new Error(`the child exited early: ${stderr.join('')}`);
        return stdout.map(parseLine).find((line) => 'response' in line);
      },
      90_000,
    );
    expect(answer.response).toEqual({ batchItemFailures: [] });

    // Taken the moment the invocation returned, without waiting: a frozen Lambda exports nothing later.
    const inTrace = spans.filter((span) => span.traceId === traceId);
    const jobSpan = inTrace.find((span) => span.name === 'transcode job');
    expect(jobSpan, `spans exported: ${spans.map((span) => span.name).join(', ')}`).toBeDefined();
    expect(jobSpan).toMatchObject({
      service: 'aleflix-worker',
      parentSpanId,
      attributes: expect.objectContaining({
        'aleflix.job_id': job.jobId,
        'aleflix.asset_id': job.assetId,
        'aleflix.worker_id': 'lambda:tracing-test',
        'aleflix.outcome': 'done',
      }),
    });
    const steps = inTrace.filter((span) => span.parentSpanId === jobSpan!.spanId).map((span) => span.name);
    expect(steps).toEqual(expect.arrayContaining(['download source', 'probe', 'encode', 'upload outputs']));
    if (nodeOptions) {
      // Preloaded before the handler module loaded the AWS SDK: its S3 and SQS calls are traced too.
      expect(inTrace.some((span) => span.scope.includes('aws-sdk'))).toBe(true);
    }
    // Logs of the job carry its trace id.
    expect(stdout.map(parseLine).find((line) => line.msg === 'transcoded')).toMatchObject({ trace_id: traceId });

    // The events went back carrying the job's trace, so the API's handling joins it.
    const events = new SqsMessageQueue({ name: 'events', client: sqs, ...eventUrls });
    const traceparents: string[] = [];
    await waitFor('the ready event', async () => {
      let ready = false;
      for (const message of await events.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30, waitSeconds: 1 })) {
        traceparents.push(message.attributes.traceparent ?? '');
        ready ||= JobEventSchema.parse(JSON.parse(message.body)).type === 'ready';
        await events.delete(message.receipt);
      }
      return ready;
    });
    for (const traceparent of traceparents) expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[\\da-f]{16}-01$`));

    child.stdin.end();
    expect(await exited).toBe(0);
  });
});

function parseLine(line: string): Record<string, any> {
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return {};
  }
}
