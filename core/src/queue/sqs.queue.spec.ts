import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQueueContract } from './queue.contract.js';
import type { ReceivedMessage } from './queue.port.js';
import { ensureSqsQueues, findDeadLetterQueueUrl, SqsMessageQueue } from './sqs.queue.js';

// fauxqs (an SQS/S3 emulator) runs in this process on a free port; the SDK client points at
// it with a custom endpoint, which also keeps the SDK from using the queue URLs' host.
let server: FauxqsServer;
let client: SQSClient;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  client = new SQSClient({
    region: 'us-east-1',
    endpoint: server.address,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describeQueueContract('SQS (fauxqs)', async ({ maxReceives }) => {
  const name = `transcode-${randomUUID()}`;
  const { queueUrl, deadLetterQueueUrl } = await ensureSqsQueues(client, name, {
    maxReceives,
    visibilityTimeoutSeconds: 30,
  });
  return { queue: new SqsMessageQueue({ name, queueUrl, client, deadLetterQueueUrl }) };
});

describe('ensureSqsQueues', () => {
  it('creates the queue with a redrive policy to its DLQ, and can run again', async () => {
    const name = `events-${randomUUID()}`;
    const first = await ensureSqsQueues(client, name, { maxReceives: 4, visibilityTimeoutSeconds: 45 });
    const again = await ensureSqsQueues(client, name, { maxReceives: 6, visibilityTimeoutSeconds: 90 });
    expect(again.queueUrl).toBe(first.queueUrl);
    expect(first.deadLetterQueueUrl).toContain(`${name}-dlq`);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: again.queueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('90');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: first.deadLetterQueueArn,
      maxReceiveCount: expect.anything(),
    });
    expect(Number(JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount)).toBe(6);
  });
});

describe('SqsMessageQueue', () => {
  it('has no dead letters to show without a DLQ URL', async () => {
    const name = `plain-${randomUUID()}`;
    const { queueUrl } = await ensureSqsQueues(client, name, { maxReceives: 3, visibilityTimeoutSeconds: 30 });
    expect(await new SqsMessageQueue({ name, queueUrl, client }).deadLetters(10)).toEqual([]);
  });

  it('finds its DLQ from the redrive policy when asked, so the queue URL alone is enough', async () => {
    const name = `found-${randomUUID()}`;
    const urls = await ensureSqsQueues(client, name, { maxReceives: 1, visibilityTimeoutSeconds: 30 });
    expect(await findDeadLetterQueueUrl(client, urls.queueUrl)).toBe(urls.deadLetterQueueUrl);
    const queue = new SqsMessageQueue({ name, queueUrl: urls.queueUrl, client, findDeadLetterQueue: true });
    await queue.send('{"type":"mystery"}');
    const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30, waitSeconds: 1 });
    expect(await queue.deadLetterMessage(message as ReceivedMessage, 'invalid job message: type')).toBe(true);
    const letters = await new SqsMessageQueue({ name, client, ...urls }).deadLetters(10);
    expect(letters.map(({ body, reason }) => ({ body, reason }))).toEqual([
      { body: '{"type":"mystery"}', reason: 'invalid job message: type' },
    ]);
    expect((await queue.deadLetters(10)).map((letter) => letter.reason)).toEqual(['invalid job message: type']);
  });

  it('has no DLQ to find, nor to park poison in, without a redrive policy', async () => {
    const name = `no-redrive-${randomUUID()}`;
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
    const queue = new SqsMessageQueue({ name, queueUrl: QueueUrl as string, client, findDeadLetterQueue: true });
    expect(await findDeadLetterQueueUrl(client, QueueUrl as string)).toBeUndefined();
    await queue.send('poison');
    const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30, waitSeconds: 1 });
    expect(await queue.deadLetterMessage(message as ReceivedMessage, 'bad')).toBe(false);
    expect(await queue.deadLetters(10)).toEqual([]);
  });

  it('peeks at dead letters without taking them off the DLQ', async () => {
    const name = `peek-${randomUUID()}`;
    const urls = await ensureSqsQueues(client, name, { maxReceives: 1, visibilityTimeoutSeconds: 30 });
    const queue = new SqsMessageQueue({ name, client, ...urls });
    const ids = await queue.sendBatch(Array.from({ length: 12 }, (_, i) => ({ body: `bad ${i}` })));
    // One delivery each, released; the next receive moves them all to the DLQ.
    let delivered = 0;
    while (delivered < 12) {
      const batch = await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 });
      delivered += batch.length;
      for (const message of batch) await queue.changeVisibility(message.receipt, 0);
    }
    expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30, waitSeconds: 1 })).toEqual([]);
    expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 })).toEqual([]);
    const first = await queue.deadLetters(20);
    expect(first.map((letter) => letter.id).sort()).toEqual([...ids].sort());
    expect((await queue.deadLetters(5)).length).toBe(5);
    expect((await queue.deadLetters(20)).length).toBe(12);
  });
});
