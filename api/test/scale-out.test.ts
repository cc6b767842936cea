import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlMessageQueue, sqlClientFrom } from '@aleflix/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { databaseTargets } from './database-targets.js';
import { buildApi, killAll, startApi, waitUntilLive, within, type ApiProcess } from './process-harness.js';
import { deleteKeys, eventually, uniquePrefix } from './redis-test-support.js';

const STARTUP_MS = 120_000;
const BANNER = /\n {2}AleFlix API +(http:\/\/\S+)\n/;
const ADMIN_EMAIL = 'admin@scale-out.test';
const ADMIN_PASSWORD = 'scale-out-admin-password';
const PER_PRINCIPAL_LIMIT = 40;
const LOGIN_MAX_PER_ACCOUNT = 4;
/** Only a guard against hanging; every wait below is on state. */
const GUARD_MS = 30_000;

interface Instance {
  name: string;
  api: ApiProcess;
  base: string;
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  instance: Instance,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(instance.base + path, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(GUARD_MS),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: response.status, headers: response.headers, body };
}

/**
 * Two real API processes (the built dist) on one fresh PostgreSQL database and one Redis
 * behave as one: live job events applied by A reach WebSocket clients of B, a session ended
 * or a user disabled on A is refused by B at once, a title changed on A is served fresh by
 * B, and both count rate limits together.
 *
 * Only A runs the background tasks (BACKGROUND_TASKS=true, B false), so the test knows which
 * instance applies each job event; no transcoding worker runs (EMBEDDED_WORKER=false) and the
 * test plays the worker by sending events into the events queue itself. In production both
 * instances may consume: the queue hands each event to one of them.
 */
describe.runIf(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL)(
  'two API instances on one PostgreSQL and one Redis',
  { timeout: 180_000 },
  () => {
    const redisUrl = process.env.TEST_REDIS_URL!;
    const prefix = uniquePrefix('scale-out');
    const scratch = mkdtempSync(join(tmpdir(), 'aleflix-scale-out-'));
    const mediaDir = join(scratch, 'media');
    let build: Awaited<ReturnType<typeof buildApi>> | undefined;
    let dispose: () => Promise<void> = async () => {};
    let databaseUrl = '';
    let a: Instance;
    let b: Instance;
    let admin: string;

    async function boot(name: string, env: Record<string, string>): Promise<Instance> {
      const api = startApi(build!.mainJs, {
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        ALEFLIX_HOME: join(scratch, `home-${name}`),
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        JWT_SECRET: 'scale-out-test-secret-of-at-least-32-characters',
        ALEFLIX_ADMIN_EMAIL: ADMIN_EMAIL,
        ALEFLIX_ADMIN_PASSWORD: ADMIN_PASSWORD,
        STORAGE_URL: `file://${mediaDir}`,
        EMBEDDED_WORKER: 'false',
        // Long enough that only a broadcast can explain B seeing a revocation at once.
        AUTH_CACHE_TTL_MS: '60000',
        RATE_LIMIT_PER_MINUTE: String(PER_PRINCIPAL_LIMIT),
        RATE_LIMIT_IP_PER_MINUTE: '100000',
        LOGIN_MAX_PER_ACCOUNT: String(LOGIN_MAX_PER_ACCOUNT),
        ...env,
      });
      const base = (await api.waitForStdout(BANNER, STARTUP_MS))[1]!;
      await waitUntilLive(`${base}/health/live`, api, 30_000);
      return { name, api, base };
    }

    /** Waits until every instance has subscribed to `channel` (both are subscribers). */
    async function subscribers(channel: string, count: number): Promise<void> {
      const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        await eventually(
          async () => {
            const reply = (await client.call('PUBSUB', 'NUMSUB', `${prefix}channel:${channel}`)) as [string, number];
            return Number(reply[1]) >= count;
          },
          GUARD_MS,
          `${count} subscribers of ${channel}`,
        );
      } finally {
        client.disconnect();
      }
    }

    async function login(instance: Instance, email: string, password: string): Promise<Reply> {
      return call(instance, 'POST', '/auth/login', { body: { email, password } });
    }

    async function newUser(role: string): Promise<{ id: string; email: string; password: string }> {
      const email = `${role}-${randomBytes(4).toString('hex')}@scale-out.test`;
      const password = `password-${randomBytes(6).toString('hex')}`;
      const created = await call(a, 'POST', '/users', { token: admin, body: { email, password, role } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return { id: created.body.id, email, password };
    }

    beforeAll(async () => {
      build = await buildApi();
      const postgres = databaseTargets().find((target) => target.name === 'PostgreSQL')!;
      const created = await postgres.create();
      dispose = created.dispose;
      if (created.database.kind !== 'postgres') throw new Error('expected PostgreSQL');
      databaseUrl = created.database.url;
      mkdirSync(mediaDir, { recursive: true });
      // One after the other: the first migrates the fresh database and creates the admin.
      a = await boot('a', { BACKGROUND_TASKS: 'true' });
      b = await boot('b', { BACKGROUND_TASKS: 'false' });
      const signedIn = await login(a, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
      admin = signedIn.body.accessToken;
    }, 420_000);

    afterAll(async () => {
      for (const instance of [a, b]) instance?.api.child.kill('SIGTERM');
      await Promise.all([a, b].map((instance) => instance?.api.exited(20_000).catch(() => killAll())));
      killAll();
      build?.remove();
      await dispose();
      await deleteKeys(redisUrl, prefix).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    });

    it('a WebSocket client of B receives the job events A applies, once each, in order', async () => {
      await subscribers('job-events', 2);
      // An upload on A queues a transcode job; the test plays the worker.
      const data = randomBytes(2048);
      const opened = await call(a, 'POST', '/uploads', {
        token: admin,
        body: { filename: 'clip.mp4', size: data.length, contentType: 'video/mp4' },
      });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const { upload } = opened.body;
      const part = await fetch(`${a.base}/uploads/${upload.id}/parts/1`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${admin}`,
          'content-type': 'application/octet-stream',
          'x-part-sha256': createHash('sha256').update(data).digest('hex'),
        },
        body: data,
      });
      expect(part.status).toBe(200);
      expect((await call(a, 'POST', `/uploads/${upload.id}/complete`, { token: admin })).status).toBe(200);
      const assetId: string = upload.assetId;
      const jobId: string = (await call(b, 'GET', `/assets/${assetId}`, { token: admin })).body.job.id;

      const received: Array<{ type: string; progress: number; jobId: string }> = [];
      const socket = new WebSocket(`${b.base.replace('http', 'ws')}/events?assetId=${assetId}`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString())));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      await eventually(() => received.length >= 1, GUARD_MS, 'snapshot');
      expect(received[0]).toMatchObject({ type: 'snapshot', jobId });

      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
      try {
        const events = new SqlMessageQueue({ name: 'transcode-events', maxReceives: 3, sql: sqlClientFrom(pool) });
        const base = { version: 1, assetId, jobId, attempt: 1, workerId: 'scale-out-test' };
        const outputPrefix = `assets/${assetId}/attempts/1/run-test/`;
        mkdirSync(join(mediaDir, outputPrefix), { recursive: true });
        writeFileSync(join(mediaDir, outputPrefix, 'master.m3u8'), '#EXTM3U\n');
        const at = (offset: number) => new Date(Date.now() + offset).toISOString();
        await events.send(JSON.stringify({ ...base, type: 'started', at: at(0) }));
        await events.send(
          JSON.stringify({ ...base, type: 'progress', percent: 50, speed: 2, etaSeconds: 1, at: at(1) }),
        );
        await events.send(
          JSON.stringify({
            ...base,
            type: 'ready',
            at: at(2),
            outputPrefix,
            masterPlaylist: 'master.m3u8',
            poster: null,
            thumbnails: null,
            media: {
              durationSeconds: 2,
              width: 320,
              height: 240,
              videoCodec: 'h264',
              audioCodec: 'aac',
              frameRate: 25,
              rotation: 0,
              bitDepth: 8,
              audioChannels: 1,
            },
            renditions: [
              {
                name: '240p',
                width: 320,
                height: 240,
                bandwidth: 400000,
                codecs: 'avc1.64000D,mp4a.40.2',
                playlist: '240p/index.m3u8',
              },
            ],
            encodeSeconds: 1,
          }),
        );
      } finally {
        await pool.end();
      }
      await eventually(() => received.some((m) => m.type === 'job.ready'), GUARD_MS, 'job.ready on B').catch(
        (error: Error) => {
          throw new Error(
            `${error.message}\nreceived: ${JSON.stringify(received)}\nA stderr:\n${a.api.stderr().slice(-3000)}\nA stdout:\n${a.api.stdout().slice(-3000)}`,
          );
        },
      );
      // A moment for anything duplicated to arrive too.
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.close();
      expect(received.slice(1).map((m) => m.type)).toEqual(['job.started', 'job.progress', 'job.ready']);
      expect(received[2]).toMatchObject({ progress: 50 });
      // B serves the new state too (its playback cache was invalidated by A's ready event).
      expect((await call(b, 'GET', `/assets/${assetId}`, { token: admin })).body.status).toBe('ready');
      expect((await call(b, 'GET', `/media/stream/${assetId}`, { token: admin })).status).toBe(200);
    });

    it('a session ended or a user disabled on A is refused by B at once', async () => {
      await subscribers('sessions-invalidated', 2);
      const user = await newUser('viewer');
      const session = (await login(a, user.email, user.password)).body;
      // B has looked the session up (and cached it for AUTH_CACHE_TTL_MS = 60 s).
      expect((await call(b, 'GET', '/auth/me', { token: session.accessToken })).status).toBe(200);
      expect((await call(b, 'GET', '/auth/me', { token: session.accessToken })).status).toBe(200);
      expect((await call(a, 'POST', '/auth/logout', { body: { refreshToken: session.refreshToken } })).status).toBe(
        204,
      );
      const afterLogout = await call(b, 'GET', '/auth/me', { token: session.accessToken });
      expect(afterLogout.status).toBe(401);
      expect(afterLogout.body.code).toBe('token_invalid');

      const other = await newUser('viewer');
      const otherSession = (await login(a, other.email, other.password)).body;
      expect((await call(b, 'GET', '/auth/me', { token: otherSession.accessToken })).status).toBe(200);
      const disabled = await call(a, 'PATCH', `/users/${other.id}`, { token: admin, body: { disabled: true } });
      expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
      const afterDisable = await call(b, 'GET', '/auth/me', { token: otherSession.accessToken });
      expect(afterDisable.status).toBe(403);
      expect(afterDisable.body.code).toBe('account_disabled');
    });

    it('a WebSocket on B closes when its session ends or its user is demoted on A', async () => {
      await subscribers('sessions-invalidated', 2);
      /** An open event stream of `token` on B (registered there once open), and how it ends. */
      const streamOnB = async (token: string) => {
        const socket = new WebSocket(`${b.base.replace('http', 'ws')}/events`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const closed = new Promise<{ code: number; reason: string }>((resolve) =>
          socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
        );
        await within(
          new Promise((resolve, reject) => {
            socket.once('open', resolve);
            socket.once('error', reject);
          }),
          GUARD_MS,
          'open on B',
        );
        return { socket, closed };
      };

      const ending = await newUser('editor');
      const session = (await login(a, ending.email, ending.password)).body;
      const first = await streamOnB(session.accessToken);
      expect((await call(a, 'POST', '/auth/logout', { body: { refreshToken: session.refreshToken } })).status).toBe(
        204,
      );
      expect(await within(first.closed, GUARD_MS, 'close after logout on A')).toEqual({
        code: 4001,
        reason: 'token_invalid',
      });

      const demoted = await newUser('editor');
      const second = await streamOnB((await login(a, demoted.email, demoted.password)).body.accessToken);
      const patched = await call(a, 'PATCH', `/users/${demoted.id}`, { token: admin, body: { role: 'viewer' } });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(await within(second.closed, GUARD_MS, 'close after demotion on A')).toEqual({
        code: 4003,
        reason: 'forbidden',
      });
    });

    it('a title changed on A is served fresh by B (one cache, invalidated for every instance)', async () => {
      const created = await call(a, 'POST', '/titles', {
        token: admin,
        body: { kind: 'movie', name: 'Shared Cache', status: 'published' },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const first = await call(b, 'GET', `/titles/${id}`, { token: admin });
      expect(first.body.name).toBe('Shared Cache');
      expect((await call(b, 'GET', `/titles/${id}`, { token: admin })).body.name).toBe('Shared Cache');
      const listed = await call(b, 'GET', '/titles?kind=movie', { token: admin });
      expect(listed.body.items.map((item: { name: string }) => item.name)).toContain('Shared Cache');

      const renamed = await call(a, 'PATCH', `/titles/${id}`, {
        token: admin,
        headers: { 'if-match': first.headers.get('etag')! },
        body: { name: 'Shared Cache, renamed on A' },
      });
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      expect((await call(b, 'GET', `/titles/${id}`, { token: admin })).body.name).toBe('Shared Cache, renamed on A');
      const relisted = await call(b, 'GET', '/titles?kind=movie', { token: admin });
      expect(relisted.body.items.map((item: { name: string }) => item.name)).toContain('Shared Cache, renamed on A');
    });

    it('rate limits are counted together: requests split across A and B hit the limit at the same total', async () => {
      const user = await newUser('viewer');
      const token = (await login(a, user.email, user.password)).body.accessToken;
      for (let i = 1; i <= PER_PRINCIPAL_LIMIT; i++) {
        const response = await call(i % 2 === 0 ? a : b, 'GET', '/titles?limit=1', { token });
        expect(response.status).toBe(200);
        expect(response.headers.get('ratelimit-remaining')).toBe(String(PER_PRINCIPAL_LIMIT - i));
      }
      for (const instance of [a, b]) {
        const refused = await call(instance, 'GET', '/titles?limit=1', { token });
        expect(refused.status).toBe(429);
        expect(refused.body.code).toBe('rate_limited');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }

      // Failed sign-ins too: two on each instance reach LOGIN_MAX_PER_ACCOUNT = 4.
      const target = await newUser('viewer');
      for (const instance of [a, b, a, b]) {
        expect((await login(instance, target.email, 'wrong password!')).status).toBe(401);
      }
      for (const instance of [a, b]) {
        const refused = await login(instance, target.email, target.password);
        expect(refused.status).toBe(429);
        expect(refused.body.code).toBe('rate_limited');
      }
    });

    it('both instances report Redis up in readiness', async () => {
      for (const instance of [a, b]) {
        const ready = await call(instance, 'GET', '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({
          status: 'ok',
          checks: { database: { status: 'up' }, redis: { status: 'up' } },
        });
      }
    });
  },
);
