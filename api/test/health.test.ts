import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthService } from '../src/health/health.service.js';
import { createTestApp, databaseTargets, type InjectResult, type TestApp } from './http-harness.js';
import { expectProblem } from './problem-assertions.js';

/** Fails with a clear message instead of letting a hung request run into the test timeout. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The readiness check gives the database 2 s; this bounds a request that would hang. */
const REQUEST_DEADLINE_MS = 20_000;

describe.each(databaseTargets())('health on $name', (target) => {
  let t: TestApp;
  const ready = (): Promise<InjectResult> =>
    within(t.request('GET', '/health/ready'), REQUEST_DEADLINE_MS, 'GET /health/ready');
  const live = (): Promise<InjectResult> =>
    within(t.request('GET', '/health/live'), REQUEST_DEADLINE_MS, 'GET /health/live');

  beforeAll(async () => {
    t = await createTestApp(target);
  });
  afterAll(() => t?.close());

  it('answers live and ready with 200 without credentials', async () => {
    const liveResponse = await live();
    expect(liveResponse.status).toBe(200);
    expect(liveResponse.json()).toEqual({ status: 'ok' });
    const readyResponse = await ready();
    expect(readyResponse.status).toBe(200);
    expect(readyResponse.json()).toEqual({
      status: 'ok',
      checks: { database: { status: 'up', latencyMs: expect.any(Number) } },
    });
    // A probe that forwards a stale or bogus credential is not turned away.
    const withBogusToken = await t.request('GET', '/health/ready', {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(withBogusToken.status).toBe(200);
  });

  it('answers ready with 503 instead of hanging while no database connection is free, then recovers', async () => {
    // Take every connection: PGlite has one session, the PostgreSQL pool `extra.max` of them.
    const connections = (t.dataSource.options as { extra?: { max?: number } }).extra?.max ?? 1;
    const held: QueryRunner[] = [];
    try {
      for (let i = 0; i < connections; i++) {
        const runner = t.dataSource.createQueryRunner();
        await within(runner.connect(), REQUEST_DEADLINE_MS, `connection ${i + 1}`);
        held.push(runner);
      }
      const body = expectProblem(await ready(), 'service_unavailable', '/health/ready');
      expect(body.detail).toBe('Database is not answering');
      expect((await live()).status).toBe(200);
    } finally {
      await Promise.all(held.map((runner) => runner.release()));
    }
    expect((await ready()).status).toBe(200);
  });

  it.runIf(target.name === 'PostgreSQL')(
    'answers ready with 503 while PostgreSQL refuses connections and its backends are terminated, then recovers',
    async () => {
      const database = t.dataSource.driver.database!;
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [database],
        );
        expect(rows.length).toBeGreaterThan(0);
        const body = expectProblem(await ready(), 'service_unavailable');
        expect(body.detail).toBe('Database is not answering');
        expect((await live()).status).toBe(200);
      } finally {
        await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
        await admin.end();
      }
      expect((await ready()).status).toBe(200);
    },
  );

  it('answers ready with 503 once the database is gone, while live stays 200', async () => {
    await t.dataSource.destroy();
    const body = expectProblem(await ready(), 'service_unavailable', '/health/ready');
    expect(body.detail).toBe('Database is not answering');
    expect((await live()).status).toBe(200);
  });

  it('answers ready with 503 after markShuttingDown, while live stays 200', async () => {
    t.app.get(HealthService).markShuttingDown();
    const body = expectProblem(await ready(), 'service_unavailable', '/health/ready');
    expect(body.detail).toBe('Shutting down');
    expect((await live()).status).toBe(200);
  });
});
