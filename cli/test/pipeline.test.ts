import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AleflixApiError } from '@aleflix/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestEvent } from '../src/ingest/events.js';
import { exitCodeFor, runIngest, type PipelineOptions } from '../src/ingest/pipeline.js';
import { buildPlan } from '../src/ingest/plan.js';
import { IngestState } from '../src/ingest/state.js';
import { FakeIngestApi } from './fake-sdk.js';

const API = 'http://api.test';
let root: string;
let library: string;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aleflix-pipeline-'));
  library = join(root, 'library');
  mkdirSync(join(library, 'Show'), { recursive: true });
  writeFileSync(join(library, 'Movie (2002).mp4'), 'movie bytes');
  writeFileSync(join(library, 'Show', 'Show.S01E01.mkv'), 'episode one');
  writeFileSync(join(library, 'Show', 'Show.S01E02.mkv'), 'episode two');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let stateCount = 0;
async function run(
  api: FakeIngestApi,
  options: Partial<PipelineOptions> = {},
  planOptions: { manifest?: string } = {},
) {
  const plan = await buildPlan({ inputs: [library], cwd: root, ...planOptions });
  const events: IngestEvent[] = [];
  const state = options.state ?? IngestState.load(join(root, `state-${stateCount++}.json`));
  const summary = await runIngest(
    plan,
    api,
    {
      apiUrl: API,
      state,
      concurrency: 3,
      partConcurrency: 2,
      wait: false,
      publish: false,
      pollIntervalMs: 1,
      ...options,
    },
    (event) => events.push(event),
  );
  return {
    events,
    summary,
    state,
    plan,
    of: <T extends IngestEvent['type']>(type: T) =>
      events.filter((e): e is Extract<IngestEvent, { type: T }> => e.type === type),
  };
}

describe('the ingest pipeline', () => {
  it('hashes, upserts each title once, uploads with the hash and attachment, and reports every step', async () => {
    const api = new FakeIngestApi();
    const { events, summary, of, state, plan } = await run(api);

    expect(summary).toMatchObject({ files: 3, ingested: 3, duplicates: 0, failed: 0, interrupted: 0 });
    expect(exitCodeFor(summary)).toBe(0);
    expect([...api.titles.keys()].sort()).toEqual(['aleflix:movie:movie-2002', 'aleflix:series:show']);
    expect(api.upsertCalls.filter((id) => id === 'aleflix:series:show')).toHaveLength(1);
    expect(api.episodes.map((e) => `${e.episode.season}x${e.episode.number}`).sort()).toEqual(['1x1', '1x2']);
    const showId = api.titles.get('aleflix:series:show')!.id;
    const episodeUpload = api.uploads.find((u) => u.path.endsWith('Show.S01E02.mkv'))!;
    expect(episodeUpload.options).toMatchObject({
      sha256: sha('episode two'),
      attachTo: { titleId: showId, season: 1, episode: 2 },
      concurrency: 2,
      filename: 'Show.S01E02.mkv',
    });

    const movie = 'library/Movie (2002).mp4';
    const forMovie = events.filter((e) => 'file' in e && e.file === movie).map((e) => e.type);
    expect(forMovie).toEqual(['hash', 'hashed', 'title', 'upload-open', 'part', 'part', 'uploaded', 'file-done']);
    expect(of('title').filter((e) => e.created)).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'start', files: 3, bytes: 33 });
    expect(events.at(-1)!.type).toBe('summary');
    // The hash and the asset are remembered; the finished upload is not.
    const file = plan.files.find((f) => f.display === movie)!;
    expect(state.get(file).sha256).toBe(sha('movie bytes'));
    expect(Object.values(state.get(file).assets ?? {})).toHaveLength(1);
    expect(state.uploadId(file, API)).toBeUndefined();
  });

  it('skips content the server has, attaching it where the plan says when it is not already', async () => {
    const showAsset = { id: 'dup-1', status: 'ready' as const, titleId: 'elsewhere' };
    const api = new FakeIngestApi({ known: new Map([[sha('episode one'), showAsset]]) });
    const { summary, of } = await run(api);
    expect(summary).toMatchObject({ ingested: 2, duplicates: 1 });
    expect(of('duplicate')).toEqual([
      expect.objectContaining({ file: 'library/Show/Show.S01E01.mkv', assetId: 'dup-1' }),
    ]);
    expect(api.attachments).toEqual([
      { assetId: 'dup-1', attachment: { titleId: api.titles.get('aleflix:series:show')!.id, season: 1, episode: 1 } },
    ]);
    expect(exitCodeFor(summary)).toBe(0);
  });

  it('resumes the upload remembered in the state file and does not hash again', async () => {
    const api = new FakeIngestApi();
    const first = await run(api, {}, {});
    const file = first.plan.files[0]!;
    first.state.setUpload(file, API, 'open-upload-7');
    const second = await run(api, { state: first.state });
    expect(second.of('hash')).toHaveLength(0);
    expect(second.of('hashed').every((e) => e.cached)).toBe(true);
    const resumed = api.uploads.filter((u) => u.options.resume).map((u) => u.options.resume!.uploadId);
    expect(resumed).toEqual(['open-upload-7']);
    expect(second.of('upload-open').find((e) => e.resumed)).toMatchObject({
      uploadId: 'open-upload-7',
      receivedParts: [1],
    });
  });

  it('fails one file with a one-line reason and goes on with the others (exit code 1)', async () => {
    const problem = new AleflixApiError({
      status: 409,
      problem: { type: 'x', title: 'Conflict', status: 409, code: 'upload_closed', detail: 'Upload is expired' },
      method: 'PUT',
      url: 'http://api.test/uploads/1/parts/1',
      headers: new Headers(),
    });
    const api = new FakeIngestApi({ failUpload: (path) => (path.endsWith('E02.mkv') ? problem : undefined) });
    const { summary } = await run(api);
    expect(summary).toMatchObject({ ingested: 2, failed: 1 });
    expect(summary.failures).toEqual([
      { file: 'library/Show/Show.S01E02.mkv', reason: 'Upload is expired (upload_closed, HTTP 409)' },
    ]);
    expect(exitCodeFor(summary)).toBe(1);
  });

  it('fails the files of bad manifest rows by line number and ingests the rest', async () => {
    const manifest = join(root, 'meta.csv');
    writeFileSync(
      manifest,
      [
        'file,title,year,series,season,episode',
        'library/Movie (2002).mp4,Cidade,2002,,,',
        'library/Show/Show.S01E01.mkv,Piloto,,Sintonia,one,1',
        'missing.mp4,Gone,,,,',
      ].join('\n'),
    );
    const api = new FakeIngestApi();
    const { summary } = await run(api, {}, { manifest });
    expect(summary).toMatchObject({ files: 4, ingested: 2, failed: 2 });
    expect(summary.failures).toEqual([
      { file: 'library/Show/Show.S01E01.mkv', reason: expect.stringMatching(/^manifest line 3: "season"/), line: 3 },
      { file: 'missing.mp4', reason: 'manifest line 4: file not found: missing.mp4', line: 4 },
    ]);
    // Line 2 named the movie; the second episode, not in the manifest, went by its file name.
    expect([...api.titles.values()].map((t) => `${t.target.name} (${t.target.source})`).sort()).toEqual([
      'Cidade (manifest line 2)',
      'Show (file name)',
    ]);
  });

  it('follows transcoding with --wait and publishes a title only when all its files are ready', async () => {
    const api = new FakeIngestApi({
      transcode: (path) =>
        path.endsWith('E02.mkv')
          ? [
              { status: 'processing', job: null },
              { status: 'failed', errorCode: 'ffmpeg_failed', errorMessage: 'no video stream' },
            ]
          : [{ status: 'processing' }, { status: 'ready' }],
    });
    const { summary, of } = await run(api, { wait: true, publish: true });
    expect(summary).toMatchObject({ ingested: 2, failed: 1 });
    expect(summary.failures[0]!.reason).toBe('transcoding failed: no video stream');
    expect(api.published).toEqual([api.titles.get('aleflix:movie:movie-2002')!.id]);
    expect(of('publish-skipped')).toEqual([
      expect.objectContaining({ title: 'Show', reason: '1 of 2 file(s) not ready' }),
    ]);
    expect(
      of('transcode')
        .filter((e) => e.file === 'library/Movie (2002).mp4')
        .map((e) => e.status),
    ).toEqual(['queued', 'processing', 'ready']);
  });

  it('follows transcoding with --wait over the event stream, reading the asset only at the end', async () => {
    const api = new FakeIngestApi({
      events: () => [
        { type: 'snapshot', status: 'queued', progress: 0 },
        { type: 'job.started', status: 'running', progress: 0 },
        { type: 'job.progress', status: 'running', progress: 40, etaSeconds: 6 },
        { type: 'job.ready', status: 'succeeded', progress: 100 },
      ],
      transcode: () => [{ status: 'ready' }],
    });
    const { summary, of } = await run(api, { wait: true });
    expect(summary).toMatchObject({ ingested: 3, failed: 0 });
    const movie = of('transcode').filter((e) => e.file === 'library/Movie (2002).mp4');
    expect(movie.map((e) => [e.status, e.progress, e.etaSeconds])).toEqual([
      ['queued', 0, null],
      ['processing', 0, null],
      ['processing', 40, 6],
      ['ready', 100, null],
    ]);
    // One read per asset, for its final state: no polling while the stream works.
    expect(api.assetReads).toHaveLength(3);
  });

  it('uploads at most --concurrency files at once while hashing the next ones', async () => {
    const gates: Array<() => void> = [];
    const api = new FakeIngestApi({ uploadGate: () => new Promise<void>((resolve) => gates.push(resolve)) });
    const running = run(api, { concurrency: 2 });
    await vi_waitFor(() => gates.length === 2);
    // Both upload slots are busy, and the third file is already hashed, waiting for a slot.
    expect(api.inFlight).toBe(2);
    gates.splice(0).forEach((open) => open());
    await vi_waitFor(() => gates.length === 1);
    gates.splice(0).forEach((open) => open());
    const { summary, of } = await running;
    expect(api.maxInFlight).toBe(2);
    expect(of('hashed')).toHaveLength(3);
    expect(summary.ingested).toBe(3);
  });

  it('stops on abort: unfinished files are interrupted (exit code 130), their uploads kept in the state', async () => {
    const controller = new AbortController();
    const api = new FakeIngestApi({
      uploadGate: async () => {
        controller.abort(new Error('interrupted'));
      },
    });
    const { summary, state, plan } = await run(api, { signal: controller.signal, concurrency: 1 });
    expect(summary.interrupted).toBe(3);
    expect(exitCodeFor(summary)).toBe(130);
    expect(plan.files.filter((file) => state.uploadId(file, API))).toHaveLength(1);
  });

  it('refuses a duplicate that is still uploading elsewhere with a hint', async () => {
    const api = new FakeIngestApi({
      known: new Map([[sha('movie bytes'), { id: 'half', status: 'uploading' as const }]]),
    });
    const { summary } = await run(api);
    expect(summary.failures).toEqual([
      { file: 'library/Movie (2002).mp4', reason: expect.stringContaining('aleflix assets rm half') },
    ]);
  });
});

async function vi_waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
