// The end-to-end stack: the built API (PGlite in a temp home, transcoding in-process with
// ffmpeg) and the built Nuxt server, each a child process on a free port, plus the catalog
// the browser test needs (a published movie with a transcoded clip, a draft, a viewer).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type AleflixClient, type Title } from '@aleflix/sdk';

export const REPO_DIR = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const WEB_DIR = join(REPO_DIR, 'web');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Running {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

/** Runs a command to completion within `timeoutMs`; rejects with its output otherwise. */
export function mustRun(command: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<string> {
  return new Promise((done, fail) => {
    const env = { ...process.env };
    // npm settings inherited from `npm test -w …` would make npx act on the workspace root.
    for (const name of Object.keys(env))
      if (/^npm_config_(workspaces?|include_workspace_root)$/i.test(name)) delete env[name];
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (code === 0) done(output);
      else fail(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** Builds what is missing: the API (with core and workers) and the web server. */
export async function ensureBuilt(): Promise<void> {
  const tsc = join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
  const builds: Promise<unknown>[] = [];
  if (!existsSync(join(REPO_DIR, 'api', 'dist', 'main.js'))) {
    builds.push(
      (async () => {
        for (const workspace of ['core', 'workers', 'api']) {
          await mustRun(process.execPath, [tsc, '-p', join(REPO_DIR, workspace, 'tsconfig.json')], {
            cwd: REPO_DIR,
            timeoutMs: 180_000,
          });
        }
      })(),
    );
  }
  if (!existsSync(join(WEB_DIR, '.output', 'server', 'index.mjs'))) {
    const nuxt = join(REPO_DIR, 'node_modules', 'nuxt', 'bin', 'nuxt.mjs');
    builds.push(mustRun(process.execPath, [nuxt, 'build'], { cwd: WEB_DIR, timeoutMs: 240_000 }));
  }
  await Promise.all(builds);
}

function startProcess(
  name: string,
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    url: string;
    probe: string;
    readyWithinMs: number;
    cleanup?: () => void;
  },
): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const ended = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5_000)),
      ]);
      if (!ended) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    options.cleanup?.();
  };
  const running: Running = { url: options.url, output: () => output, stop };
  return (async () => {
    const deadline = Date.now() + options.readyWithinMs;
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
        const ok = await fetch(options.url + options.probe, {
          signal: AbortSignal.timeout(2_000),
          redirect: 'manual',
        }).then(
          (response) => response.status < 500,
          () => false,
        );
        if (ok) return running;
        if (Date.now() > deadline) throw new Error(`${name} was not up within ${options.readyWithinMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } catch (error) {
      await stop();
      throw error;
    }
  })();
}

export async function startApi(admin: { email: string; password: string }): Promise<Running> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'aleflix-web-e2e-api-'));
  return startProcess('the API', [join(REPO_DIR, 'api', 'dist', 'main.js')], {
    cwd: join(REPO_DIR, 'api'),
    // Exactly these variables: PGlite in a fresh home, nothing from the developer's shell.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      NO_COLOR: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      ALEFLIX_HOME: home,
      ALEFLIX_ADMIN_EMAIL: admin.email,
      ALEFLIX_ADMIN_PASSWORD: admin.password,
      LOG_LEVEL: 'warn',
    },
    url: `http://127.0.0.1:${port}`,
    probe: '/health/live',
    readyWithinMs: 90_000,
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  });
}

export async function startWeb(apiUrl: string): Promise<Running> {
  const port = await freePort();
  return startProcess('the web server', [join(WEB_DIR, '.output', 'server', 'index.mjs')], {
    cwd: WEB_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      HOST: '127.0.0.1',
      NUXT_PUBLIC_API_BASE: apiUrl,
    },
    url: `http://127.0.0.1:${port}`,
    probe: '/login',
    readyWithinMs: 30_000,
  });
}

/** A 6 s 640x360 test clip (testsrc2 + sine), made by ffmpeg. */
export async function makeClip(dir: string): Promise<string> {
  const ffmpeg = existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : 'ffmpeg';
  const file = join(dir, 'clip.mp4');
  await mustRun(
    ffmpeg,
    [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine',
      '-t',
      '6',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      file,
    ],
    { cwd: dir, timeoutMs: 60_000 },
  );
  return file;
}

export interface Catalog {
  movie: Title;
  draft: Title;
  viewer: { email: string; password: string };
}

/** Creates the catalog through the SDK, and uploads and transcodes the clip for the movie. */
export async function seed(apiUrl: string, admin: { email: string; password: string }, clip: string): Promise<Catalog> {
  const client: AleflixClient = createClient({ baseUrl: apiUrl, credentials: admin });
  const { accessToken } = await client.auth.login();
  const viewer = { email: 'viewer@web-e2e.test', password: 'viewer-password-123' };
  const [movie, draft] = await Promise.all([
    client.titles.create({
      kind: 'movie',
      name: 'Cidade do Teste',
      synopsis: 'Um clipe colorido gerado pelo ffmpeg para testar o player.',
      year: 2024,
      genres: ['drama', 'documentário'],
      status: 'published',
    }),
    client.titles.create({
      kind: 'movie',
      name: 'Rascunho Secreto',
      synopsis: 'Ainda não publicado.',
      year: 2025,
      genres: ['drama'],
      status: 'draft',
    }),
    client.users.create({ ...viewer, role: 'viewer', displayName: 'Vera' }),
  ]);

  // Upload through the API (local storage): open, one part, complete; then wait for ready.
  const auth = { authorization: `Bearer ${accessToken}` };
  const size = statSync(clip).size;
  const opened = await json<{ asset: { id: string }; upload: { id: string } }>(
    await fetch(`${apiUrl}/uploads`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        filename: 'clip.mp4',
        size,
        contentType: 'video/mp4',
        attachTo: { titleId: movie.data.id },
      }),
    }),
  );
  await json(
    await fetch(`${apiUrl}/uploads/${opened.upload.id}/parts/1`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: readFileSync(clip),
    }),
  );
  await json(await fetch(`${apiUrl}/uploads/${opened.upload.id}/complete`, { method: 'POST', headers: auth }));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const asset = await json<{ status: string; errorMessage: string | null }>(
      await fetch(`${apiUrl}/assets/${opened.asset.id}`, { headers: auth }),
    );
    if (asset.status === 'ready') break;
    if (asset.status === 'failed') throw new Error(`transcoding failed: ${asset.errorMessage}`);
    if (Date.now() > deadline) throw new Error(`the clip was not ready within 90 s (${asset.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { movie: movie.data, draft: draft.data, viewer };
}

async function json<T = unknown>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
