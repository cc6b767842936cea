// Render tests of the live ingest UI: a sequence of pipeline events goes through the same
// path as in `aleflix ingest` (IngestStore.emit, the model reducer, the Ink components) and
// each step is checked on the rendered frame.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { IngestEvent } from '../src/ingest/events.js';
import { IngestView, LiveIngest } from '../src/ui/ingest-view.js';
import { IngestStore } from '../src/ui/model.js';

const MiB = 1024 * 1024;
const SIZE = 10 * MiB;
const PART = 5 * MiB;
const FILES = ['a.mp4', 'Show.S01E02.mkv', 'c.mov', 'd.mp4'];

// eslint-disable-next-line no-control-regex -- ANSI escapes, if a colour level is ever forced
const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const lines = (frame: string) => frame.split('\n').map((line) => line.trimEnd());

function plan(file: string): IngestEvent {
  return {
    type: 'plan',
    file,
    size: SIZE,
    kind: 'movie',
    title: file,
    externalId: `x-${file}`,
    source: 'name',
  };
}

function part(file: string, partNumber: number): IngestEvent {
  return { type: 'part', file, uploadId: `u-${file}`, partNumber, size: PART, loaded: partNumber * PART, total: SIZE };
}

function open(file: string): IngestEvent {
  return {
    type: 'upload-open',
    file,
    uploadId: `u-${file}`,
    assetId: `asset-${file}`,
    partCount: 2,
    partSize: PART,
    resumed: false,
    receivedParts: [],
  };
}

function hashed(file: string, cached = false): IngestEvent {
  return { type: 'hashed', file, size: SIZE, sha256: 'a'.repeat(64), cached };
}

/** A store fed event by event, rendered with a fixed clock so that rate and ETA are exact. */
function harness() {
  const store = new IngestStore(0);
  let now = 0;
  const view = render(<IngestView model={store.snapshot()} now={now} />);
  return {
    view,
    /** Emits the events, advances the clock to `at` ms and returns the new frame. */
    step(at: number, ...events: IngestEvent[]) {
      for (const event of events) store.emit(event);
      now = at;
      view.rerender(<IngestView model={store.snapshot()} now={now} />);
      return plain(view.lastFrame());
    },
  };
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('the live ingest view, event by event', () => {
  it('renders found files, hashing, uploads, transcoding with ETA, outcomes and the summary', () => {
    const { view, step } = harness();
    cleanup = view.unmount;
    const [a, b, c, d] = FILES as [string, string, string, string];

    // Files found: only the overall bar, nothing active yet.
    let frame = step(
      0,
      { type: 'start', files: 4, bytes: 4 * SIZE, apiUrl: 'http://api.test', dryRun: false },
      ...FILES.map(plan),
    );
    expect(frame).toMatch(/0\/4 files ░{24} 0 B \/ 40 MiB · 0 B\/s · ETA -/);
    expect(frame).not.toMatch(/hashing|uploading|transcoding/);

    // Hashing a (half), then b starts hashing while a uploads its first part.
    frame = step(1000, { type: 'hash', file: a, bytes: PART, size: SIZE });
    expect(frame).toMatch(/^ {2}hashing {5}█{8}░{8} {2}50% 5\.0 MiB \/ 10 MiB a\.mp4$/m);

    frame = step(2000, hashed(a), { type: 'hash', file: b, bytes: 2.5 * MiB, size: SIZE }, open(a), part(a, 1));
    expect(frame).toMatch(/^ {2}uploading {3}█{8}░{8} {2}50% 5\.0 MiB \/ 10 MiB a\.mp4$/m);
    expect(frame).toMatch(/^ {2}hashing {5}█{4}░{12} {2}25% 2\.5 MiB \/ 10 MiB Show\.S01E02\.mkv$/m);
    // 5 MiB sent in 2 s: 2.5 MiB/s, 35 MiB left: 14 s.
    expect(frame).toMatch(/0\/4 files █{3}░{21} 5\.0 MiB \/ 40 MiB · 2\.5 MiB\/s · ETA 14s/);
    // One live row per active file, in the order they started, above the overall bar.
    const rows = lines(frame);
    expect(rows.findIndex((line) => line.endsWith('a.mp4'))).toBeLessThan(
      rows.findIndex((line) => line.endsWith('Show.S01E02.mkv')),
    );
    expect(rows.findIndex((line) => line.endsWith('Show.S01E02.mkv'))).toBeLessThan(
      rows.findIndex((line) => line.includes('files')),
    );

    // a finishes uploading and transcodes (with an ETA); b uploads one part and then fails.
    frame = step(
      4000,
      part(a, 2),
      { type: 'uploaded', file: a, assetId: `asset-${a}`, uploadId: `u-${a}`, partsSent: 2, partsSkipped: 0 },
      { type: 'transcode', file: a, assetId: `asset-${a}`, status: 'processing', progress: 62, etaSeconds: 95 },
      hashed(b),
      open(b),
      part(b, 1),
    );
    expect(frame).toMatch(/^ {2}transcoding █{10}░{6} {2}62% processing ETA 1m35s a\.mp4$/m);
    expect(frame).toMatch(/^ {2}uploading {3}█{8}░{8} {2}50% 5\.0 MiB \/ 10 MiB Show\.S01E02\.mkv$/m);
    expect(frame).toMatch(/0\/4 files █{9}░{15} 15 MiB \/ 40 MiB · 3\.8 MiB\/s/);

    frame = step(5000, {
      type: 'file-done',
      file: b,
      outcome: 'failed',
      reason: 'part 2: 503 Service Unavailable',
    });
    expect(frame).toMatch(/^✖ Show\.S01E02\.mkv failed: part 2: 503 Service Unavailable$/m);
    expect(frame).not.toMatch(/(hashing|uploading|transcoding).*Show\.S01E02\.mkv/);
    // The failed file's unsent bytes count as settled.
    expect(frame).toMatch(/1\/4 files .* 20 MiB \/ 40 MiB/);

    // c is already on the server: skipped as duplicate; d starts hashing.
    frame = step(
      6000,
      { type: 'hash', file: c, bytes: SIZE, size: SIZE },
      hashed(c, true),
      { type: 'duplicate', file: c, assetId: 'dup-asset-c-0123', status: 'ready' },
      { type: 'file-done', file: c, outcome: 'duplicate', assetId: 'dup-asset-c-0123', status: 'ready' },
      { type: 'hash', file: d, bytes: 7.5 * MiB, size: SIZE },
    );
    expect(frame).toMatch(/^↺ c\.mov already on the server \(asset dup-asse\)$/m);
    expect(frame).toMatch(/^ {2}hashing {5}█{12}░{4} {2}75% 7\.5 MiB \/ 10 MiB d\.mp4$/m);
    expect(frame).toMatch(/2\/4 files .* 30 MiB \/ 40 MiB/);

    // a is ready; d uploads and is ingested.
    frame = step(
      8000,
      { type: 'transcode', file: a, assetId: `asset-${a}`, status: 'ready', progress: 100, etaSeconds: 0 },
      { type: 'file-done', file: a, outcome: 'ingested', assetId: `asset-${a}`, status: 'ready' },
      hashed(d),
      open(d),
      part(d, 1),
      part(d, 2),
      { type: 'file-done', file: d, outcome: 'ingested', assetId: `asset-${d}`, status: 'uploaded' },
    );
    expect(frame).not.toMatch(/hashing|uploading|transcoding/);
    expect(frame).toMatch(/4\/4 files █{24} 40 MiB \/ 40 MiB · 3\.1 MiB\/s · ETA 0s/);

    // Finished rows stay above, in the order they finished.
    const finished = lines(frame).filter((line) => /^[✔✖↺■] /.test(line));
    expect(finished).toEqual([
      '✖ Show.S01E02.mkv failed: part 2: 503 Service Unavailable',
      '↺ c.mov already on the server (asset dup-asse)',
      '✔ a.mp4 ingested (asset asset-a.)',
      '✔ d.mp4 ingested (asset asset-d.)',
    ]);

    // The summary replaces the overall bar.
    frame = step(9000, {
      type: 'summary',
      files: 4,
      ingested: 2,
      duplicates: 1,
      failed: 1,
      interrupted: 0,
      bytesSent: 25 * MiB,
      seconds: 9,
      failures: [{ file: b, reason: 'part 2: 503 Service Unavailable' }],
      publishFailures: [],
    });
    expect(frame).toContain('Done in 9s: 2 ingested, 1 skipped as duplicate, 1 failed (25 MiB sent)');
    expect(frame).toMatch(/^ {2}✖ Show\.S01E02\.mkv: part 2: 503 Service Unavailable$/m);
    expect(frame).not.toMatch(/files .*ETA/);
    const all = lines(frame);
    expect(all.findIndex((line) => line.startsWith('✔ d.mp4'))).toBeLessThan(
      all.findIndex((line) => line.startsWith('Done in')),
    );
  });

  it('follows the store live, as `aleflix ingest` renders it', async () => {
    const store = new IngestStore(Date.now());
    const { lastFrame, unmount } = render(<LiveIngest store={store} />);
    cleanup = unmount;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

    store.emit({ type: 'start', files: 2, bytes: 2 * SIZE, apiUrl: 'http://api.test', dryRun: false });
    store.emit({ type: 'hash', file: 'a.mp4', bytes: PART, size: SIZE });
    await settle();
    expect(plain(lastFrame())).toMatch(/hashing .* 50% .*a\.mp4/);
    expect(plain(lastFrame())).toMatch(/0\/2 files/);

    store.emit(hashed('a.mp4'));
    store.emit(open('a.mp4'));
    store.emit(part('a.mp4', 1));
    await settle();
    expect(plain(lastFrame())).toMatch(/uploading .* 50% 5\.0 MiB \/ 10 MiB a\.mp4/);

    store.emit({ type: 'transcode', file: 'a.mp4', assetId: 'x', status: 'processing', progress: 10, etaSeconds: 30 });
    store.emit({ type: 'file-done', file: 'b.mkv', outcome: 'duplicate', assetId: 'b0000000' });
    await settle();
    expect(plain(lastFrame())).toMatch(/transcoding .* 10% processing ETA 30s a\.mp4/);
    expect(plain(lastFrame())).toMatch(/↺ b\.mkv already on the server/);
    expect(plain(lastFrame())).toMatch(/1\/2 files/);
  });
});
