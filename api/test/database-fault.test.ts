import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../src/common/problem.filter.js';
import { databaseTargets, type DatabaseTarget } from './database-targets.js';
import { createTestApp, type InjectResult, type TestApp } from './http-harness.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** No request may take longer than this while the database is gone: a 503, never a hang. */
const ANSWER_WITHIN_MS = 15_000;

const serverUrl = process.env.TEST_DATABASE_URL;
/** Distinct texts, so each test finds its own statement among the server's activity. */
const MID_FLIGHT_SLEEP = 'SELECT pg_sleep(3) AS cut_mid_flight';
const TERMINATED_SLEEP = 'SELECT pg_sleep(3) AS terminated_by_the_server';

/**
 * The API's database link cut under it, for real: PostgreSQL behind a TCP proxy in this
 * process, which resets every connection and refuses (or resets) new ones. Requests must
 * get a prompt 503 service_unavailable problem with Retry-After (never a 500, never a hang),
 * readiness must say the database is down while liveness stays up, and once the link is
 * back the same app must answer again without a restart.
 */
describe.skipIf(!serverUrl)('the database cut off under a running API (PostgreSQL through a TCP proxy)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: pg.Client;
  let databaseName: string;
  let dispose: () => Promise<void> = async () => {};
  let token: string;
  let slug: string;
  /** A viewer's token whose session no request has looked up (so none is cached). */
  let freshToken: Promise<string>;

  beforeAll(async () => {
    const postgres = databaseTargets().find((target) => target.name === 'PostgreSQL')!;
    const created = await postgres.create();
    dispose = created.dispose;
    if (created.database.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
    const direct = new URL(created.database.url);
    databaseName = direct.pathname.slice(1);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const throughProxy: DatabaseTarget = {
      name: 'PostgreSQL through a proxy',
      create: async () => ({
        // Short bounds so the test is quick; the defaults are 5 s and 30 s.
        database: { ...created.database, url: proxied.toString(), connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 },
        dispose: async () => {},
      }),
    };
    // The admin's session stays cached, so its requests reach their own queries (list, read,
    // write) during an outage; tokens never used before check their session in the database.
    // The catalog cache is off: answers served from it would hide what the database does.
    t = await createTestApp(throughProxy, { AUTH_CACHE_TTL_MS: '60000', CACHE_TTL_SECONDS: '0' });
    token = await t.adminToken();
    const title = await t.request('POST', '/titles', {
      token,
      body: { kind: 'movie', name: 'Outage Movie', status: 'published' },
    });
    expect(title.status).toBe(201);
    slug = title.json().slug;
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await admin?.end();
    await dispose();
  });

  /** A request that must come back within ANSWER_WITHIN_MS. */
  async function answer(method: string, url: string, body?: unknown, as = token): Promise<InjectResult> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method} ${url} hung for ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
    });
    try {
      return await Promise.race([t.request(method, url, { token: as, ...(body ? { body } : {}) }), hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  function expectUnavailable(response: InjectResult, what: string): void {
    expect(response.status, `${what}: ${response.body}`).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(response.json().detail).toMatch(/database/i);
  }

  /**
   * Reads, a write, a sign-in check and readiness all fail the same way; liveness does not
   * depend on the database.
   */
  async function expectOutage(): Promise<void> {
    const unused = await freshToken;
    expectUnavailable(await answer('GET', '/titles?limit=5', undefined, unused), 'a session lookup');
    for (const [method, url, body] of [
      ['GET', '/titles?limit=5'],
      ['GET', `/titles/${slug}`],
      ['POST', '/titles', { kind: 'movie', name: 'Written During The Outage' }],
    ] as const) {
      const response = await answer(method, url, body);
      expectUnavailable(response, `${method} ${url}`);
      expect(response.headers['retry-after']).toBe('2');
    }
    expectUnavailable(await answer('GET', '/health/ready'), 'readiness');
    expect((await answer('GET', '/health/live')).status).toBe(200);
  }

  async function expectServing(): Promise<void> {
    expect((await answer('GET', '/health/ready')).status).toBe(200);
    const list = await answer('GET', '/titles?limit=5');
    expect(list.status).toBe(200);
    expect(list.json().items.map((title: { slug: string }) => title.slug)).toContain(slug);
    expect((await answer('GET', `/titles/${slug}`)).status).toBe(200);
  }

  it('answers 503 with Retry-After while connections are refused, then serves again once they are not', async () => {
    await expectServing();
    freshToken = Promise.resolve((await t.userWithRole('viewer')).token);
    await proxy.cut('refuse');
    try {
      await expectOutage();
    } finally {
      await proxy.restore();
    }
    await expectServing();
    // The write sent during the outage never happened, and writes work again.
    expect((await answer('GET', '/titles/written-during-the-outage')).status).toBe(404);
    expect((await answer('POST', '/titles', { kind: 'movie', name: 'Written After' })).status).toBe(201);
  });

  it('answers 503 while every new connection is reset on arrival, then serves again', async () => {
    freshToken = Promise.resolve((await t.userWithRole('viewer')).token);
    await proxy.cut('reset');
    try {
      await expectOutage();
    } finally {
      await proxy.restore();
    }
    await expectServing();
  });

  it('turns a statement whose connection is cut mid-flight into a 503-class error, and recovers', async () => {
    const running = t.dataSource.query(MID_FLIGHT_SLEEP);
    const failed = running.then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(
      () => statementsRunning(MID_FLIGHT_SLEEP),
      (count) => count === 1,
      'the sleep to reach the server',
    );
    await proxy.cut('refuse');
    try {
      const error = await failed;
      expect(error, 'the statement should have failed').toBeDefined();
      expect(toApiError(error)).toMatchObject({ code: 'service_unavailable', status: 503 });
    } finally {
      await proxy.restore();
    }
    await expectServing();
  });

  it('drops connections the server terminated (57P01, as in a restart or failover) and serves on fresh ones', async () => {
    await expectServing();
    const pool = (t.dataSource.driver as unknown as { master: pg.Pool }).master;
    expect(pool.totalCount).toBeGreaterThan(0);
    const running = t.dataSource.query(TERMINATED_SLEEP).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(
      () => statementsRunning(TERMINATED_SLEEP),
      (count) => count === 1,
      'the sleep to reach the server',
    );
    const terminated = await admin.query(
      'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) AS killed',
      [databaseName],
    );
    expect(terminated.rows[0].n).toBeGreaterThan(0);
    const error = await running;
    expect((error as { driverError?: { code?: string } }).driverError?.code).toBe('57P01');
    expect(toApiError(error)).toMatchObject({ code: 'service_unavailable', status: 503 });
    // Every pooled connection heard the server's goodbye and was dropped, none reused dead.
    await waitFor(
      () => Promise.resolve(pool.totalCount),
      (count) => count === 0,
      'the pool to drop its connections',
    );
    await expectServing();
  });

  /** How many statements with exactly this text the server is running on our database now. */
  async function statementsRunning(statement: string): Promise<number> {
    const result = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query = $2",
      [databaseName, statement],
    );
    return result.rows[0].n as number;
  }
});

/** Polls `read` until `done(value)`, for at most 10 s. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
