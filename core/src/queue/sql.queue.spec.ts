import { PGlite } from '@electric-sql/pglite';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQueueContract } from './queue.contract.js';
import { sqlClientFrom, type SqlClient } from './sql-client.js';
import {
  ensureQueueTable,
  MAX_RECEIVES_EXCEEDED,
  queueTableDdl,
  queueTableDdlStatements,
  SqlMessageQueue,
} from './sql.queue.js';

// PGlite is real PostgreSQL compiled to WASM, in memory. It runs one statement at a time, so
// concurrency here means interleaving; sql.queue.postgres.spec.ts runs the same contract on
// a real server with a connection pool.
let db: PGlite;
let sql: SqlClient;

beforeAll(async () => {
  db = await PGlite.create();
  sql = sqlClientFrom(db);
  await ensureQueueTable(sql);
});
afterAll(async () => {
  await db?.close();
});

describeQueueContract('SQL queue on PGlite', ({ maxReceives }) => ({
  queue: new SqlMessageQueue({ name: `q-${randomUUID()}`, sql, maxReceives }),
}));

describe('SqlMessageQueue', () => {
  const queueNamed = (name: string, maxReceives = 5, deadLetterName?: string) =>
    new SqlMessageQueue({ name, sql, maxReceives, ...(deadLetterName ? { deadLetterName } : {}) });

  it('dead-letters a poison message at once, with the consumer’s reason', async () => {
    const queue = queueNamed(`q-${randomUUID()}`);
    const id = await queue.send('{"type":"mystery"}');
    const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
    expect(await queue.deadLetter(message?.receipt as string, 'invalid_message: unknown type')).toBe(true);
    expect(await queue.deadLetter(message?.receipt as string, 'again')).toBe(false);
    expect(await queue.deadLetters(10)).toEqual([
      expect.objectContaining({ id, receiveCount: 1, reason: 'invalid_message: unknown type' }),
    ]);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('says why receive dead-lettered a message', async () => {
    const queue = queueNamed(`q-${randomUUID()}`, 1);
    await queue.send('x');
    const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
    await queue.changeVisibility(message?.receipt as string, 0);
    expect(await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 })).toEqual([]);
    expect((await queue.deadLetters(1))[0]).toMatchObject({ reason: MAX_RECEIVES_EXCEEDED, receiveCount: 1 });
  });

  it('lists dead letters newest first', async () => {
    const queue = queueNamed(`q-${randomUUID()}`);
    for (const body of ['first', 'second', 'third']) {
      await queue.send(body);
      const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
      await queue.deadLetter(message?.receipt as string, body);
    }
    expect((await queue.deadLetters(2)).map((letter) => letter.body)).toEqual(['third', 'second']);
  });

  it('parks dead letters under deadLetterName when given', async () => {
    const dlq = `dlq-${randomUUID()}`;
    const jobs = queueNamed(`jobs-${randomUUID()}`, 5, dlq);
    const events = queueNamed(`events-${randomUUID()}`, 5, dlq);
    for (const queue of [jobs, events]) {
      await queue.send(queue.name);
      const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
      await queue.deadLetter(message?.receipt as string, 'bad');
    }
    expect((await queueNamed(dlq).deadLetters(10)).map((letter) => letter.body).sort()).toEqual(
      [jobs.name, events.name].sort(),
    );
    expect(await jobs.deadLetters(10)).toHaveLength(2);
    // Parked, not delivered: the DLQ name is not a queue of live messages.
    expect(await queueNamed(dlq).receive({ maxMessages: 10, visibilityTimeoutSeconds: 60 })).toEqual([]);
  });

  it('keeps queues that share the table apart', async () => {
    const a = queueNamed(`a-${randomUUID()}`);
    const b = queueNamed(`b-${randomUUID()}`);
    await a.send('for a');
    expect(await b.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60 })).toEqual([]);
    const [message] = await a.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
    await b.delete(message?.receipt as string);
    await b.changeVisibility(message?.receipt as string, 0);
    expect(await a.stats()).toMatchObject({ visible: 0, inFlight: 1 });
  });

  it('lets two instances (two processes) share one queue', async () => {
    const name = `shared-${randomUUID()}`;
    const producer = queueNamed(name);
    const consumer = queueNamed(name);
    const id = await producer.send('hello');
    const [message] = await consumer.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
    expect(message?.id).toBe(id);
    await producer.delete(message?.receipt as string);
    expect(await consumer.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('receives in one statement, and long-polls with a backoff rather than a busy loop', async () => {
    const statements: string[] = [];
    const counting: SqlClient = {
      query: (text, params) => {
        statements.push(text);
        return sql.query(text, params);
      },
    };
    const queue = new SqlMessageQueue({ name: `q-${randomUUID()}`, sql: counting, maxReceives: 5 });
    await queue.sendBatch([{ body: 'a' }, { body: 'b' }]);
    statements.length = 0;
    expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60 })).toHaveLength(2);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FOR UPDATE SKIP LOCKED/);
    statements.length = 0;
    expect(await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60, waitSeconds: 1 })).toEqual([]);
    // 50 ms doubling to 500 ms over 1 s: about six polls, far from a busy loop.
    expect(statements.length).toBeGreaterThan(1);
    expect(statements.length).toBeLessThan(15);
  });

  it('works through a client shaped like TypeORM’s DataSource.query', async () => {
    // TypeORM answers a top-level UPDATE or DELETE with [rows, rowCount] instead of rows.
    const typeOrmLike: SqlClient = {
      async query<T>(text: string, params?: unknown[]) {
        const rows = await sql.query<T>(text, params);
        return (/^\s*(UPDATE|DELETE)\b/i.test(text) ? [rows, rows.length] : rows) as T[];
      },
    };
    const queue = new SqlMessageQueue({ name: `q-${randomUUID()}`, sql: typeOrmLike, maxReceives: 1 });
    const id = await queue.send('via typeorm', { attributes: { traceparent: 'tp' } });
    const [message] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60 });
    expect(message).toMatchObject({ id, body: 'via typeorm', attributes: { traceparent: 'tp' } });
    expect(await queue.deadLetter(message?.receipt as string, 'poison')).toBe(true);
    expect(await queue.deadLetters(1)).toEqual([expect.objectContaining({ id, reason: 'poison' })]);
  });

  it('stores messages in its own table when asked', async () => {
    await ensureQueueTable(sql, 'custom_queue');
    await ensureQueueTable(sql, 'custom_queue');
    const queue = new SqlMessageQueue({ name: 'q', sql, maxReceives: 3, table: 'custom_queue' });
    await queue.send('in custom table');
    const rows = await sql.query<{ body: string }>('SELECT body FROM custom_queue');
    expect(rows).toEqual([{ body: 'in custom table' }]);
  });

  it('provides its DDL for migrations and refuses odd table names', () => {
    const ddl = queueTableDdl();
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS queue_messages');
    expect(ddl).toContain('ON queue_messages (queue, visible_at) WHERE dead_lettered_at IS NULL');
    expect(queueTableDdlStatements('jobs.queue_messages')[1]).toContain('jobs_queue_messages_ready_idx');
    expect(() => queueTableDdl('queue; DROP TABLE users')).toThrow(/Invalid queue table name/);
    expect(() => new SqlMessageQueue({ name: 'q', sql, maxReceives: 0 })).toThrow(/maxReceives/);
  });
});
