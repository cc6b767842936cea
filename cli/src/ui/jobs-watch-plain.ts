// `aleflix jobs watch` for pipes and scripts: one line per change of a job (plain), or every
// message as the API sent it, one JSON object per line (--json).
import type { JobEventMessage } from '@aleflix/sdk';
import { bar, formatDuration, shortId } from '../output/format.js';
import { isFinal, type WatchedJob } from './jobs-watch-model.js';

/** "running   ████████░░… 40% ETA 6s  job 7d1e0a2b (asset 3f2a9c1e, try 1)": status first, for grep. */
export function jobLine(job: WatchedJob): string {
  const eta = isFinal(job.status) ? '' : ` ETA ${formatDuration(job.etaSeconds)}`;
  const error = job.errorMessage ?? job.errorCode;
  return `${job.status.padEnd(9)} ${bar(job.progress / 100)} ${Math.floor(job.progress)}%${eta}${error ? ` — ${error}` : ''}  job ${shortId(job.jobId)} (asset ${shortId(job.assetId)}, try ${job.attempt})`;
}

export function plainWatchPrinter(write: (text: string) => void): (job: WatchedJob) => void {
  const last = new Map<string, string>();
  return (job) => {
    // Whole percents only: a line per change people can read, not per fraction of a percent.
    const key = `${job.status}:${Math.floor(job.progress)}`;
    if (last.get(job.jobId) === key) return;
    last.set(job.jobId, key);
    write(`${jobLine(job)}\n`);
  };
}

export function jsonWatchPrinter(write: (text: string) => void): (message: JobEventMessage) => void {
  return (message) => write(`${JSON.stringify(message)}\n`);
}
