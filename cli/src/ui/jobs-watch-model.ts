// `aleflix jobs watch`: the watched jobs, folded from the API's event messages by a pure
// reducer (tested without a terminal or a server), and when the watch is over.
import type { JobEventMessage } from '@aleflix/sdk';

export type WatchedJob = Omit<JobEventMessage, 'v' | 'type' | 'at'>;

export interface JobsWatchModel {
  /** Jobs still going, in the order they appeared. */
  active: WatchedJob[];
  /** Jobs that ended, in the order they ended (append-only: Ink prints them once). */
  finished: WatchedJob[];
  /** Whether the stream is connected (false before the first connection and while reconnecting). */
  live: boolean;
}

/** What the user asked to watch: a job, an asset (its current job), or everything. */
export interface WatchTarget {
  jobId?: string;
  assetId?: string;
}

const FINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);

export function isFinal(status: string): boolean {
  return FINAL.has(status);
}

export function emptyWatch(): JobsWatchModel {
  return { active: [], finished: [], live: false };
}

export function reduceWatch(model: JobsWatchModel, message: JobEventMessage): JobsWatchModel {
  const job = toWatchedJob(message);
  // A job that already ended keeps its end: a late snapshot cannot reopen it.
  if (model.finished.some((item) => item.jobId === job.jobId)) return model;
  const active = model.active.filter((item) => item.jobId !== job.jobId);
  if (isFinal(job.status)) return { ...model, active, finished: [...model.finished, job] };
  const index = model.active.findIndex((item) => item.jobId === job.jobId);
  if (index < 0) return { ...model, active: [...model.active, job] };
  const replaced = [...model.active];
  replaced[index] = job;
  return { ...model, active: replaced };
}

function toWatchedJob(message: JobEventMessage): WatchedJob {
  const { assetId, jobId, attempt, status, progress, speed, etaSeconds, errorCode, errorMessage } = message;
  return { assetId, jobId, attempt, status, progress, speed, etaSeconds, errorCode, errorMessage };
}

export function setLive(model: JobsWatchModel, live: boolean): JobsWatchModel {
  return model.live === live ? model : { ...model, live };
}

/**
 * The job whose end ends the watch, once it has ended: the job asked for, or the asset's
 * latest attempt. Watching everything never ends by itself.
 */
export function endingJob(model: JobsWatchModel, target: WatchTarget): WatchedJob | undefined {
  if (target.jobId) return model.finished.find((job) => job.jobId === target.jobId);
  if (!target.assetId) return undefined;
  const ofAsset = [...model.active, ...model.finished].filter((job) => job.assetId === target.assetId);
  const latest = ofAsset.reduce<WatchedJob | undefined>(
    (best, job) => (!best || job.attempt > best.attempt ? job : best),
    undefined,
  );
  return latest && isFinal(latest.status) ? latest : undefined;
}

/** Holds the model outside React, so no message is lost before the view subscribes. */
export class JobsWatchStore {
  private model = emptyWatch();
  private readonly listeners = new Set<() => void>();

  readonly set = (model: JobsWatchModel): void => {
    this.model = model;
    for (const listener of this.listeners) listener();
  };

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): JobsWatchModel => this.model;
}
