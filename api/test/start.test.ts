import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from './database-targets.js';
import {
  killAll,
  startApi,
  startInFlightPost,
  useBuiltApi,
  waitUntilLive,
  type ApiProcess,
} from './process-harness.js';

/** PGlite's first start (WASM compile, initdb, migrations) is slow on a busy machine. */
const STARTUP_MS = 120_000;
const GRACE_MS = 30_000;
/** Per test: up to two starts (the port test), each bounded by STARTUP_MS. */
const TEST_TIMEOUT_MS = 2 * STARTUP_MS + 60_000;
/** The whole banner: the URL line, then lines indented by two spaces, then a blank line. */
const BANNER = /\n {2}AleFlix API +(http:\/\/\S+)\n(?: {2}.*\n)*\n/;

const { scratch, mainJs } = useBuiltApi('start');

interface Running {
  api: ApiProcess;
  base: string;
  banner: string;
}

/** Starts the API on a free port and waits, polling /health/live, until it serves. */
async function boot(env: Record<string, string>): Promise<Running> {
  const api = startApi(mainJs(), {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    ...env,
  });
  const match = await api.waitForStdout(BANNER, STARTUP_MS);
  const base = match[1]!;
  await waitUntilLive(`${base}/health/live`, api, 30_000);
  return { api, base, banner: match[0] };
}

async function stop(running: Running): Promise<number | null> {
  running.api.child.kill('SIGTERM');
  return running.api.exited(GRACE_MS + 15_000);
}

async function login(base: string, email: string, password: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: await response.json() };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe.each(databaseTargets())('the real process on $name', { timeout: TEST_TIMEOUT_MS }, (target) => {
  const home = join(scratch, `home-${target.name}`);
  let env: Record<string, string>;
  let dispose: () => Promise<void> = async () => {};
  let first: Running | undefined;
  let password = '';
  let accessToken = '';

  beforeAll(async () => {
    env = { ALEFLIX_HOME: home };
    if (target.name !== 'PGlite') {
      const created = await target.create();
      dispose = created.dispose;
      if (created.database.kind === 'postgres') env.DATABASE_URL = created.database.url;
    }
  });
  afterAll(async () => {
    killAll();
    await dispose();
  });

  it('prints the API URL, the docs URL and a generated admin password once; the password signs in', async () => {
    first = await boot(env);
    const { base, banner } = first;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(base).port).not.toBe('0');
    expect(banner).toContain(`  API docs      ${base}/docs\n`);
    expect(banner).toContain(
      target.name === 'PGlite'
        ? `  Database      PGlite (embedded) in ${join(home, 'db')}\n`
        : '  Database      PostgreSQL\n',
    );
    expect(banner).toContain('  Admin         admin@aleflix.local\n');
    const match = /\n {2}Password +(\S+) +\(shown once/.exec(banner);
    expect(match).not.toBeNull();
    password = match![1]!;
    expect(password.length).toBeGreaterThanOrEqual(12);
    const stdout = first.api.stdout();
    expect(occurrences(stdout, password)).toBe(1);
    expect(occurrences(stdout, 'AleFlix API')).toBe(1);
    expect(first.api.stderr()).toBe('');

    const signedIn = await login(base, 'admin@aleflix.local', password);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ tokenType: 'Bearer', user: { email: 'admin@aleflix.local', role: 'admin' } });
    accessToken = signedIn.body.accessToken;
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs/openapi.json', async () => {
    const { base } = first!;
    const docs = await fetch(`${base}/docs`, { signal: AbortSignal.timeout(10_000) });
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await docs.text()).toMatch(/<html[\s\S]*swagger/i);

    const spec = await fetch(`${base}/docs/openapi.json`, { signal: AbortSignal.timeout(10_000) });
    expect(spec.status).toBe(200);
    const document = JSON.parse(await spec.text());
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/auth/login', '/health/ready']));
  });

  it('on SIGTERM finishes a request it is already processing, then exits 0', async () => {
    const running = first!;
    // The server has parsed this login and handed it to Fastify (it answered 100 Continue).
    const inFlight = await startInFlightPost(running.base, '/auth/login', { email: 'admin@aleflix.local', password });
    try {
      running.api.child.kill('SIGTERM');
      // Shutdown (app.close) has begun before the request's body is even sent.
      await running.api.waitForStdout(/SIGTERM received, draining/, 30_000);
      const response = await inFlight.finish();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    } finally {
      inFlight.close();
    }
    // Exit code 1 would mean the SHUTDOWN_GRACE_MS timer fired first.
    expect(await running.api.exited(GRACE_MS + 15_000)).toBe(0);
    expect(running.api.stderr()).toBe('');
  });

  it('starts again on the same home without a new password, keeping the admin and the signing key', async () => {
    const second = await boot(env);
    try {
      const stdout = second.api.stdout();
      expect(stdout).not.toContain('Password');
      expect(stdout).not.toContain('  Admin ');
      expect(stdout).not.toContain(password);

      expect((await login(second.base, 'admin@aleflix.local', password)).status).toBe(200);
      // A token issued by the first process is still valid: same secret, same session.
      const me = await fetch(`${second.base}/auth/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: { email: string } }).user.email).toBe('admin@aleflix.local');
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });
});

describe('configuration of the real process', { timeout: TEST_TIMEOUT_MS }, () => {
  it('honours ALEFLIX_ADMIN_PASSWORD and ALEFLIX_ADMIN_EMAIL on a fresh home', async () => {
    const chosen = 'a-chosen-password-123';
    const running = await boot({
      ALEFLIX_HOME: join(scratch, 'home-chosen'),
      ALEFLIX_ADMIN_PASSWORD: chosen,
      ALEFLIX_ADMIN_EMAIL: 'Boss@AleFlix.test',
    });
    try {
      expect(running.banner).toContain('  Admin         Boss@AleFlix.test\n');
      expect(running.banner).not.toContain('Password');
      expect(running.api.stdout()).not.toContain(chosen);
      const signedIn = await login(running.base, 'boss@aleflix.test', chosen);
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user).toMatchObject({ email: 'boss@aleflix.test', role: 'admin' });
      expect((await login(running.base, 'boss@aleflix.test', 'not-the-chosen-one')).status).toBe(401);
    } finally {
      expect(await stop(running)).toBe(0);
    }
  });

  it.each([
    ['PORT=abc', { PORT: 'abc' }, /^Invalid configuration: PORT: .*\(got "abc"\)$/],
    ['PORT=70000', { PORT: '70000' }, /^Invalid configuration: PORT: /],
    ['a short JWT_SECRET', { JWT_SECRET: 'hunter2' }, /^Invalid configuration: JWT_SECRET: .*\(got \*\*\*\)$/],
    [
      'production without JWT_SECRET',
      { NODE_ENV: 'production' },
      /^Invalid configuration: JWT_SECRET: required when NODE_ENV=production$/,
    ],
  ])('exits 1 with one stderr line for %s', async (_label, bad, line) => {
    const api = startApi(mainJs(), {
      ALEFLIX_HOME: join(scratch, 'home-bad'),
      HOST: '127.0.0.1',
      PORT: '0',
      ...bad,
    });
    expect(await api.exited(60_000)).toBe(1);
    const lines = api
      .stderr()
      .split('\n')
      .filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(api.stderr()).not.toContain('hunter2');
    expect(api.stdout()).toBe('');
  });

  it('exits 1 naming PORT when the port is taken, without using up the first start', async () => {
    const home = join(scratch, 'home-taken');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const api = startApi(mainJs(), { ALEFLIX_HOME: home, HOST: '127.0.0.1', PORT: String(port) });
      expect(await api.exited(STARTUP_MS)).toBe(1);
      const lines = api
        .stderr()
        .split('\n')
        .filter((l) => l.length > 0);
      // Nest's listen() logs the error itself before ours; no stack trace either way.
      expect(lines.at(-1)).toBe(`Invalid configuration: PORT: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
      expect(api.stderr()).not.toMatch(/^\s+at /m);
      expect(api.stdout()).not.toContain('AleFlix API');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The failed start created no admin whose generated password nobody saw.
    const running = await boot({ ALEFLIX_HOME: home });
    try {
      const password = /\n {2}Password +(\S+)/.exec(running.banner)?.[1];
      expect(password).toBeDefined();
      expect((await login(running.base, 'admin@aleflix.local', password!)).status).toBe(200);
    } finally {
      expect(await stop(running)).toBe(0);
    }
  });
});
