import type { JobEvent } from '@aleflix/core';
import type { JobEntity } from '../media/job.entity.js';
import { JOB_EVENT_MESSAGE_VERSION, type JobEventMessage } from './events.dto.js';

/**
 * The message pushed once `event` has been applied to `job` (the row as read before the
 * change): the job's state after the event, as the database now has it.
 */
export function toJobEventMessage(event: JobEvent, job: JobEntity): JobEventMessage {
  const base = {
    v: JOB_EVENT_MESSAGE_VERSION,
    assetId: event.assetId,
    jobId: event.jobId,
    attempt: event.attempt,
    speed: null,
    etaSeconds: null,
    errorCode: null,
    errorMessage: null,
    at: event.at,
  } as const;
  switch (event.type) {
    case 'started':
      return { ...base, type: 'job.started', status: 'running', progress: 0 };
    case 'progress':
      return {
        ...base,
        type: 'job.progress',
        status: 'running',
        progress: event.percent,
        speed: event.speed,
        etaSeconds: event.etaSeconds,
      };
    case 'ready':
      return { ...base, type: 'job.ready', status: 'succeeded', progress: 100, etaSeconds: 0 };
    case 'failed':
      // The same truncation the database applies, so the message and a later read agree.
      return {
        ...base,
        type: 'job.failed',
        status: 'failed',
        progress: job.progress,
        errorCode: event.code,
        errorMessage: event.message.slice(0, 2000),
      };
  }
}

/** The current state of a job, sent first to a new subscriber. */
export function toSnapshotMessage(job: JobEntity): JobEventMessage {
  return {
    v: JOB_EVENT_MESSAGE_VERSION,
    type: 'snapshot',
    assetId: job.assetId,
    jobId: job.id,
    attempt: job.attempt,
    status: job.status,
    progress: job.progress,
    speed: job.speed,
    etaSeconds: job.etaSeconds,
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    at: job.updatedAt.toISOString(),
  };
}

/**
 * Sent once an asset has been deleted: its latest job as the deletion left it (cancelled if it
 * was still queued or running), so a client following the asset or the job learns it is over.
 */
export function toAssetDeletedMessage(job: JobEntity, deletedAt: Date): JobEventMessage {
  return { ...toSnapshotMessage(job), type: 'asset.deleted', at: deletedAt.toISOString() };
}
