// Benchmark: `aleflix ingest` (the built CLI) against a raw multipart upload of the same
// amount of bytes to the same endpoints, in the same run, against the same built API.
// Target: CLI throughput >= 0.8 × raw throughput. A FAIL is a finding (exit 0); exit 1 only
// when the run broke (a failed request, a CLI exit code other than 0, missing bytes).
//
// The API runs with its embedded defaults (local media storage under a temporary
// ALEFLIX_HOME, database queue), BACKGROUND_TASKS=false so that nothing transcodes while we
// measure, and UPLOAD_PART_SIZE_BYTES at 16 MiB. Both sides get their own random files of
// the same sizes, so the CLI never finds the raw side's content as a duplicate.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, URLSearchParams } from 'node:url';
import { once } from 'node:events';
import { withApi } from '../lib/api-server.mjs';
import { startChild } from '../lib/child.mjs';
import { onCleanup } from '../lib/cleanup.mjs';
import { requestJson } from '../lib/http.mjs';
import { formatNumber, isBroken, table } from '../lib/report.mjs';

export const name = 'ingest';
export const description = '`aleflix ingest` (built CLI) vs a raw multipart upload of the same bytes, same endpoints';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_BIN = join(ROOT, 'cli/dist/bin/aleflix.js');
const MiB = 1024 * 1024;
const MB = 1_000_000;
const PART_SIZE = 16 * MiB;
/** The CLI's defaults, pinned on its command line and used by the raw side too. */
const FILE_CONCURRENCY = 3;
const PART_CONCURRENCY = 2;
const MIN_RATIO = 0.8;

/** @param {{ log: (line: string) => void }} context */
export async function run({ log }) {
  const startedAt = new Date().toISOString();
  const totalMb = readInt(process.env, 'BENCH_INGEST_MB', 1024, 16, 65_536);
  const fileCount = readInt(process.env, 'BENCH_INGEST_FILES', 8, 1, 1000);
  await ensureCliBuilt(log);

  const scratch = mkdtempSync(join(tmpdir(), 'aleflix-bench-ingest-'));
  const forgetScratch = onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
  // withApi passes its own environment on; these two are only for this run's API.
  const restoreEnv = setEnv({
    BACKGROUND_TASKS: 'false',
    UPLOAD_PART_SIZE_BYTES: String(PART_SIZE),
    STORAGE_URL: undefined,
  });
  try {
    const sizes = fileSizes(totalMb * MiB, fileCount);
    const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
    log(`  generating 2 × ${fileCount} random files, ${formatNumber(totalBytes / MiB, 0)} MiB per side, in ${scratch}`);
    const rawFiles = writeRandomFiles(join(scratch, 'raw'), 'raw', sizes);
    writeRandomFiles(join(scratch, 'cli'), 'cli', sizes);

    return await withApi(
      async (api) => {
        log(`  API up at ${api.baseUrl} (${api.database.kind})`);
        const key = await createApiKey(api);

        log(`  raw upload: ${fileCount} files, ${FILE_CONCURRENCY} files × ${PART_CONCURRENCY} parts in flight`);
        const raw = await rawIngest(api.baseUrl, key, rawFiles);
        log(`    ${formatNumber(raw.seconds, 2)} s, ${formatNumber(raw.mbPerSecond, 1)} MB/s`);

        log(
          `  aleflix ingest --concurrency ${FILE_CONCURRENCY} --part-concurrency ${PART_CONCURRENCY} --json --no-tty`,
        );
        const cli = await cliIngest(api.baseUrl, key, join(scratch, 'cli'), join(scratch, 'xdg'), totalBytes);
        log(`    ${formatNumber(cli.seconds, 2)} s, ${formatNumber(cli.mbPerSecond, 1)} MB/s`);

        const assets = await countAssets(api.baseUrl, key);
        const problems = [...raw.problems, ...cli.problems];
        if (assets !== 2 * fileCount) problems.push(`the API lists ${assets} assets, expected ${2 * fileCount}`);
        const ratio = raw.mbPerSecond > 0 ? cli.mbPerSecond / raw.mbPerSecond : Number.NaN;
        return {
          name,
          description,
          startedAt,
          finishedAt: new Date().toISOString(),
          environment: { node: process.version, cpus: cpus().length },
          options: {
            totalMb,
            files: fileCount,
            fileSizes: sizes,
            partSizeBytes: PART_SIZE,
            fileConcurrency: FILE_CONCURRENCY,
            partConcurrency: PART_CONCURRENCY,
            order: ['raw', 'cli'],
          },
          database: api.database,
          raw: strip(raw),
          cli: strip(cli),
          ratio,
          target: { metric: 'MB/s cli / raw', minRatio: MIN_RATIO },
          verdict: ratio >= MIN_RATIO ? 'PASS' : 'FAIL',
          problems,
        };
      },
      { log },
    );
  } finally {
    restoreEnv();
    rmSync(scratch, { recursive: true, force: true });
    forgetScratch();
  }
}

export function formatReport(result) {
  const lines = [`${result.name}: ${result.description}`];
  if (result.database.kind === 'pglite') lines.push(`  !!! ${result.database.note}`);
  else lines.push(`  database  PostgreSQL (throwaway ${result.database.name}, dropped afterwards)`);
  const { options } = result;
  lines.push(
    `  files     ${options.files} random files per side, ${formatNumber(options.totalMb, 0)} MiB per side; parts of ${options.partSizeBytes / MiB} MiB;` +
      ` ${options.fileConcurrency} files × ${options.partConcurrency} parts in flight; raw first, then cli`,
    '',
    table([
      ['', 'bytes', 'seconds', 'MB/s'],
      ...['raw', 'cli'].map((side) => [
        side === 'raw' ? 'raw (fetch, POST/PUT parts/complete)' : 'cli (aleflix ingest --json --no-tty)',
        formatNumber(result[side].bytes, 0),
        formatNumber(result[side].seconds, 2),
        formatNumber(result[side].mbPerSecond, 1),
      ]),
    ]),
    '',
    `  ratio cli/raw  ${formatNumber(result.ratio, 3)}   target >= ${result.target.minRatio}   ${result.verdict}`,
  );
  if (isBroken(result))
    lines.push('', '  BENCHMARK ERRORED (numbers are not valid):', ...result.problems.map((p) => `    - ${p}`));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------- the two sides

/** POST /uploads, PUT every part with x-part-sha256, POST complete: plain fetch, same pools. */
async function rawIngest(baseUrl, key, files) {
  const problems = [];
  // An API key goes in as a bearer credential too; the CLI sends it as X-API-Key (same lookup).
  const headers = { authorization: `Bearer ${key}` };
  const started = performance.now();
  let bytes = 0;
  await pool(files, FILE_CONCURRENCY, async ({ path, filename, size }) => {
    const created = await requestJson('POST', `${baseUrl}/uploads`, {
      token: key,
      body: { filename, size, contentType: 'video/mp4' },
      expect: 201,
    });
    const upload = created.json.upload;
    if (!upload?.partUrlTemplate) throw new Error(`POST /uploads gave no partUrlTemplate (storage is not local?)`);
    const handle = await open(path, 'r');
    try {
      const partNumbers = Array.from({ length: upload.partCount }, (_, index) => index + 1);
      await pool(partNumbers, PART_CONCURRENCY, async (partNumber) => {
        const start = (partNumber - 1) * upload.partSize;
        const length = Math.min(upload.partSize, size - start);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, start);
        if (bytesRead !== length) throw new Error(`${filename}: short read at ${start}`);
        const sha256 = createHash('sha256').update(buffer).digest('hex');
        const url = new URL(upload.partUrlTemplate.replace('{partNumber}', String(partNumber)), baseUrl);
        const response = await fetch(url, {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'application/octet-stream', 'x-part-sha256': sha256 },
          body: buffer,
        });
        const text = await response.text();
        if (response.status !== 200)
          throw new Error(`PUT part ${partNumber} of ${filename}: ${response.status} ${text.slice(0, 200)}`);
        bytes += length;
      });
    } finally {
      await handle.close();
    }
    await requestJson('POST', `${baseUrl}/uploads/${upload.id}/complete`, { token: key, expect: 200 });
  });
  const seconds = (performance.now() - started) / 1000;
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (bytes !== total) problems.push(`raw: sent ${bytes} bytes, expected ${total}`);
  return { bytes, seconds, mbPerSecond: bytes / MB / seconds, problems };
}

/** The built CLI as a user runs it, timed from spawn to exit. */
async function cliIngest(baseUrl, key, dir, xdg, totalBytes) {
  mkdirSync(xdg, { recursive: true });
  const problems = [];
  const started = performance.now();
  const child = startChild({
    label: 'aleflix',
    script: CLI_BIN,
    args: [
      'ingest',
      dir,
      '--concurrency',
      String(FILE_CONCURRENCY),
      '--part-concurrency',
      String(PART_CONCURRENCY),
      '--json',
      '--no-tty',
    ],
    cwd: ROOT,
    env: { ...process.env, ALEFLIX_API_URL: baseUrl, ALEFLIX_API_KEY: key, XDG_CONFIG_HOME: xdg, CI: '1' },
  });
  let stdout = '';
  child.child.stdout.on('data', (chunk) => (stdout += chunk));
  // Bounded: 10 minutes plus 1 s per MiB (a working run needs a small fraction of that).
  const limit = setTimeout(() => child.stop(), 600_000 + (totalBytes / MiB) * 1000);
  const { code, signal } = await child.exited;
  clearTimeout(limit);
  await child.stop();
  const seconds = (performance.now() - started) / 1000;

  const events = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      problems.push(`cli: stdout line is not JSON: ${line.slice(0, 120)}`);
    }
  }
  const summary = events.findLast((event) => event.type === 'summary');
  if (code !== 0) problems.push(`cli: exited ${code ?? signal}:\n${child.output().slice(-2000)}`);
  if (!summary) problems.push('cli: no summary event');
  else {
    if (summary.duplicates > 0) problems.push(`cli: ${summary.duplicates} files skipped as duplicate`);
    if (summary.bytesSent !== totalBytes) problems.push(`cli: sent ${summary.bytesSent} bytes, expected ${totalBytes}`);
  }
  const bytes = summary?.bytesSent ?? 0;
  return {
    bytes,
    seconds,
    mbPerSecond: bytes / MB / seconds,
    cliSeconds: summary?.seconds,
    summary: summary && {
      files: summary.files,
      ingested: summary.ingested,
      duplicates: summary.duplicates,
      failed: summary.failed,
    },
    problems,
  };
}

// ---------------------------------------------------------------------------- setup helpers

async function createApiKey(api) {
  const login = await requestJson('POST', `${api.baseUrl}/auth/login`, {
    body: { email: api.adminEmail, password: api.adminPassword },
  });
  const created = await requestJson('POST', `${api.baseUrl}/auth/api-keys`, {
    token: login.json.accessToken,
    body: { name: 'bench-ingest', role: 'editor' },
    expect: 201,
  });
  return created.json.key;
}

async function countAssets(baseUrl, key) {
  let count = 0;
  let cursor;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await requestJson('GET', `${baseUrl}/assets?${query}`, { token: key });
    count += page.json.items.length;
    cursor = page.json.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

/** Sizes that add up to `total`, close to equal but not all alike (like a real folder). */
export function fileSizes(total, count) {
  const base = Math.floor(total / count);
  const sizes = Array.from(
    { length: count },
    (_, index) => base + (index % 2 === 0 ? 1 : -1) * ((index * 7919) % ((base / 8) | 0)),
  );
  sizes[count - 1] += total - sizes.reduce((sum, size) => sum + size, 0);
  return sizes;
}

function writeRandomFiles(dir, prefix, sizes) {
  mkdirSync(dir, { recursive: true });
  const chunk = Buffer.allocUnsafe(4 * MiB);
  return sizes.map((size, index) => {
    const filename = `${prefix} clip ${String(index + 1).padStart(3, '0')}.mp4`;
    const path = join(dir, filename);
    const fd = openSync(path, 'w');
    try {
      for (let written = 0; written < size;) {
        const length = Math.min(chunk.length, size - written);
        randomFillSync(chunk, 0, length);
        writeSync(fd, chunk, 0, length);
        written += length;
      }
    } finally {
      closeSync(fd);
    }
    return { path, filename, size };
  });
}

async function ensureCliBuilt(log) {
  if (existsSync(CLI_BIN) && existsSync(join(ROOT, 'sdk/dist/index.js'))) return;
  log('  building the SDK and the CLI (cli/dist or sdk/dist is missing)...');
  for (const workspace of ['@aleflix/sdk', '@aleflix/cli']) {
    const build = spawn('npm', ['run', 'build', '-w', workspace], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    build.stdout.on('data', (chunk) => (output += chunk));
    build.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await once(build, 'exit');
    if (code !== 0) throw new Error(`build of ${workspace} failed:\n${output.trim()}`);
  }
}

/** Runs `work` over `items`, at most `concurrency` at once; the first error stops new work. */
async function pool(items, concurrency, work) {
  let next = 0;
  let failed;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed) throw failed;
}

function setEnv(values) {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (entries) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(saved);
}

function readInt(env, key, fallback, min, max) {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function strip({ problems: _problems, ...side }) {
  return side;
}
