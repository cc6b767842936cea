import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageQueue } from './queue.port.js';
import { sqlClientFrom, type SqlClient } from './sql-client.js';
import { ensureQueueTable, SqlMessageQueue } from './sql.queue.js';
import { ensureSqsQueues, SqsMessageQueue } from './sqs.queue.js';

/** deadLetterCount, behind the "dead-letter queue not empty" alert, on both adapters. */
async function parkOne(queue: MessageQueue): Promise<void> {
  await queue.send('{"type":"mystery"}');
  const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 30, waitSeconds: 1 });
  expect(await queue.deadLetterMessage?.(message!, 'invalid job message')).toBe(true);
}

describe('deadLetterCount on the SQL queue (PGlite)', () => {
  let db: PGlite;
  let sql: SqlClient;
  beforeAll(async () => {
    db = await PGlite.create();
    sql = sqlClientFrom(db);
    await ensureQueueTable(sql);
  });
  afterAll(() => db?.close());

  it('counts the messages parked under the dead-letter name, not the live ones', async () => {
    const queue = new SqlMessageQueue({ name: `q-${randomUUID()}`, sql, maxReceives: 3 });
    expect(await queue.deadLetterCount()).toBe(0);
    await parkOne(queue);
    await queue.send('still alive');
    expect(await queue.deadLetterCount()).toBe(1);
    expect(await queue.stats()).toMatchObject({ visible: 1 });
  });

  it('reports a shared dead-letter queue for every queue that parks there', async () => {
    const dlq = `dlq-${randomUUID()}`;
    const first = new SqlMessageQueue({ name: `a-${randomUUID()}`, sql, maxReceives: 3, deadLetterName: dlq });
    const second = new SqlMessageQueue({ name: `b-${randomUUID()}`, sql, maxReceives: 3, deadLetterName: dlq });
    await parkOne(first);
    expect([await first.deadLetterCount(), await second.deadLetterCount()]).toEqual([1, 1]);
  });
});

describe('deadLetterCount on SQS (fauxqs)', () => {
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

  it('reads the DLQ size from its attributes, and is 0 without a DLQ', async () => {
    const name = `count-${randomUUID()}`;
    const urls = await ensureSqsQueues(client, name, { maxReceives: 3, visibilityTimeoutSeconds: 30 });
    const queue = new SqsMessageQueue({
      name,
      client,
      queueUrl: urls.queueUrl,
      deadLetterQueueUrl: urls.deadLetterQueueUrl,
    });
    expect(await queue.deadLetterCount()).toBe(0);
    await parkOne(queue);
    expect(await queue.deadLetterCount()).toBe(1);
    expect(await new SqsMessageQueue({ name, client, queueUrl: urls.queueUrl }).deadLetterCount()).toBe(0);
  });
});
