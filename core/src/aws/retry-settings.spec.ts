import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqsClient, ensureSqsQueues, SqsMessageQueue } from '../queue/sqs.queue.js';
import { createS3Client, S3ObjectStorage } from '../storage/s3.storage.js';
import { AWS_MAX_ATTEMPTS, awsRetrySettings } from './retry-settings.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Failure {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** S3 asking the client to slow down, as it does under a request-rate spike. */
const S3_SLOW_DOWN: Failure = {
  status: 503,
  headers: { 'content-type': 'application/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
};

/** SQS (JSON protocol) throttling a caller. */
const SQS_THROTTLED: Failure = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'ThrottlingException;Sender' },
  body: JSON.stringify({ __type: 'com.amazonaws.sqs#ThrottlingException', message: 'Rate exceeded' }),
};

/**
 * An HTTP endpoint on 127.0.0.1 between the SDK and fauxqs: answers the next `failNext(n)`
 * requests with a failure, and forwards the others to fauxqs untouched.
 */
async function startFlakyProxy(upstream: string) {
  const target = new URL(upstream);
  let failuresLeft = 0;
  let failure: Failure = S3_SLOW_DOWN;
  let failed = 0;
  let forwarded = 0;
  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      failed += 1;
      incoming.resume();
      outgoing.writeHead(failure.status, failure.headers).end(incoming.method === 'HEAD' ? undefined : failure.body);
      return;
    }
    forwarded += 1;
    const proxied = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    proxied.on('error', () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    failNext(count: number, how: Failure) {
      failuresLeft = count;
      failure = how;
      failed = 0;
      forwarded = 0;
    },
    counts: () => ({ failed, forwarded }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('awsRetrySettings', () => {
  it("is the SDK's standard mode with 3 attempts, unless the environment says otherwise", () => {
    expect(awsRetrySettings({})).toEqual({ retryMode: 'standard', maxAttempts: 3 });
    expect(awsRetrySettings({ AWS_MAX_ATTEMPTS: '6', AWS_RETRY_MODE: 'adaptive' })).toEqual({});
  });
});

describe('S3 and SQS clients retrying transient failures', () => {
  let fauxqs: FauxqsServer;
  let proxy: Awaited<ReturnType<typeof startFlakyProxy>>;
  let previous: { mode?: string; attempts?: string };

  beforeAll(async () => {
    // The assertions count attempts, so the environment must not change them.
    previous = { mode: process.env.AWS_RETRY_MODE, attempts: process.env.AWS_MAX_ATTEMPTS };
    delete process.env.AWS_RETRY_MODE;
    delete process.env.AWS_MAX_ATTEMPTS;
    fauxqs = await startFauxqs({ port: 0, logger: false });
    proxy = await startFlakyProxy(fauxqs.address);
  });
  afterAll(async () => {
    await proxy?.close();
    await fauxqs?.stop();
    if (previous.mode !== undefined) process.env.AWS_RETRY_MODE = previous.mode;
    if (previous.attempts !== undefined) process.env.AWS_MAX_ATTEMPTS = previous.attempts;
  });
  beforeEach(() => proxy.failNext(0, S3_SLOW_DOWN));

  async function storedObject(): Promise<{ storage: S3ObjectStorage; key: string }> {
    const direct = createS3Client({ region: 'us-east-1', endpoint: fauxqs.address, forcePathStyle: true, credentials });
    const bucket = `retry-${randomUUID()}`;
    await direct.send(new CreateBucketCommand({ Bucket: bucket }));
    await direct.send(new PutObjectCommand({ Bucket: bucket, Key: 'greeting.txt', Body: 'hello' }));
    direct.destroy();
    const client = createS3Client({ region: 'us-east-1', endpoint: proxy.url, forcePathStyle: true, credentials });
    return { storage: new S3ObjectStorage({ bucket, client }), key: 'greeting.txt' };
  }

  it('S3: a read answered 503 SlowDown twice succeeds on the third attempt', async () => {
    const { storage, key } = await storedObject();
    proxy.failNext(2, S3_SLOW_DOWN);
    expect((await buffer(await storage.get(key))).toString()).toBe('hello');
    expect(proxy.counts()).toEqual({ failed: 2, forwarded: 1 });
  });

  it(`S3: gives up after ${AWS_MAX_ATTEMPTS} attempts when the store keeps failing`, async () => {
    const { storage, key } = await storedObject();
    proxy.failNext(10, S3_SLOW_DOWN);
    await expect(storage.get(key)).rejects.toMatchObject({ name: 'SlowDown' });
    expect(proxy.counts()).toEqual({ failed: AWS_MAX_ATTEMPTS, forwarded: 0 });
  });

  it('SQS: a send throttled twice succeeds on the third attempt, and the message is there once', async () => {
    const direct = createSqsClient({ region: 'us-east-1', endpoint: fauxqs.address, credentials });
    const name = `retry-${randomUUID()}`;
    const { queueUrl } = await ensureSqsQueues(direct, name, { maxReceives: 3, visibilityTimeoutSeconds: 30 });
    const client = createSqsClient({ region: 'us-east-1', endpoint: proxy.url, credentials });
    const queue = new SqsMessageQueue({ name, queueUrl, client });
    proxy.failNext(2, SQS_THROTTLED);
    await queue.send('{"hello":"world"}');
    expect(proxy.counts()).toEqual({ failed: 2, forwarded: 1 });
    const received = await new SqsMessageQueue({ name, queueUrl, client: direct }).receive({
      maxMessages: 10,
      visibilityTimeoutSeconds: 30,
      waitSeconds: 0,
    });
    expect(received.map((message) => message.body)).toEqual(['{"hello":"world"}']);
    client.destroy();
    direct.destroy();
  });
});
