import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { IngestEvent } from '../src/ingest/events.js';
import { IngestView, LiveIngest } from '../src/ui/ingest-view.js';
import { IngestStore, initialModel, reduce, throughput } from '../src/ui/model.js';
import { jsonRenderer, plainRenderer } from '../src/ui/plain.js';

const MiB = 1024 * 1024;
const events: IngestEvent[] = [
  { type: 'start', files: 3, bytes: 30 * MiB, apiUrl: 'http://api.test', dryRun: false },
  { type: 'hash', file: 'a.mp4', bytes: 5 * MiB, size: 10 * MiB },
  { type: 'hashed', file: 'b.mkv', size: 10 * MiB, sha256: 'f'.repeat(64), cached: false },
  {
    type: 'upload-open',
    file: 'b.mkv',
    uploadId: 'u1',
    assetId: 'as1',
    partCount: 2,
    partSize: 5 * MiB,
    resumed: true,
    receivedParts: [1],
  },
  { type: 'hashed', file: 'c.mov', size: 10 * MiB, sha256: 'e'.repeat(64), cached: true },
  { type: 'duplicate', file: 'c.mov', assetId: 'as3', status: 'ready' },
  { type: 'file-done', file: 'c.mov', outcome: 'duplicate', assetId: 'as3aaaaaaaa', status: 'ready' },
  { type: 'transcode', file: 'b.mkv', assetId: 'as1', status: 'processing', progress: 40, etaSeconds: 12 },
  { type: 'warning', message: 'manifest: unknown column "rating" ignored' },
];

describe('the live view model', () => {
  it('folds events into rows, totals, a rate and an ETA', () => {
    const model = events.reduce(reduce, initialModel(0));
    expect(model.active.map((row) => [row.file, row.stage, Math.round(row.fraction * 100)])).toEqual([
      ['a.mp4', 'hash', 50],
      ['b.mkv', 'transcode', 40],
    ]);
    expect(model.finished).toEqual([{ file: 'c.mov', outcome: 'duplicate', assetId: 'as3aaaaaaaa' }]);
    expect(model.bytesDone).toBe(15 * MiB); // b's resumed part + c skipped as duplicate
    const withPart = reduce(model, {
      type: 'part',
      file: 'a.mp4',
      uploadId: 'u2',
      partNumber: 1,
      size: 5 * MiB,
      loaded: 5 * MiB,
      total: 10 * MiB,
    });
    const { rate, etaSeconds } = throughput(withPart, 5000);
    expect(rate).toBe(MiB);
    expect(etaSeconds).toBe(10);
  });
});

describe('the Ink view', () => {
  it('shows finished rows, a live row per active file and the overall bar', () => {
    const model = events.reduce(reduce, initialModel(0));
    const { lastFrame, unmount } = render(<IngestView model={model} now={1000} />);
    const frame = lastFrame() ?? '';
    expect(frame).toMatch(/↺ c\.mov already on the server \(asset as3aaaaa\)/);
    expect(frame).toMatch(/warning|unknown column "rating"/);
    expect(frame).toMatch(/hashing\s+█+░+\s+50%\s+5\.0 MiB \/ 10 MiB a\.mp4/);
    expect(frame).toMatch(/transcoding\s+█+░+\s+40%\s+processing ETA 12s b\.mkv/);
    expect(frame).toMatch(/1\/3 files .* 15 MiB \/ 30 MiB/);
    unmount();
  });

  it('ends with the summary and the reasons of failures', () => {
    const done = [
      ...events,
      { type: 'file-done', file: 'a.mp4', outcome: 'failed', reason: 'manifest line 3: "year" must be a year' },
      { type: 'file-done', file: 'b.mkv', outcome: 'ingested', assetId: 'as1', status: 'ready' },
      {
        type: 'summary',
        files: 3,
        ingested: 1,
        duplicates: 1,
        failed: 1,
        interrupted: 0,
        bytesSent: 5 * MiB,
        seconds: 12.5,
        failures: [{ file: 'a.mp4', reason: 'manifest line 3: "year" must be a year', line: 3 }],
        publishFailures: [],
      },
    ] satisfies IngestEvent[];
    const { lastFrame, unmount } = render(<IngestView model={done.reduce(reduce, initialModel(0))} now={1000} />);
    const frame = lastFrame() ?? '';
    expect(frame).toContain('Done in 13s: 1 ingested, 1 skipped as duplicate, 1 failed (5.0 MiB sent)');
    expect(frame).toContain('✖ a.mp4: manifest line 3: "year" must be a year');
    expect(frame).not.toMatch(/files .* ETA/);
    unmount();
  });

  it('follows a store, including events emitted before it was rendered', async () => {
    const store = new IngestStore(Date.now());
    store.emit(events[0]!);
    const { lastFrame, unmount } = render(<LiveIngest store={store} />);
    store.emit(events[1]!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lastFrame()).toMatch(/0\/3 files/);
    expect(lastFrame()).toMatch(/hashing .* a\.mp4/);
    unmount();
  });
});

describe('plain and JSON output', () => {
  it('writes readable lines, progress in 25% steps', () => {
    const lines: string[] = [];
    const emit = plainRenderer((line) => lines.push(line.trimEnd()));
    for (const event of events) emit(event);
    for (let part = 1; part <= 8; part++) {
      emit({ type: 'part', file: 'a.mp4', uploadId: 'u', partNumber: part, size: 1, loaded: part, total: 8 });
    }
    expect(lines).toEqual([
      'Ingesting 3 file(s), 30 MiB, into http://api.test',
      'hashed    b.mkv sha256:ffffffffffff…',
      'upload    b.mkv resumed: 1/2 parts already on the server',
      'skip      c.mov already on the server (asset as3, ready)',
      'duplicate c.mov (ready)',
      'transcode b.mkv processing 40% ETA 12s',
      'warning: manifest: unknown column "rating" ignored',
      'upload    a.mp4 12% (part 1)',
      'upload    a.mp4 25% (part 2)',
      'upload    a.mp4 50% (part 4)',
      'upload    a.mp4 75% (part 6)',
    ]);
  });

  it('writes one JSON object per line with a time', () => {
    const lines: string[] = [];
    const emit = jsonRenderer(
      (line) => lines.push(line),
      () => new Date('2026-01-02T03:04:05.000Z'),
    );
    emit(events[5]!);
    expect(lines).toEqual([
      '{"type":"duplicate","file":"c.mov","assetId":"as3","status":"ready","time":"2026-01-02T03:04:05.000Z"}\n',
    ]);
  });
});
