import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.factory.js';
import { AppConfig, parseEnv } from '../src/config/app-config.js';
import { initializeDatabase } from '../src/database/data-source.factory.js';
import { UsersService } from '../src/users/users.service.js';
import { databaseTargets } from './database-targets.js';
import { TEST_JWT_SECRET } from './http-harness.js';

const PASSWORD = 'a-password-that-must-never-be-logged';
const BEARER = 'bearer-token-that-must-never-be-logged';
const COOKIE = 'cookie-value-that-must-never-be-logged';
const API_KEY = 'alx_apikeythatmustneverbelogged';
const SIGNATURE = 'signaturethatmustneverbelogged';
const CREDENTIAL = 'AKIACREDENTIALNEVERLOGGED';
const PLAYBACK_TOKEN = `9999999999.${'t'.repeat(43)}`;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/**
 * The API's log lines, captured from the real logger (LOG_LEVEL=info, JSON) while the real
 * app handles requests that carry every kind of secret: none of them is written, and every
 * line about a request says which request (and which trace) it was.
 */
describe('API logs', () => {
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let home: string;
  let dispose: () => Promise<void>;
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];

  beforeAll(async () => {
    const created = await databaseTargets()[0]!.create();
    dispose = created.dispose;
    home = await mkdtemp(join(tmpdir(), 'aleflix-logs-'));
    const config = new AppConfig(
      parseEnv({
        NODE_ENV: 'test',
        ALEFLIX_HOME: home,
        BACKGROUND_TASKS: 'false',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      }),
      { database: created.database, jwtSecret: TEST_JWT_SECRET },
    );
    dataSource = await initializeDatabase(config.database);
    app = await createApp({
      config,
      dataSource,
      logDestination: {
        write(line: string) {
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    await app.get(UsersService).ensureAdmin('admin@aleflix.test', PASSWORD);
    // A plain Fastify route that logs from its handler after the JSON body was parsed: the
    // request's context must survive body parsing and an await.
    app
      .getHttpAdapter()
      .getInstance()
      .post('/log-probe', async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        new Logger('Probe').log({ msg: 'inside the handler', body: request.body });
        return { ok: true };
      });
  });
  afterAll(async () => {
    await app?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await dispose?.();
    await rm(home, { recursive: true, force: true });
  });

  it('never writes credentials, tokens, passwords or presigned URL signatures', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${BEARER}`,
        cookie: `session=${COOKIE}`,
        'x-api-key': API_KEY,
      },
      payload: JSON.stringify({ email: 'admin@aleflix.test', password: PASSWORD }),
    });
    expect(login.statusCode).toBe(200);
    const { accessToken, refreshToken } = login.json<{ accessToken: string; refreshToken: string }>();
    await app.inject({ method: 'GET', url: `/media/hls/${randomUUID()}/${PLAYBACK_TOKEN}/master.m3u8` });
    await app.inject({
      method: 'GET',
      url: `/titles?X-Amz-Signature=${SIGNATURE}&X-Amz-Credential=${CREDENTIAL}`,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await app.inject({
      method: 'POST',
      url: '/log-probe',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ password: PASSWORD, refreshToken, note: `see /media/hls/x/${PLAYBACK_TOKEN}/a.m3u8` }),
    });

    const all = raw.join('');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const secret of [
      PASSWORD,
      BEARER,
      COOKIE,
      API_KEY,
      SIGNATURE,
      CREDENTIAL,
      PLAYBACK_TOKEN,
      accessToken,
      refreshToken,
    ]) {
      expect(all).not.toContain(secret);
    }
    const urls = lines.filter((line) => line.msg === 'request completed').map((line) => line.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/media\/hls\/[\w-]+\/\[REDACTED\]\/master\.m3u8$/),
        '/titles?X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]',
      ]),
    );
    expect(lines.find((line) => line.msg === 'inside the handler')).toMatchObject({
      body: { password: '[REDACTED]', refreshToken: '[REDACTED]', note: 'see /media/hls/x/[REDACTED]/a.m3u8' },
    });
  });

  it('puts the request id (an incoming x-request-id is kept and echoed) and the trace id on the request’s lines', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/log-probe',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'req-from-the-load-balancer',
        traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
      },
      payload: JSON.stringify({ hello: 'world' }),
    });
    expect(response.headers['x-request-id']).toBe('req-from-the-load-balancer');
    const mine = lines.filter((line) => line.request_id === 'req-from-the-load-balancer');
    expect(mine.map((line) => line.msg)).toEqual(['inside the handler', 'request completed']);
    for (const line of mine) {
      expect(line).toMatchObject({ trace_id: TRACE_ID, level: 'info', time: expect.any(String) });
    }
    expect(mine[0]).toMatchObject({ context: 'Probe', body: { hello: 'world' } });
    expect(mine[1]).toMatchObject({ method: 'POST', route: '/log-probe', status: 200 });

    // Without an incoming id Fastify makes one; every line still has it.
    const other = await app.inject({ method: 'GET', url: '/titles' });
    const generated = other.headers['x-request-id'];
    expect(generated).toMatch(/^[\da-f-]{36}$/);
    expect(lines.find((line) => line.request_id === generated)).toMatchObject({ route: '/titles', status: 401 });
  });
});
