// Child processes for the end-to-end tests: building what is missing, the API on a free port
// with a temporary home, the built `aleflix` binary, and generated media. Every child is
// tracked so that a failing test still kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI_BIN = join(REPO_DIR, 'cli', 'dist', 'bin', 'aleflix.js');
const TSC = join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
const children = new Set<ChildProcess>();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_DIR,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} took longer than ${options.timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      done({ code, stdout, stderr });
    });
  });
}

/** Spawns and tracks a child the test drives itself (to interrupt it). */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

async function mustRun(command: string, args: string[], cwd: string): Promise<void> {
  const result = await run(command, args, { cwd, timeoutMs: 240_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds core → workers → api and the SDK when their dist is missing, and the CLI when missing or older than its sources. */
export async function buildWhatIsMissing(): Promise<void> {
  const tsc = (workspace: string) =>
    mustRun(process.execPath, [TSC, '-p', join(REPO_DIR, workspace, 'tsconfig.json')], REPO_DIR);
  if (!existsSync(join(REPO_DIR, 'core', 'dist', 'index.js'))) await tsc('core');
  if (!existsSync(join(REPO_DIR, 'workers', 'dist', 'index.js'))) await tsc('workers');
  const api = existsSync(join(REPO_DIR, 'api', 'dist', 'main.js')) ? Promise.resolve() : tsc('api');
  if (!existsSync(join(REPO_DIR, 'sdk', 'dist', 'index.js'))) await tsc('sdk');
  const stale = !existsSync(CLI_BIN) || statSync(CLI_BIN).mtimeMs < newestMtime(join(REPO_DIR, 'cli', 'src'));
  await Promise.all([api, stale ? tsc('cli') : Promise.resolve()]);
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
  logs(): string;
  stop(): Promise<void>;
}

/** The built API on embedded defaults (PGlite, local storage, in-process transcoding). */
export async function startApi(env: Record<string, string>, readyWithinMs: number): Promise<RunningApi> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'aleflix-cli-e2e-home-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = track(
    spawn(process.execPath, [join(REPO_DIR, 'api', 'dist', 'main.js')], {
      cwd: join(REPO_DIR, 'api'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        NO_COLOR: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        ALEFLIX_HOME: home,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5_000)),
      ]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyWithinMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${output}`);
      const live = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (live) return { baseUrl, stop, logs: () => output };
      if (Date.now() > deadline) throw new Error(`the API was not live within ${readyWithinMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A small real video: testsrc2 + a sine tone (the frequency makes each clip's bytes unique). */
export async function makeClip(path: string, seconds: number, frequency: number): Promise<void> {
  const result = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=320x240:rate=24:duration=${seconds}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${frequency}:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      path,
    ],
    { timeoutMs: 60_000 },
  );
  if (result.code !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
}
