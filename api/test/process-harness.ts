import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export const API_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Rejects with `what` when `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Compiles the API with tsc into a private folder (under node_modules/.cache, so that
 * packages resolve as from dist/), so that a concurrent `npm run build` elsewhere cannot
 * swap files under the running test. Returns the path of main.js.
 */
export async function buildApi(): Promise<{ mainJs: string; outDir: string; remove(): void }> {
  const cache = join(API_DIR, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, 'start-test-dist-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const child = spawn(
    process.execPath,
    [tsc, '-p', 'tsconfig.json', '--outDir', outDir, '--tsBuildInfoFile', join(outDir, '.tsbuildinfo')],
    {
      cwd: API_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await within(new Promise<number | null>((done) => child.on('exit', done)), 240_000, 'tsc build').catch(
    (error) => {
      child.kill('SIGKILL');
      rmSync(outDir, { recursive: true, force: true });
      throw error;
    },
  );
  if (code !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`tsc failed with ${code}:\n${output}`);
  }
  return { mainJs: join(outDir, 'main.js'), outDir, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/**
 * For a test file that runs the built API: builds it once before the file's tests, with a
 * scratch folder of its own; afterwards kills every process started and removes both.
 */
export function useBuiltApi(name: string): { scratch: string; mainJs(): string } {
  const scratch = mkdtempSync(join(tmpdir(), `aleflix-${name}-`));
  let build: Awaited<ReturnType<typeof buildApi>> | undefined;
  beforeAll(async () => {
    build = await buildApi();
  }, 300_000);
  afterAll(() => {
    killAll();
    build?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });
  return {
    scratch,
    mainJs: () => {
      if (!build) throw new Error('the API is built in beforeAll');
      return build.mainJs;
    },
  };
}

export interface ApiProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects on exit or after `ms`. */
  waitForStdout(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** The exit code (null when killed by a signal); rejects after `ms`. */
  exited(ms: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts `node main.js` with exactly `env` (plus PATH and HOME), output captured. */
export function startApi(mainJs: string, env: Record<string, string>): ApiProcess {
  const child = spawn(process.execPath, [mainJs], {
    cwd: API_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const exit = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      running.delete(child);
      done(code);
      for (const listener of listeners) listener();
    }),
  );
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk));

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStdout(pattern, ms) {
      return within(
        new Promise<RegExpMatchArray>((done, fail) => {
          const check = () => {
            const match = out.match(pattern);
            if (match) {
              listeners.delete(check);
              done(match);
            } else if (child.exitCode !== null || child.signalCode !== null) {
              listeners.delete(check);
              fail(
                new Error(
                  `process exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`,
                ),
              );
            }
          };
          listeners.add(check);
          check();
        }),
        ms,
        `waiting for ${pattern} in stdout:\n${out}\nstderr:\n${err}`,
      );
    },
    exited: (ms) => within(exit, ms, 'process exit'),
  };
}

/** Kills every process started by startApi that is still running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Polls GET `url` until it answers 200; bounded by `ms`. */
export async function waitUntilLive(url: string, api: ApiProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (api.child.exitCode !== null) throw new Error(`process exited with ${api.child.exitCode}:\n${api.stderr()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not live within ${ms} ms (${last})`);
}

/**
 * A POST that the server has verifiably begun to process: the request is sent with
 * `Expect: 100-continue` and without its body, and Node's HTTP server answers
 * `100 Continue` only once it has parsed the request and handed it to Fastify. `finish()`
 * then sends the body and resolves with the final status and JSON body.
 */
export async function startInFlightPost(
  base: string,
  path: string,
  body: unknown,
): Promise<{ finish(): Promise<{ status: number; body: any }>; close(): void }> {
  const url = new URL(base);
  const payload = Buffer.from(JSON.stringify(body));
  const socket = connect(Number(url.port), url.hostname);
  let received = Buffer.alloc(0);
  const changed = new Set<() => void>();
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    for (const listener of changed) listener();
  });
  const onEnd = () => {
    ended = true;
    for (const listener of changed) listener();
  };
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  const waitFor = (test: () => boolean, what: string) =>
    within(
      new Promise<void>((done, fail) => {
        const check = () => {
          if (test()) {
            changed.delete(check);
            done();
          } else if (ended) {
            changed.delete(check);
            fail(new Error(`connection ended while waiting for ${what}; received:\n${received.toString()}`));
          }
        };
        changed.add(check);
        check();
      }),
      30_000,
      what,
    );

  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      'Content-Type: application/json',
      `Content-Length: ${payload.length}`,
      'Expect: 100-continue',
      'Connection: close',
      '',
      '',
    ].join('\r\n'),
  );
  await waitFor(() => /^HTTP\/1\.1 100 Continue\r\n\r\n/.test(received.toString('latin1')), '100 Continue');

  return {
    async finish() {
      socket.write(payload);
      // The final response follows the interim one; Connection: close ends the socket after it.
      const complete = () => {
        const text = received.toString('latin1').replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
        const headerEnd = text.indexOf('\r\n\r\n');
        if (headerEnd < 0) return false;
        const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headerEnd));
        return length ? Buffer.byteLength(text.slice(headerEnd + 4), 'latin1') >= Number(length[1]) : ended;
      };
      await waitFor(complete, 'the final response');
      const text = received.toString('utf8').replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const headerEnd = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const rawBody = text.slice(headerEnd + 4);
      let parsed: unknown = rawBody;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        // left as text for the assertion message
      }
      return { status, body: parsed };
    },
    close: () => socket.destroy(),
  };
}
