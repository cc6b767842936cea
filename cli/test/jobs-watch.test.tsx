// `aleflix jobs watch` without a server: the reducer over event messages, when the watch ends,
// the plain lines, and the Ink frame.
import type { JobEventMessage } from '@aleflix/sdk';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { emptyWatch, endingJob, reduceWatch, setLive, type JobsWatchModel } from '../src/ui/jobs-watch-model.js';
import { jobLine, plainWatchPrinter } from '../src/ui/jobs-watch-plain.js';
import { JobsWatchView } from '../src/ui/jobs-watch-view.js';

const ASSET = '3f2a9c1e-0000-4000-8000-000000000001';
const OTHER_ASSET = '9b9b9b9b-0000-4000-8000-000000000002';
const JOB_1 = '7d1e0a2b-0000-4000-8000-000000000001';
const JOB_2 = '8e2f1b3c-0000-4000-8000-000000000002';

function message(fields: Partial<JobEventMessage>): JobEventMessage {
  return {
    v: 1,
    type: 'job.progress',
    assetId: ASSET,
    jobId: JOB_1,
    attempt: 1,
    status: 'running',
    progress: 0,
    speed: null,
    etaSeconds: null,
    errorCode: null,
    errorMessage: null,
    at: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

const fold = (...messages: JobEventMessage[]): JobsWatchModel => messages.reduce(reduceWatch, emptyWatch());
// eslint-disable-next-line no-control-regex -- ANSI escapes, if a colour level is ever forced
const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');

describe('the jobs watch model', () => {
  it('keeps one row per job, moves a job to finished when it ends, and never reopens it', () => {
    const model = fold(
      message({ type: 'snapshot', status: 'queued' }),
      message({ type: 'job.started' }),
      message({ progress: 40, etaSeconds: 6 }),
      message({ type: 'job.ready', status: 'succeeded', progress: 100 }),
      message({ type: 'snapshot', status: 'running', progress: 10 }),
    );
    expect(model.active).toEqual([]);
    expect(model.finished.map((job) => [job.jobId, job.status, job.progress])).toEqual([[JOB_1, 'succeeded', 100]]);
  });

  it('ends a job watch when that job ends, with its status', () => {
    const running = fold(message({ jobId: JOB_2, progress: 50 }), message({ progress: 20 }));
    expect(endingJob(running, { jobId: JOB_1 })).toBeUndefined();
    const failed = reduceWatch(
      running,
      message({ type: 'job.failed', status: 'failed', errorCode: 'media_unreadable' }),
    );
    expect(endingJob(failed, { jobId: JOB_1 })).toMatchObject({ status: 'failed', errorCode: 'media_unreadable' });
  });

  it("ends an asset watch when the asset's latest attempt ends, not an older one", () => {
    const model = fold(
      message({ type: 'snapshot', jobId: JOB_2, attempt: 2, status: 'queued' }),
      message({ type: 'snapshot', attempt: 1, status: 'succeeded', progress: 100 }),
    );
    expect(endingJob(model, { assetId: ASSET })).toBeUndefined();
    const done = reduceWatch(model, message({ type: 'job.ready', jobId: JOB_2, attempt: 2, status: 'succeeded' }));
    expect(endingJob(done, { assetId: ASSET })).toMatchObject({ jobId: JOB_2, attempt: 2 });
    expect(endingJob(done, { assetId: OTHER_ASSET })).toBeUndefined();
  });

  it('never ends a watch of every job by itself', () => {
    const model = fold(message({ type: 'job.ready', status: 'succeeded', progress: 100 }));
    expect(endingJob(model, {})).toBeUndefined();
  });
});

describe('plain lines', () => {
  it('start with the status and print each whole-percent change once', () => {
    const lines: string[] = [];
    const print = plainWatchPrinter((text) => lines.push(text));
    const model = fold(message({ progress: 40.2, etaSeconds: 6 }));
    print(model.active[0]!);
    print(fold(message({ progress: 40.7, etaSeconds: 5 })).active[0]!);
    print(fold(message({ type: 'job.ready', status: 'succeeded', progress: 100 })).finished[0]!);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^running +[█░]{20} 40% ETA 6s {2}job 7d1e0a2b \(asset 3f2a9c1e, try 1\)\n$/);
    expect(lines[1]).toMatch(/^succeeded [█]{20} 100% {2}job 7d1e0a2b/);
    expect(jobLine(fold(message({ type: 'job.failed', status: 'failed', errorMessage: 'boom' })).finished[0]!)).toMatch(
      /^failed .* 0% — boom {2}job/,
    );
  });
});

describe('the Ink view', () => {
  it('shows finished jobs above, live rows below and whether it is connected', () => {
    const model = setLive(
      fold(
        message({ jobId: JOB_2, type: 'job.ready', status: 'succeeded', progress: 100 }),
        message({ progress: 40, etaSeconds: 65 }),
      ),
      true,
    );
    const { lastFrame, unmount } = render(<JobsWatchView model={model} watching="every job" />);
    const lines = plain(lastFrame()).split('\n');
    expect(lines[0]).toMatch(/^succeeded .* 100% job 8e2f1b3c asset 3f2a9c1e try 1$/);
    expect(lines[1]).toMatch(/^running .* 40% ETA 1m05s job 7d1e0a2b asset 3f2a9c1e try 1$/);
    expect(lines[2]).toBe('● live · watching every job · Ctrl-C to stop');
    unmount();
  });
});
