// End to end: the built `aleflix` binary, run as a child process against the real API on a
// random port with embedded defaults (PGlite, local storage, ffmpeg in-process). The tests
// run in order and share the server: login, a dry run, an ingest with --wait --publish, a
// re-run that skips everything, an interrupted and resumed upload, bad manifest rows,
// listing, and errors that take one line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type AleflixClient, type JobEventMessage } from '@aleflix/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestEvent } from '../src/ingest/events.js';
import { buildWhatIsMissing, CLI_BIN, killAll, makeClip, run, startApi, track, type RunningApi } from './processes.js';

const ADMIN = { email: 'admin@cli-e2e.test', password: 'cli-e2e-password-123' };
const PART = 5 * 1024 * 1024;

let api: RunningApi | undefined;
let scratch: string;
let clips: string;
let env: NodeJS.ProcessEnv;
let admin: AleflixClient;

type Event = IngestEvent & { time: string };

function aleflix(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return run(process.execPath, [CLI_BIN, ...args], {
    cwd: scratch,
    env: { ...env, ...options.env },
    input: options.input ?? '',
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

/** Every stdout line must be a JSON event. */
function events(stdout: string): Event[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Event);
}

const ofType = <T extends IngestEvent['type']>(list: Event[], type: T) =>
  list.filter((event): event is Extract<IngestEvent, { type: T }> & { time: string } => event.type === type);

function expectOneLineError(result: { code: number | null; stderr: string; stdout: string }, pattern: RegExp) {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^aleflix: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aleflix-cli-e2e-'));
  clips = join(scratch, 'clips');
  mkdirSync(join(scratch, 'config'));
  mkdirSync(clips);
  mkdirSync(join(scratch, 'big'));
  const built = buildWhatIsMissing();
  await Promise.all([
    makeClip(join(clips, 'cidade.mp4'), 2, 440),
    makeClip(join(clips, 'sintonia-1.mp4'), 2, 550),
    makeClip(join(clips, 'sintonia-2.mp4'), 2, 660),
    built,
  ]);
  // Bigger than five 5 MiB parts, random (its transcode fails fast; the upload is what matters).
  writeFileSync(join(scratch, 'big', 'big.mp4'), randomBytes(5 * PART + 123_456));
  writeFileSync(
    join(clips, 'meta.csv'),
    [
      'file,title,year,genres,synopsis,series,season,episode,externalId',
      'cidade.mp4,Cidade E2E,2002,drama|crime,"Rio, anos 70",,,,e2e:movie:cidade',
      'sintonia-1.mp4,Piloto,2019,drama,First episode,Sintonia E2E,1,1,e2e:series:sintonia',
      'sintonia-2.mp4,Segundo,,,Second episode,Sintonia E2E,1,2,e2e:series:sintonia',
    ].join('\n'),
  );
  api = await startApi(
    {
      ALEFLIX_ADMIN_EMAIL: ADMIN.email,
      ALEFLIX_ADMIN_PASSWORD: ADMIN.password,
      UPLOAD_PART_SIZE_BYTES: String(PART),
      JOB_MAX_ATTEMPTS: '1',
    },
    150_000,
  );
  // Only what the CLI should see: its config folder, the API, no inherited credentials.
  env = {
    PATH: process.env.PATH ?? '',
    HOME: scratch,
    XDG_CONFIG_HOME: join(scratch, 'config'),
    ALEFLIX_API_URL: api.baseUrl,
    NO_COLOR: '1',
  };
  admin = createClient({ baseUrl: api.baseUrl, credentials: ADMIN });
}, 240_000);

afterAll(async () => {
  await api?.stop();
  killAll();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('aleflix against a real API', { timeout: 120_000 }, () => {
  it('logs in with a password from stdin, keeps the session 0600, and refuses a wrong password in one line', async () => {
    const wrong = await aleflix(['login', '--email', ADMIN.email, '--password-stdin'], { input: 'not-the-password\n' });
    expectOneLineError(wrong, /\(invalid_credentials, HTTP 401\)$/);

    const login = await aleflix(['login', '--email', ADMIN.email, '--password-stdin'], {
      input: `${ADMIN.password}\n`,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`as ${ADMIN.email} (admin)`);
    const configFile = join(scratch, 'config', 'aleflix', 'config.json');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);

    const whoami = await aleflix(['whoami', '--json']);
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      user: { email: ADMIN.email },
      role: 'admin',
      credentials: 'session',
    });
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const result = await aleflix(['ingest', 'clips', '--manifest', 'clips/meta.csv', '--dry-run', '--json']);
    expect(result.code).toBe(0);
    const plan = ofType(events(result.stdout), 'plan');
    expect(
      plan.map((event) => [event.file, event.kind, event.title, event.season ?? null, event.episode ?? null]),
    ).toEqual([
      ['clips/cidade.mp4', 'movie', 'Cidade E2E', null, null],
      ['clips/sintonia-1.mp4', 'series', 'Sintonia E2E', 1, 1],
      ['clips/sintonia-2.mp4', 'series', 'Sintonia E2E', 1, 2],
    ]);
    expect((await admin.titles.list()).items).toEqual([]);
    expect((await admin.assets.list()).items).toEqual([]);
    expect(existsSync(join(clips, '.aleflix-ingest.json'))).toBe(false);
  });

  it('ingests a folder with a CSV manifest, --wait --publish --json: NDJSON only, titles, episodes and ready assets', async () => {
    const result = await aleflix(
      ['ingest', 'clips', '--manifest', 'clips/meta.csv', '--wait', '--publish', '--json', '--poll-interval', '500'],
      {
        timeoutMs: 110_000,
      },
    );
    expect(result.stderr).toBe('');
    const list = events(result.stdout);
    expect(result.code, result.stdout).toBe(0);
    expect(list[0]).toMatchObject({ type: 'start', files: 3 });
    expect(ofType(list, 'upload-open')).toHaveLength(3);
    expect(
      ofType(list, 'file-done')
        .map((event) => [event.file, event.outcome, event.status])
        .sort(),
    ).toEqual([
      ['clips/cidade.mp4', 'ingested', 'ready'],
      ['clips/sintonia-1.mp4', 'ingested', 'ready'],
      ['clips/sintonia-2.mp4', 'ingested', 'ready'],
    ]);
    expect(
      ofType(list, 'published')
        .map((event) => event.title)
        .sort(),
    ).toEqual(['Cidade E2E', 'Sintonia E2E']);
    expect(list.at(-1)).toMatchObject({ type: 'summary', ingested: 3, duplicates: 0, failed: 0 });

    const { items } = await admin.titles.list({ sort: 'name' });
    expect(items.map((title) => [title.name, title.kind, title.status, title.externalId, title.year])).toEqual([
      ['Cidade E2E', 'movie', 'published', 'e2e:movie:cidade', 2002],
      ['Sintonia E2E', 'series', 'published', 'e2e:series:sintonia', 2019],
    ]);
    const movie = items[0]!;
    const series = (await admin.titles.get('sintonia-e2e')).data;
    expect(series.seasons[0]!.episodes.map((episode) => [episode.number, episode.name, episode.synopsis])).toEqual([
      [1, 'Piloto', 'First episode'],
      [2, 'Segundo', 'Second episode'],
    ]);
    const assets = (await admin.assets.list({ limit: 10 })).items;
    expect(assets.map((asset) => asset.status)).toEqual(['ready', 'ready', 'ready']);
    const episodeIds = series.seasons[0]!.episodes.map((episode) => episode.id).sort();
    expect(
      assets
        .filter((asset) => asset.titleId === series.id)
        .map((asset) => asset.episodeId)
        .sort(),
    ).toEqual(episodeIds);
    expect((await admin.media.stream(movie.id)).url).toMatch(/\.m3u8$/);
  });

  it('skips everything as duplicate on a re-run, exit code 0', async () => {
    const result = await aleflix(['ingest', 'clips', '--manifest', 'clips/meta.csv', '--wait', '--publish', '--json']);
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    expect(ofType(list, 'upload-open')).toHaveLength(0);
    expect(ofType(list, 'hashed').every((event) => event.cached)).toBe(true);
    expect(ofType(list, 'file-done').map((event) => event.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(list.at(-1)).toMatchObject({ type: 'summary', ingested: 0, duplicates: 3, failed: 0, bytesSent: 0 });
  });

  it('resumes an upload interrupted with SIGINT without sending finished parts again', async () => {
    const args = [CLI_BIN, 'ingest', 'big', '--json', '--part-concurrency', '1', '--state', 'big-state.json'];
    const child = track(spawn(process.execPath, args, { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const first: Event[] = [];
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const event = JSON.parse(line) as Event;
        first.push(event);
        if (event.type === 'part' && first.filter((e) => e.type === 'part').length === 1) child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
    expect(code).toBe(130);
    const opened = ofType(first, 'upload-open')[0]!;
    expect(opened).toMatchObject({ partCount: 6, resumed: false });
    expect(ofType(first, 'file-done')[0]).toMatchObject({ outcome: 'interrupted' });

    const onServer = await admin.uploads.get(opened.uploadId);
    const stored = onServer.receivedParts.map((part) => part.partNumber).sort((a, b) => a - b);
    expect(onServer.status).toBe('open');
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(stored.length).toBeLessThan(6);

    const again = await aleflix(['ingest', 'big', '--json', '--state', 'big-state.json']);
    expect(again.code).toBe(0);
    const second = events(again.stdout);
    expect(ofType(second, 'upload-open')[0]).toMatchObject({
      uploadId: opened.uploadId,
      resumed: true,
      receivedParts: stored,
    });
    const resent = ofType(second, 'part').map((event) => event.partNumber);
    expect(resent.filter((partNumber) => stored.includes(partNumber))).toEqual([]);
    expect([...stored, ...resent].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ofType(second, 'uploaded')[0]).toMatchObject({ partsSkipped: stored.length, partsSent: 6 - stored.length });
    expect((await admin.uploads.get(opened.uploadId)).status).toBe('completed');
  });

  it('reports a bad manifest row with its line number, goes on with the others, and exits non-zero', async () => {
    writeFileSync(
      join(clips, 'bad.csv'),
      [
        'file,title,year,externalId',
        'cidade.mp4,Cidade E2E,2002,e2e:movie:cidade',
        'sintonia-1.mp4,Oops,twenty,',
        'sintonia-2.mp4,Fine,2001,',
      ].join('\n'),
    );
    const result = await aleflix([
      'ingest',
      'clips/cidade.mp4',
      'clips/sintonia-1.mp4',
      '--manifest',
      'clips/bad.csv',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const list = events(result.stdout);
    const done = ofType(list, 'file-done');
    expect(done.find((event) => event.outcome === 'failed')).toMatchObject({
      file: 'clips/sintonia-1.mp4',
      line: 3,
      reason: expect.stringMatching(/^manifest line 3: "year"/),
    });
    expect(done.find((event) => event.file === 'clips/cidade.mp4')).toMatchObject({ outcome: 'duplicate' });
    expect(ofType(list, 'attached')).toEqual([]); // already attached to the same movie
    // sintonia-2.mp4 is not among the inputs: a warning, not a failure.
    expect(ofType(list, 'warning').map((event) => event.message)).toEqual([
      expect.stringContaining('line 4: sintonia-2.mp4 is not among the files'),
    ]);
    expect(list.at(-1)).toMatchObject({
      type: 'summary',
      duplicates: 1,
      failed: 1,
      failures: [expect.objectContaining({ line: 3 })],
    });
  });

  it('lists titles as JSON and as a table', async () => {
    const json = await aleflix(['titles', 'ls', '--json']);
    expect(json.code).toBe(0);
    const titles = JSON.parse(json.stdout) as Array<{ slug: string; status: string }>;
    expect(titles.map((title) => title.slug).sort()).toEqual(['big', 'cidade-e2e', 'sintonia-e2e']);
    const table = await aleflix(['titles', 'ls', '--kind', 'series']);
    expect(table.stdout.split('\n')[0]).toMatch(/^SLUG\s+KIND\s+NAME/);
    expect(table.stdout).toMatch(/sintonia-e2e\s+series\s+Sintonia E2E\s+2019\s+published/);
  });

  it('manages assets, jobs, users and titles', async () => {
    const jobs = JSON.parse((await aleflix(['jobs', 'ls', '--status', 'succeeded', '--json'])).stdout) as Array<{
      id: string;
    }>;
    expect(jobs).toHaveLength(3);
    const watch = await aleflix(['jobs', 'watch', jobs[0]!.id]);
    expect(watch.code).toBe(0);
    expect(watch.stdout).toMatch(/^succeeded .* 100%/);

    const ready = JSON.parse((await aleflix(['assets', 'ls', '--status', 'ready', '--json'])).stdout) as Array<{
      id: string;
    }>;
    expect(ready).toHaveLength(3);
    expect((await aleflix(['assets', 'show', ready[0]!.id])).stdout).toMatch(/status:\s+ready/);

    const add = await aleflix(['users', 'add', '--email', 'ana@cli-e2e.test', '--role', 'editor', '--password-stdin'], {
      input: 'ana-password-12345\n',
    });
    expect(add.stdout).toMatch(/^Created ana@cli-e2e\.test \(editor/);
    expect((await aleflix(['users', 'role', 'ana@cli-e2e.test', 'viewer'])).stdout).toBe(
      'ana@cli-e2e.test is now viewer\n',
    );
    expect((await aleflix(['users', 'disable', 'ana@cli-e2e.test'])).stdout).toBe('ana@cli-e2e.test is disabled\n');

    expect((await aleflix(['titles', 'unpublish', 'cidade-e2e'])).stdout).toContain('Unpublished "Cidade E2E"');
    expect((await aleflix(['titles', 'edit', 'cidade-e2e', '--synopsis', 'Rio'])).code).toBe(0);
    expect((await admin.titles.get('cidade-e2e')).data).toMatchObject({ status: 'draft', synopsis: 'Rio' });
    const rm = await aleflix(['titles', 'rm', 'big']);
    expectOneLineError(rm, /refusing to delete "big" \(big\) without --yes/);
  });

  /** `aleflix jobs watch <args>` in the background, once it reports being connected to the event stream. */
  async function connectedWatch(args: string[]) {
    const child = track(
      spawn(process.execPath, [CLI_BIN, 'jobs', 'watch', ...args], {
        cwd: scratch,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const connected = new Promise<void>((done) =>
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk;
        if (stderr.includes('connected')) done();
      }),
    );
    await Promise.race([
      connected,
      exited.then((code) => Promise.reject(new Error(`jobs watch exited with ${code}: ${stderr}`))),
    ]);
    return { exited, stdout: () => stdout, stderr: () => stderr };
  }

  it('jobs watch --json streams the live progress of a real transcode and ends when it is ready', async () => {
    const clip = join(scratch, 'watch.mp4');
    await makeClip(clip, 2, 770);
    const { upload } = await admin.uploads.create({
      filename: 'watch.mp4',
      size: statSync(clip).size,
      contentType: 'video/mp4',
    });
    const assetId = upload!.assetId;
    // The asset has no job yet: once connected, the watch misses nothing of its transcode.
    const watch = await connectedWatch(['--asset', assetId, '--json']);
    await admin.uploads.upload(clip, { filename: 'watch.mp4', resume: { uploadId: upload!.id } });

    expect(await watch.exited, watch.stderr()).toBe(0);
    const messages = watch
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JobEventMessage);
    expect(messages.every((message) => message.assetId === assetId && message.v === 1)).toBe(true);
    const types = messages.map((message) => message.type);
    expect(types[0]).toBe('job.started');
    expect(types.at(-1)).toBe('job.ready');
    expect(types.slice(1, -1).length).toBeGreaterThanOrEqual(1);
    expect(types.slice(1, -1).every((type) => type === 'job.progress')).toBe(true);
    expect(messages.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
  });

  it('jobs watch --asset ends, exit 1, when the watched asset is deleted before its upload completes', async () => {
    const { upload } = await admin.uploads.create({ filename: 'gone.mp4', size: 1000, contentType: 'video/mp4' });
    const assetId = upload!.assetId;
    const watch = await connectedWatch(['--asset', assetId]);
    await admin.assets.delete(assetId);
    expect(await watch.exited, watch.stderr()).toBe(1);
    expect(watch.stderr()).toContain('the event stream ended (the asset was deleted)');
  });

  it('shows errors as one line without a stack trace: not found, a revoked API key, after logout', async () => {
    expectOneLineError(
      await aleflix(['titles', 'show', 'no-such-title']),
      /^aleflix: Title not found \(not_found, HTTP 404\)$/,
    );

    const key = (await aleflix(['keys', 'create', '--name', 'e2e', '--json'])).stdout;
    const { id, key: secret } = JSON.parse(key) as { id: string; key: string };
    const viaKey = await aleflix(['whoami', '--json'], { env: { ALEFLIX_API_KEY: secret } });
    expect(JSON.parse(viaKey.stdout)).toMatchObject({ credentials: 'ALEFLIX_API_KEY', role: 'admin' });
    expect((await aleflix(['keys', 'revoke', id])).code).toBe(0);
    expectOneLineError(await aleflix(['whoami'], { env: { ALEFLIX_API_KEY: secret } }), /\(token_invalid, HTTP 401\)$/);

    expect((await aleflix(['logout'])).stdout).toContain('Logged out');
    expectOneLineError(await aleflix(['titles', 'ls']), /not logged in: run `aleflix login`/);
  });

  it('refuses an expired API key in one clear line, exit code non-zero', async () => {
    // Made through the SDK: a CLI start-up takes longer than this key lives on a busy machine.
    const expiresAt = new Date(Date.now() + 4_000).toISOString();
    const { key: secret } = await admin.apiKeys.create({ name: 'short-lived', expiresAt });
    // Keys expire on the API's clock: wait until the API itself says so, bounded.
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${api!.baseUrl}/auth/me`, { headers: { 'x-api-key': secret } })).status !== 401) {
      if (Date.now() > deadline) throw new Error('the key never expired');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expectOneLineError(
      await aleflix(['whoami'], { env: { ALEFLIX_API_KEY: secret } }),
      /API key has expired \(token_expired, HTTP 401\)$/,
    );

    await aleflix(['login', '--email', ADMIN.email, '--password-stdin'], { input: `${ADMIN.password}\n` });
    const later = await aleflix([
      'keys',
      'create',
      '--name',
      'dated',
      '--expires-at',
      '2030-01-31T00:00:00Z',
      '--json',
    ]);
    expect(later.code, later.stderr).toBe(0);
    expect(JSON.parse(later.stdout)).toMatchObject({ name: 'dated', expiresAt: '2030-01-31T00:00:00.000Z' });
  });
});
