// Child processes for the end-to-end test: commands with captured output and a deadline,
// and the built API started on a free port with its own temporary home.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SDK_DIR = join(REPO_DIR, 'sdk');

export interface RunResult {
  code: number | null;
  output: string;
}

/** npm settings inherited from `npm test -w …` would make npm act on the monorepo. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (/^npm_config_(workspaces?|include_workspace_root|global|prefix)$/i.test(name)) delete env[name];
  }
  return env;
}

/** Runs a command to completion (never rejects on a non-zero exit; does on the deadline). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} took longer than ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

export async function mustRun(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.output}`);
  return result.output;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

export interface RunningApi {
  baseUrl: string;
  stop(): Promise<void>;
}

/** Builds the API when api/dist is missing (with the core it imports), then starts it. */
export async function startApi(
  port: number,
  env: Record<string, string>,
  options: { readyWithinMs: number },
): Promise<RunningApi> {
  const mainJs = join(REPO_DIR, 'api', 'dist', 'main.js');
  const tsc = join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(join(REPO_DIR, 'core', 'dist', 'index.js'))) {
    await mustRun(process.execPath, [tsc, '-p', join(REPO_DIR, 'core', 'tsconfig.json')], {
      cwd: REPO_DIR,
      timeoutMs: 120_000,
    });
  }
  if (!existsSync(mainJs)) {
    await mustRun(process.execPath, [tsc, '-p', join(REPO_DIR, 'api', 'tsconfig.json')], {
      cwd: REPO_DIR,
      timeoutMs: 120_000,
    });
  }

  const home = mkdtempSync(join(tmpdir(), 'aleflix-sdk-e2e-home-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  // Exactly these variables (no DATABASE_URL or the like leaking in): PGlite in a fresh home.
  const child: ChildProcess = spawn(process.execPath, [mainJs], {
    cwd: join(REPO_DIR, 'api'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NO_COLOR: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      ALEFLIX_HOME: home,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5_000)),
      ]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + options.readyWithinMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${output}`);
      const live = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (live) return { baseUrl, stop };
      if (Date.now() > deadline) throw new Error(`the API was not live within ${options.readyWithinMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
