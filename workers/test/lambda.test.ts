import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { ensureSqsQueues, JobEventSchema, SqsMessageQueue, type JobEvent, type ObjectStorage } from '@aleflix/core';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type SqsEvent, type SqsRecord } from '../src/lambda.js';
import { createWorkerAdapters, loadWorkerConfig } from '../src/worker-config.js';
import { jobFor, makeClip, memoryLogger, tempDir, waitFor } from './support.js';

// The Lambda handler against fauxqs (S3 for media, SQS for jobs and events), with SQS events
// built from messages really received from the jobs queue, as the event source mapping does.
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
let server: FauxqsServer;
let sqs: SQSClient;
let env: NodeJS.ProcessEnv;
let storage: ObjectStorage;
let jobsUrl: string;
let jobsArn: string;
/** The jobs queue as the API reads its dead letters (GET /jobs/dead-letters). */
let jobsWithDeadLetters: SqsMessageQueue;
let events: SqsMessageQueue;
let clips: { path: string; cleanup: () => Promise<void> };
let clip: string;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  // The SDK's default credential chain reads the process environment.
  for (const [name, value] of Object.entries({ ...CREDENTIALS, AWS_EC2_METADATA_DISABLED: 'true' })) {
    savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
  clips = await tempDir('lambda');
  [server, clip] = await Promise.all([startFauxqs({ port: 0, logger: false }), makeClip(`${clips.path}/clip.mp4`)]);
  const aws = {
    region: 'us-east-1',
    endpoint: server.address,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  sqs = new SQSClient(aws);
  const s3 = new S3Client({ ...aws, forcePathStyle: true });
  const bucket = `media-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const jobs = await ensureSqsQueues(sqs, `transcode-${randomUUID()}`, {
    maxReceives: 3,
    visibilityTimeoutSeconds: 60,
  });
  const eventQueue = await ensureSqsQueues(sqs, `transcode-events-${randomUUID()}`, {
    maxReceives: 5,
    visibilityTimeoutSeconds: 30,
  });
  jobsUrl = jobs.queueUrl;
  jobsWithDeadLetters = new SqsMessageQueue({
    name: 'jobs',
    client: sqs,
    queueUrl: jobs.queueUrl,
    deadLetterQueueUrl: jobs.deadLetterQueueUrl,
  });
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: jobs.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  jobsArn = Attributes?.QueueArn ?? '';
  env = {
    STORAGE_URL: `s3://${bucket}`,
    AWS_ENDPOINT_URL: server.address,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    SQS_JOBS_QUEUE_URL: jobs.queueUrl,
    SQS_EVENTS_QUEUE_URL: eventQueue.queueUrl,
    JOB_MAX_ATTEMPTS: '3',
    VISIBILITY_TIMEOUT_SECONDS: '60',
    ...CREDENTIALS,
  };
  // The test reads and writes through the same adapters the handler builds from `env`.
  const adapters = createWorkerAdapters(loadWorkerConfig(env));
  storage = adapters.storage;
  events = adapters.events as SqsMessageQueue;
});
afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
  await clips?.cleanup();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Sends the bodies to the jobs queue and receives them back as Lambda would get them. */
async function sqsEventFor(bodies: string[]): Promise<SqsEvent> {
  for (const body of bodies) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: jobsUrl,
        MessageBody: body,
        MessageAttributes: {
          traceparent: { DataType: 'String', StringValue: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        },
      }),
    );
  }
  const received: Message[] = [];
  await waitFor(
    'the jobs to be received',
    async () => {
      const output = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: jobsUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 60,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      received.push(...(output.Messages ?? []));
      return received.length >= bodies.length;
    },
    20_000,
  );
  return { Records: received.map(toRecord) };
}

function toRecord(message: Message): SqsRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '',
      SentTimestamp: message.Attributes?.SentTimestamp ?? '',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType ?? 'String' },
      ]),
    ),
    eventSourceARN: jobsArn,
  };
}

/** Receives events until `until` holds for one of them (bounded). */
async function eventsUntil(
  until: (event: JobEvent) => boolean,
): Promise<Array<{ event: JobEvent; traceparent: string | undefined }>> {
  const seen: Array<{ event: JobEvent; traceparent: string | undefined }> = [];
  await waitFor(
    'the expected event',
    async () => {
      for (const message of await events.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30, waitSeconds: 1 })) {
        seen.push({
          event: JobEventSchema.parse(JSON.parse(message.body)),
          traceparent: message.attributes.traceparent,
        });
        await events.delete(message.receipt);
      }
      return seen.some(({ event }) => until(event));
    },
    30_000,
  );
  return seen;
}

const context = { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'test' };

describe('Lambda handler', () => {
  it('transcodes the good record, dead-letters the poison one with its reason, and reports no failures', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, clip);
    const logger = memoryLogger();
    const handler = createLambdaHandler(env, { logger });
    const event = await sqsEventFor([JSON.stringify(job), '{"type":"transcode","version":99}']);
    expect(event.Records).toHaveLength(2);
    expect(event.Records.every((record) => record.attributes.ApproximateReceiveCount === '1')).toBe(true);

    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    const poison = event.Records.find((record) => record.body.includes('"version":99'));
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'poison message',
        fields: expect.objectContaining({ messageId: poison?.messageId }),
      }),
    );
    // Parked in the jobs queue's DLQ (found from its redrive policy) on its first delivery,
    // with the reason and the trace context, where GET /jobs/dead-letters lists it.
    const letters = await jobsWithDeadLetters.deadLetters(10);
    expect(letters).toEqual([
      expect.objectContaining({
        body: '{"type":"transcode","version":99}',
        reason: expect.stringMatching(/^invalid job message: version: /),
        attributes: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      }),
    ]);
    // The event source mapping then deletes the records reported as handled: nothing is left.
    for (const record of event.Records) await jobsWithDeadLetters.delete(record.receiptHandle);
    expect(await jobsWithDeadLetters.stats()).toMatchObject({ visible: 0, inFlight: 0 });

    const seen = await eventsUntil((e) => e.type === 'ready' && e.jobId === job.jobId);
    const ready = seen.find(({ event }) => event.type === 'ready')?.event;
    if (ready?.type !== 'ready') throw new Error('no ready event');
    expect(ready.workerId).toBe('lambda:local');
    expect(ready.outputPrefix).toMatch(new RegExp(`^${job.outputPrefix}run-`));
    expect(seen.map(({ event }) => event.type)).toContain('started');
    expect(
      seen.every(({ traceparent }) => traceparent === '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
    ).toBe(true);
    expect(await storage.head(ready.outputPrefix + ready.masterPlaylist)).not.toBeNull();
    expect(await storage.head(`${job.outputPrefix}done.json`)).not.toBeNull();
  });

  it('reports a record whose source is missing as a batch item failure on its first receive', async () => {
    const job = jobFor();
    const handler = createLambdaHandler(env, { logger: memoryLogger() });
    const event = await sqsEventFor([JSON.stringify(job)]);
    const [record] = event.Records;
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: record?.messageId }] });
  });

  it('fails the records it has no time left for without starting them', async () => {
    const job = jobFor();
    await storage.putFile(job.sourceKey, clip);
    const handler = createLambdaHandler(env, { logger: memoryLogger() });
    const event = await sqsEventFor([JSON.stringify(job)]);
    const result = await handler(event, { getRemainingTimeInMillis: () => 5_000 });
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.map((record) => record.messageId),
    );
    expect(await storage.head(`${job.outputPrefix}done.json`)).toBeNull();
  });
});
