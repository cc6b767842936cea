import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild } from './child.mjs';
import { onCleanup } from './cleanup.mjs';
import { adminDatabaseUrl, createThrowawayDatabase } from './database.mjs';
import { freePort } from './free-port.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_DIST = join(ROOT, 'api/dist');
const API_MAIN = join(API_DIST, 'main.js');
const API_SRC = join(ROOT, 'api/src');

export const ADMIN_EMAIL = 'bench-admin@aleflix.local';
/** Known to the benchmark so it can sign in; the throwaway database dies with the run. */
export const ADMIN_PASSWORD = 'bench-admin-password-not-secret';

/**
 * Builds the API when api/dist/main.js is missing or a compiled source file is newer than
 * its output, so that a benchmark never measures yesterday's code. Compared file by file
 * because tsc builds incrementally and leaves unchanged outputs (main.js too) untouched.
 * BENCH_SKIP_BUILD=1 skips the check.
 */
export async function ensureApiBuilt(log) {
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(API_MAIN)) return;
  const reason = existsSync(API_MAIN) ? staleSource() : 'api/dist/main.js is missing';
  if (!reason) return;
  log(`  building the API (${reason})...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Asynchronous so that Ctrl-C during a build is still handled.
  const build = spawn(npm, ['run', 'build', '-w', '@aleflix/api'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  build.stdout.on('data', (chunk) => (output += chunk));
  build.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(build, 'exit');
  if (code !== 0 || !existsSync(API_MAIN))
    throw new Error(`API build failed (BENCH_SKIP_BUILD=1 measures the existing api/dist):\n${output.trim()}`);
}

/** The first source file that tsc compiles (not tests) whose .js is missing or older. */
function staleSource() {
  for (const entry of readdirSync(API_SRC, { recursive: true })) {
    const file = String(entry);
    if (
      !file.endsWith('.ts') ||
      file.endsWith('.d.ts') ||
      /\.(spec|test)\.ts$/.test(file) ||
      file.startsWith('testing/')
    )
      continue;
    const output = join(API_DIST, file.replace(/\.ts$/, '.js'));
    if (!existsSync(output) || statSync(output).mtimeMs < statSync(join(API_SRC, file)).mtimeMs) {
      return `api/src/${file} changed since the last build`;
    }
  }
  return undefined;
}

/**
 * Runs `work(api)` against a freshly started API (own port, own ALEFLIX_HOME, own empty
 * database) and always tears it all down afterwards, also when `work` throws.
 * @template T
 * @param {(api: { baseUrl: string, database: { kind: string, note?: string }, adminEmail: string, adminPassword: string }) => Promise<T>} work
 * @param {{ log: (line: string) => void, env?: Record<string, string> }} context `env`: extra settings of the API
 * @returns {Promise<T>}
 */
export async function withApi(work, { log, env: extraEnv = {} }) {
  await ensureApiBuilt(log);
  const home = mkdtempSync(join(tmpdir(), 'aleflix-bench-'));
  const forgetHome = onCleanup(() => rmSync(home, { recursive: true, force: true }));
  const db = await createThrowawayDatabase(adminDatabaseUrl(process.env));
  let server;
  try {
    const port = await freePort();
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      ALEFLIX_HOME: home,
      ALEFLIX_ADMIN_EMAIL: ADMIN_EMAIL,
      ALEFLIX_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // Production mode needs an explicit secret; this one only signs tokens of this run.
      JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdef',
      // Outlive any BENCH_DURATION_SECONDS so that 401s never appear mid-measurement.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    };
    if (db.kind === 'postgres') env.DATABASE_URL = db.url;
    else delete env.DATABASE_URL; // unset means PGlite under ALEFLIX_HOME
    server = startChild({ label: 'api', script: API_MAIN, env, cwd: ROOT });
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForLive(baseUrl, server);
    const database =
      db.kind === 'postgres'
        ? { kind: 'postgres', name: db.name }
        : { kind: 'pglite', note: `FELL BACK TO PGLITE: ${db.reason}` };
    if (database.note) log(`  !!! ${database.note}`);
    return await work({ baseUrl, database, adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD });
  } finally {
    await server?.stop();
    if (db.kind === 'postgres') await db.drop();
    rmSync(home, { recursive: true, force: true });
    forgetHome();
  }
}

/** Polls GET /health/live; gives up early if the process dies, with its output as the reason. */
async function waitForLive(baseUrl, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  server.exited.then((value) => (exit = value));
  while (Date.now() < deadline) {
    if (exit) throw new Error(`API exited (${exit.code ?? exit.signal}) before it was live:\n${server.output()}`);
    try {
      const response = await fetch(`${baseUrl}/health/live`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`API not live at ${baseUrl} after ${timeoutMs} ms:\n${server.output()}`);
}
