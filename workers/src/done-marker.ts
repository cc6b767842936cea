import { buffer } from 'node:stream/consumers';
import {
  JobReadyEventSchema,
  ObjectNotFoundError,
  type MediaLogger,
  type ObjectStorage,
  type TranscodeJob,
} from '@aleflix/core';
import type { EventBody } from './events.js';

/** The name, under a job's output prefix, of the marker a finished attempt leaves. */
export const DONE_MARKER = 'done.json';

export type ReadyBody = EventBody<'ready'>;

export function doneMarkerKey(job: TranscodeJob): string {
  return job.outputPrefix + DONE_MARKER;
}

/** Records a finished attempt: written after every output (master last) is stored. */
export async function writeDoneMarker(storage: ObjectStorage, job: TranscodeJob, ready: ReadyBody): Promise<void> {
  await storage.put(doneMarkerKey(job), JSON.stringify(ready), { contentType: 'application/json' });
}

/**
 * The ready body of a finished attempt, or undefined when the attempt has not finished.
 * Only "no such object" means unfinished: any other storage error is thrown, because
 * guessing "unfinished" on a flaky read would encode the job a second time. A marker that
 * does not parse is treated as absent (and overwritten by the next success).
 */
export async function readDoneMarker(
  storage: ObjectStorage,
  job: TranscodeJob,
  logger: MediaLogger,
): Promise<ReadyBody | undefined> {
  let text: string;
  try {
    text = (await buffer(await storage.get(doneMarkerKey(job)))).toString('utf8');
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = JobReadyEventSchema.safeParse({
    ...(typeof body === 'object' && body !== null ? body : {}),
    type: 'ready',
    version: 1,
    jobId: job.jobId,
    assetId: job.assetId,
    attempt: job.attempt,
    workerId: 'marker',
    at: new Date().toISOString(),
  });
  if (!parsed.success) {
    logger.warn('ignoring an unreadable done marker', { jobId: job.jobId, key: doneMarkerKey(job) });
    return undefined;
  }
  const {
    type: _type,
    version: _version,
    jobId: _jobId,
    assetId: _assetId,
    attempt: _attempt,
    workerId: _workerId,
    at: _at,
    ...ready
  } = parsed.data;
  return ready;
}
