import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQueueContract } from './queue.contract.js';
import { sqlClientFrom, type SqlClient } from './sql-client.js';
import { ensureQueueTable, SqlMessageQueue } from './sql.queue.js';

// Runs when TEST_DATABASE_URL is set (CI sets it): the same contract on a real PostgreSQL
// server, in a throwaway database, with a pool so that receivers really run concurrently.
const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('SQL queue on PostgreSQL', () => {
  const database = `aleflix_queue_${randomUUID().replaceAll('-', '')}`;
  let pool: pg.Pool;
  let sql: SqlClient;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const target = new URL(url as string);
    target.pathname = `/${database}`;
    pool = new pg.Pool({ connectionString: target.toString(), max: 6 });
    sql = sqlClientFrom(pool);
    await ensureQueueTable(sql);
  });
  afterAll(async () => {
    await pool?.end();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  describeQueueContract('SQL queue on PostgreSQL', ({ maxReceives }) => ({
    queue: new SqlMessageQueue({ name: `q-${randomUUID()}`, sql, maxReceives }),
  }));

  it('hands each of 200 messages to exactly one of four competing consumers', async () => {
    const name = `busy-${randomUUID()}`;
    const producer = new SqlMessageQueue({ name, sql, maxReceives: 5 });
    const ids = await producer.sendBatch(Array.from({ length: 200 }, (_, i) => ({ body: String(i) })));
    const consume = async () => {
      // Each consumer is its own instance, as separate worker processes would be.
      const queue = new SqlMessageQueue({ name, sql, maxReceives: 5 });
      const got: string[] = [];
      for (;;) {
        const batch = await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 60 });
        if (batch.length === 0) return got;
        got.push(...batch.map((message) => message.id));
        await queue.deleteBatch(batch.map((message) => message.receipt));
      }
    };
    const all = (await Promise.all([consume(), consume(), consume(), consume()])).flat();
    expect(all).toHaveLength(200);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(await producer.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });
});
