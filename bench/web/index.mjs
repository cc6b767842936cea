// Benchmark: Lighthouse (desktop preset) on the viewer's home page and title page, signed in,
// against the built API and the built Nuxt server. Target: performance and accessibility
// >= 90 on both pages. A score below is a finding (exit 0); exit 1 only when the run broke.
//
// Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH), started by chrome-launcher;
// Lighthouse never downloads a browser. Everything listens on 127.0.0.1 only.
/* global AbortSignal -- a Node global the shared ESLint config does not list */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withApi } from '../lib/api-server.mjs';
import { startChild } from '../lib/child.mjs';
import { onCleanup } from '../lib/cleanup.mjs';
import { freePort } from '../lib/free-port.mjs';
import { requestJson } from '../lib/http.mjs';
import { buildWebResult, CATEGORIES, formatWebReport, medianRun, summarizePage } from './report.mjs';

export const name = 'web';
export const description =
  'Lighthouse (desktop) on the signed-in viewer: home and title page, performance and accessibility';
export { formatWebReport as formatReport };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB_DIR = join(ROOT, 'web');
const WEB_SERVER = join(WEB_DIR, '.output/server/index.mjs');
const RESULTS_DIR = join(ROOT, 'bench/results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SESSION_COOKIE = 'aleflix_session';
const VIEWER = { email: 'bench-viewer@aleflix.local', password: 'bench-viewer-password', displayName: 'Bench Viewer' };
const GENRES = ['drama', 'comédia', 'documentário'];
const TITLE_COUNT = 12;
/** Bounds: a build, a server start, one Lighthouse run. */
const BUILD_TIMEOUT_MS = 300_000;
const WEB_START_TIMEOUT_MS = 60_000;
const LIGHTHOUSE_TIMEOUT_MS = 150_000;
const DEFAULT_RUNS = 3;

/** @param {{ log: (line: string) => void }} context */
export async function run({ log }) {
  const startedAt = new Date().toISOString();
  const runs = readRuns(process.env);
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  const { lighthouse, desktopConfig, chromeLauncher, lighthouseVersion } = await loadLighthouse();
  await ensureWebBuilt(log);

  const scratch = mkdtempSync(join(tmpdir(), 'aleflix-bench-web-'));
  const forgetScratch = onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
  try {
    return await withApi(
      async (api) => {
        log(`  API up at ${api.baseUrl} (${api.database.kind})`);
        const posters = await startPosterServer(scratch, log);
        try {
          const web = await startWeb(api.baseUrl);
          try {
            log(`  viewer up at ${web.baseUrl}`);
            const slug = await seed(api, posters?.baseUrl);
            const pages = [
              { label: 'home', path: '/' },
              { label: 'title', path: `/titles/${slug}` },
            ];
            // The first server render after start is cold (JIT, module loading); a real viewer
            // meets a warm server. One throwaway session per page warms both routes.
            for (const page of pages) await warmUp(web.baseUrl, page.path, await refreshTokenOf(api.baseUrl));

            // Rounds interleave the pages (home, title, home, title, ...) so that a busy spell of
            // the machine hits both; each page then reports its median run.
            const runsByPage = new Map(pages.map((page) => [page.label, []]));
            const problems = [];
            let browser = null;
            const loadBefore = loadavg()[0];
            for (let round = 1; round <= runs; round += 1) {
              for (const page of pages) {
                // A fresh session each: refresh tokens are single-use and a render rotates them.
                const refreshToken = await refreshTokenOf(api.baseUrl);
                const { lhr, html } = await runLighthouse({
                  lighthouse,
                  desktopConfig,
                  chromeLauncher,
                  url: web.baseUrl + page.path,
                  cookie: `${SESSION_COOKIE}=${encodeURIComponent(refreshToken)}`,
                });
                browser ??= lhr.environment?.hostUserAgent?.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? 'Chromium';
                const summary = summarizePage({ label: page.label, path: page.path, lhr });
                runsByPage.get(page.label).push({ ...summary.page, html });
                problems.push(...summary.problems.map((problem) => `run ${round}: ${problem}`));
                log(
                  `  run ${round}/${runs} ${page.label.padEnd(5)} performance ${summary.page.scores.performance ?? 'n/a'},` +
                    ` accessibility ${summary.page.scores.accessibility ?? 'n/a'}`,
                );
              }
            }
            const load = { before: loadBefore, after: loadavg()[0] };
            mkdirSync(RESULTS_DIR, { recursive: true });
            const summaries = pages.map((page) => {
              const all = runsByPage.get(page.label);
              const { html, ...median } = medianRun(all);
              const report = join(RESULTS_DIR, `web-${page.label}.html`);
              writeFileSync(report, html);
              return {
                ...median,
                report: relative(ROOT, report),
                runs: all.map(({ scores, metrics }) => ({ scores, tbtMs: metrics.TBT?.value ?? null })),
              };
            });
            return buildWebResult({
              name,
              description,
              pages: summaries,
              problems,
              startedAt,
              finishedAt: new Date().toISOString(),
              environment: { node: process.version, platform: process.platform, cpus: cpus().length, load },
              database: api.database,
              settings: {
                lighthouse: lighthouseVersion,
                preset: 'desktop',
                throttling: 'simulated',
                runs,
                categories: [...CATEGORIES],
                browser: `${browser} (${CHROMIUM})`,
                chromeFlags: CHROME_FLAGS,
                titles: TITLE_COUNT,
                posters: Boolean(posters),
              },
            });
          } finally {
            await web.stop();
          }
        } finally {
          await posters?.close();
        }
      },
      { log },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    forgetScratch();
  }
}

/** BENCH_WEB_RUNS: Lighthouse runs per page, 1 to 9, default 3 (the median one is reported). */
function readRuns(env) {
  const raw = env.BENCH_WEB_RUNS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_RUNS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 9) {
    throw new Error(`BENCH_WEB_RUNS must be an integer from 1 to 9 (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/**
 * Lighthouse and the chrome-launcher that Lighthouse itself depends on (resolved from
 * Lighthouse's folder, so it is the same copy whatever npm hoists).
 */
async function loadLighthouse() {
  let entry;
  try {
    entry = fileURLToPath(import.meta.resolve('lighthouse'));
  } catch {
    throw new Error('lighthouse is not installed: run `npm ci` at the repository root');
  }
  const fromLighthouse = createRequire(entry);
  const [{ default: lighthouse }, { default: desktopConfig }, chromeLauncher] = await Promise.all([
    import(pathToFileURL(entry).href),
    import(pathToFileURL(fromLighthouse.resolve('./config/desktop-config.js')).href),
    import(pathToFileURL(fromLighthouse.resolve('chrome-launcher')).href),
  ]);
  const { version } = JSON.parse(readFileSync(fromLighthouse.resolve('../package.json'), 'utf8'));
  return { lighthouse, desktopConfig, chromeLauncher, lighthouseVersion: version };
}

/** Builds the viewer only when web/.output is missing; warns when it looks older than the sources. */
async function ensureWebBuilt(log) {
  if (existsSync(WEB_SERVER)) {
    const stale = newerThan(statSync(WEB_SERVER).mtimeMs, ['app', 'server', 'shared', 'i18n']);
    if (stale)
      log(
        `  note: web/${stale} changed after web/.output was built; rebuild to measure it (npm run build -w @aleflix/web)`,
      );
    return;
  }
  log('  building the viewer (web/.output is missing)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawn(npm, ['run', 'build', '-w', '@aleflix/web'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = onCleanup(() => build.kill('SIGKILL'));
  let output = '';
  build.stdout.on('data', (chunk) => (output = (output + chunk).slice(-16_000)));
  build.stderr.on('data', (chunk) => (output = (output + chunk).slice(-16_000)));
  const timer = setTimeout(() => build.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  const [code, signal] = await once(build, 'exit');
  clearTimeout(timer);
  forget();
  if (code !== 0 || !existsSync(WEB_SERVER)) {
    throw new Error(`viewer build failed (${code ?? signal}; limit ${BUILD_TIMEOUT_MS / 1000} s):\n${output.trim()}`);
  }
}

function newerThan(builtAt, folders) {
  for (const folder of folders) {
    const dir = join(WEB_DIR, folder);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true })) {
      const file = join(dir, String(entry));
      if (statSync(file).isFile() && statSync(file).mtimeMs > builtAt) return `${folder}/${entry}`;
    }
  }
  return undefined;
}

/** `node web/.output/server/index.mjs` on a free loopback port, talking to the bench API. */
async function startWeb(apiBaseUrl) {
  const port = await freePort();
  const server = startChild({
    label: 'web',
    script: WEB_SERVER,
    cwd: WEB_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      NUXT_PUBLIC_API_BASE: apiBaseUrl,
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + WEB_START_TIMEOUT_MS;
  let exit;
  server.exited.then((value) => (exit = value));
  try {
    for (;;) {
      if (exit) throw new Error(`viewer exited (${exit.code ?? exit.signal}) before it was up:\n${server.output()}`);
      const up = await fetch(`${baseUrl}/login`, { redirect: 'manual', signal: AbortSignal.timeout(2_000) }).then(
        async (response) => {
          await response.body?.cancel();
          return response.status < 500;
        },
        () => false,
      );
      if (up) return { baseUrl, stop: server.stop };
      if (Date.now() > deadline)
        throw new Error(`viewer not up at ${baseUrl} after ${WEB_START_TIMEOUT_MS} ms:\n${server.output()}`);
      await sleep(200);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A poster JPEG made by ffmpeg (a testsrc2 frame, 400x600), served with a day of caching from
 * 127.0.0.1, one URL per title (`?n=`) as a real catalog would have. Without ffmpeg the titles
 * keep the viewer's gradient placeholders, and the report says so.
 */
async function startPosterServer(scratch, log) {
  const ffmpeg = existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : 'ffmpeg';
  const file = join(scratch, 'poster.jpg');
  const made = await new Promise((resolve) => {
    const child = spawn(
      ffmpeg,
      [
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=400x600:rate=1',
        '-frames:v',
        '1',
        '-q:v',
        '4',
        file,
      ],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', () => resolve(false));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 && existsSync(file));
    });
  });
  if (!made) {
    log('  note: ffmpeg could not make a poster; titles have no poster image');
    return null;
  }
  const body = readFileSync(file);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || !request.url?.startsWith('/poster.jpg')) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, {
        'content-type': 'image/jpeg',
        'content-length': body.length,
        'cache-control': 'public, max-age=86400',
      })
      .end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const forget = onCleanup(close);
  return {
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      forget();
      await close();
    },
  };
}

/** A viewer account and TITLE_COUNT published movies over three genres; returns the first slug. */
async function seed(api, posterBaseUrl) {
  const login = await requestJson('POST', `${api.baseUrl}/auth/login`, {
    body: { email: api.adminEmail, password: api.adminPassword },
  });
  const token = login.json.accessToken;
  await requestJson('POST', `${api.baseUrl}/users`, { token, expect: 201, body: { ...VIEWER, role: 'viewer' } });
  let firstSlug;
  for (let n = 1; n <= TITLE_COUNT; n += 1) {
    const created = await requestJson('POST', `${api.baseUrl}/titles`, {
      token,
      expect: 201,
      body: {
        kind: 'movie',
        name: `Filme de Bancada ${n}`,
        synopsis: `Sinopse do filme ${n}: uma história longa o bastante para parecer um item real do catálogo, com personagens, conflito e um final.`,
        year: 2000 + n,
        genres: [GENRES[n % GENRES.length], GENRES[(n + 1) % GENRES.length]],
        status: 'published',
        ...(posterBaseUrl ? { posterRef: `${posterBaseUrl}/poster.jpg?n=${n}` } : {}),
      },
    });
    firstSlug ??= created.json.slug;
  }
  return firstSlug;
}

async function refreshTokenOf(apiBaseUrl) {
  const login = await requestJson('POST', `${apiBaseUrl}/auth/login`, {
    body: { email: VIEWER.email, password: VIEWER.password },
  });
  return login.json.refreshToken;
}

async function warmUp(webBaseUrl, path, refreshToken) {
  const response = await fetch(webBaseUrl + path, {
    headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(refreshToken)}` },
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  await response.text();
  if (response.status !== 200)
    throw new Error(`warm-up GET ${path} answered ${response.status}, expected 200 (signed in)`);
}

/**
 * One Lighthouse navigation in its own Chromium, killed afterwards whatever happens
 * (also on Ctrl-C through the cleanups, and with SIGKILL if this process exits).
 */
async function runLighthouse({ lighthouse, desktopConfig, chromeLauncher, url, cookie }) {
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: CHROME_FLAGS,
    port: await freePort(),
    handleSIGINT: false, // bench/run.mjs owns Ctrl-C: it runs the cleanups, which kill Chromium
    logLevel: 'silent',
  });
  const kill = () => {
    try {
      chrome.kill();
    } catch {
      // already gone
    }
  };
  const forget = onCleanup(kill);
  process.once('exit', kill);
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Lighthouse took longer than ${LIGHTHOUSE_TIMEOUT_MS / 1000} s on ${url}`)),
        LIGHTHOUSE_TIMEOUT_MS,
      );
    });
    const result = await Promise.race([
      lighthouse(
        url,
        {
          port: chrome.port,
          hostname: '127.0.0.1',
          output: ['json', 'html'],
          logLevel: 'error',
          onlyCategories: [...CATEGORIES],
          extraHeaders: { Cookie: cookie },
          maxWaitForLoad: 45_000,
        },
        desktopConfig,
      ),
      timeout,
    ]);
    if (!result?.lhr) throw new Error(`Lighthouse returned no result for ${url}`);
    return { lhr: result.lhr, html: result.report[1] };
  } finally {
    clearTimeout(timer);
    kill();
    forget();
    process.removeListener('exit', kill);
  }
}
