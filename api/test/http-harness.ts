import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory.js';
import { AppConfig, parseEnv } from '../src/config/app-config.js';
import { initializeDatabase } from '../src/database/data-source.factory.js';
import { UsersService } from '../src/users/users.service.js';
import type { Role } from '../src/common/roles.js';
import { databaseTargets, type DatabaseTarget } from './database-targets.js';
import { FakeClock } from './fake-clock.js';

export const ADMIN_EMAIL = 'admin@aleflix.test';
export const ADMIN_PASSWORD = 'admin-password-123';
export const TEST_JWT_SECRET = new TextEncoder().encode('test-secret-that-is-at-least-32-characters');

export interface InjectResult {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  query?: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  /** ALEFLIX_HOME of this app (a temp dir; media under `media/`). */
  home: string;
  dataSource: DataSource;
  clock: FakeClock;
  request(method: string, url: string, options?: RequestOptions): Promise<InjectResult>;
  login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }>;
  adminToken(): Promise<string>;
  /** Creates a user with `role` and returns its access token. */
  userWithRole(role: Role, email?: string): Promise<{ token: string; id: string; email: string; password: string }>;
  close(): Promise<void>;
}

let userCounter = 0;

/** A real app on a real, fresh database, driven through Fastify's in-process HTTP injection. */
export async function createTestApp(
  target: DatabaseTarget = databaseTargets()[0]!,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const { database, dispose } = await target.create();
  const home = await mkdtemp(join(tmpdir(), 'aleflix-test-'));
  const clock = new FakeClock();
  const config = new AppConfig(
    parseEnv({
      NODE_ENV: 'test',
      ALEFLIX_HOME: home,
      BACKGROUND_TASKS: 'false',
      // Tests send hundreds of requests a second from one address; rate-limit tests set their own.
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      ...env,
    }),
    {
      database,
      jwtSecret: TEST_JWT_SECRET,
    },
  );
  const dataSource = await initializeDatabase(config.database);
  const app = await createApp({ config, dataSource, clock, logger: false });
  await app.get(UsersService).ensureAdmin(ADMIN_EMAIL, ADMIN_PASSWORD);

  const request: TestApp['request'] = async (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
      ...(options.query ? { query: options.query } : {}),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: () => JSON.parse(response.body),
    };
  };

  const login: TestApp['login'] = async (email, password) => {
    const response = await request('POST', '/auth/login', { body: { email, password } });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.body}`);
    return response.json();
  };

  // Cached, but renewed once the test clock has moved past most of the token's lifetime.
  let cachedAdmin: { token: string; at: number } | undefined;
  const adminToken = async () => {
    if (!cachedAdmin || clock.now().getTime() - cachedAdmin.at > 10 * 60_000) {
      cachedAdmin = { token: (await login(ADMIN_EMAIL, ADMIN_PASSWORD)).accessToken, at: clock.now().getTime() };
    }
    return cachedAdmin.token;
  };

  return {
    app,
    home,
    dataSource,
    clock,
    request,
    login,
    adminToken,
    async userWithRole(role, email) {
      const address = email ?? `user${++userCounter}-${role}@aleflix.test`;
      const password = `password-${userCounter}-long-enough`;
      const created = await request('POST', '/users', {
        token: await adminToken(),
        body: { email: address, password, role },
      });
      if (created.status !== 201) throw new Error(`create user failed: ${created.status} ${created.body}`);
      const { accessToken } = await login(address, password);
      return { token: accessToken, id: created.json().id, email: address, password };
    },
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await dispose();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export { databaseTargets };
