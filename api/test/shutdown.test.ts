import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcesses, isAlive } from './child-processes.js';
import { databaseTargets } from './database-targets.js';
import { createSlowFfmpeg } from './ffmpeg-wrapper.js';
import { makeClip, sha256 } from './media-helpers.js';
import { killAll, startApi, startInFlightPost, useBuiltApi, waitUntilLive } from './process-harness.js';

/** PGlite's first start (WASM compile, initdb, migrations) is slow on a busy machine. */
const STARTUP_MS = 120_000;
/** Small, so the test is short: the worker drains for 3 s of it (a quarter is kept back). */
const GRACE_MS = 4_000;
/** Only guards against hanging; every wait below is on state or output. */
const GUARD_MS = 30_000;
const BANNER = /\n {2}AleFlix API +(http:\/\/\S+)\n/;
const ADMIN_EMAIL = 'admin@shutdown.test';
const ADMIN_PASSWORD = 'shutdown-admin-password';
const JOBS_QUEUE = 'transcode-jobs';

const { scratch, mainJs } = useBuiltApi('shutdown');
const slowFfmpeg = createSlowFfmpeg();
afterAll(() => slowFfmpeg.remove());

interface QueueRow {
  receive_count: number;
  dead_lettered: boolean;
  visible_now: boolean;
}

/**
 * The real process on embedded defaults (the worker inside the API, the database queue, local
 * disk) stopped by SIGTERM mid-transcode, with a request in flight: the HTTP server and the
 * worker drain side by side, the transcode that outlasts the drain is aborted and its message
 * released, and the process exits on its own before the grace runs out.
 */
describe.each(databaseTargets())('SIGTERM during a transcode on $name', { timeout: STARTUP_MS + 90_000 }, (target) => {
  const home = join(scratch, `home-${target.name}`);
  let env: Record<string, string>;
  let dispose: () => Promise<void> = async () => {};
  let readJobMessages: () => Promise<QueueRow[]> = async () => [];

  beforeAll(async () => {
    env = { ALEFLIX_HOME: home };
    const created = await target.create();
    dispose = created.dispose;
    const database = created.database;
    if (database.kind === 'postgres') {
      env.DATABASE_URL = database.url;
      readJobMessages = async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          return (await client.query<QueueRow>(QUEUE_ROWS, [JOBS_QUEUE])).rows;
        } finally {
          await client.end();
        }
      };
    } else {
      // The process has exited: its PGlite folder can be opened here.
      readJobMessages = async () => {
        const db = await PGlite.create({ dataDir: join(home, 'db') });
        try {
          return (await db.query<QueueRow>(QUEUE_ROWS, [JOBS_QUEUE])).rows;
        } finally {
          await db.close();
        }
      };
    }
  });
  afterAll(async () => {
    killAll();
    await dispose();
  });

  it('aborts the transcode in time, releases its message at once and exits 0 within the grace', async () => {
    const api = startApi(mainJs(), {
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      ALEFLIX_ADMIN_EMAIL: ADMIN_EMAIL,
      ALEFLIX_ADMIN_PASSWORD: ADMIN_PASSWORD,
      FFMPEG_PATH: slowFfmpeg.path,
    });
    const base = (await api.waitForStdout(BANNER, STARTUP_MS))[1]!;
    await waitUntilLive(`${base}/health/live`, api, GUARD_MS);
    const token = (await call(base, 'POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }))
      .body.accessToken as string;

    // 20 s of video at no more than real time: still encoding long after the grace is over.
    const assetId = await upload(base, token, makeClip(20));
    const encoder = await waitFor('the transcode running, with progress', async () => {
      const { job } = (await call(base, 'GET', `/assets/${assetId}`, { token })).body;
      const pid = childProcesses(api.child.pid!, 'ffmpeg', '-progress')[0];
      return job?.status === 'running' && job.progress > 0 && pid ? pid : undefined;
    });

    // A request the server is processing when the signal arrives, held open until the worker
    // has begun to drain: had the worker waited for the HTTP server to close, it never would.
    const inFlight = await startInFlightPost(base, '/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    try {
      api.child.kill('SIGTERM');
      await api.waitForStdout(/Embedded transcoding worker stopping \(1 running; up to 3000 ms to finish\)/, GUARD_MS);
      expect((await inFlight.finish()).status).toBe(200);
    } finally {
      inFlight.close();
    }

    // 1 would be the force exit at the end of the grace ("Shutdown took longer …").
    expect(await api.exited(GUARD_MS)).toBe(0);
    const output = api.stdout() + api.stderr();
    expect(output).not.toContain('Shutdown took longer');
    expect(output).toContain('jobs still running at shutdown; releasing them');
    // The encoder was killed, not left running without its worker.
    expect(isAlive(encoder)).toBe(false);
    // Released: visible to any worker now, not after the 120 s visibility timeout; and not
    // counted against the job (it was received once, and is not dead-lettered).
    expect(await readJobMessages()).toEqual([{ receive_count: 1, dead_lettered: false, visible_now: true }]);
  });
});

const QUEUE_ROWS = `SELECT receive_count, dead_lettered_at IS NOT NULL AS dead_lettered, visible_at <= now() AS visible_now
  FROM queue_messages WHERE queue = $1`;

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(GUARD_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Uploads `data` through the API in parts (local disk) and completes it; returns the asset id. */
async function upload(base: string, token: string, data: Buffer): Promise<string> {
  const { upload } = (
    await call(base, 'POST', '/uploads', {
      token,
      body: { filename: 'clip.mp4', size: data.length, contentType: 'video/mp4' },
    })
  ).body;
  for (let part = 1; part <= upload.partCount; part += 1) {
    const chunk = data.subarray((part - 1) * upload.partSize, part * upload.partSize);
    const response = await fetch(`${base}/uploads/${upload.id}/parts/${part}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'x-part-sha256': sha256(chunk),
      },
      body: chunk,
      signal: AbortSignal.timeout(GUARD_MS),
    });
    if (!response.ok) throw new Error(`part ${part}: ${response.status} ${await response.text()}`);
  }
  await call(base, 'POST', `/uploads/${upload.id}/complete`, { token });
  return upload.assetId as string;
}

/** Polls `check` until it returns something truthy; fails after GUARD_MS. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + GUARD_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${GUARD_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
