import { z } from 'zod';
import { isUuid } from '../common/ids.js';
import { JobStatusSchema } from '../media/media.dto.js';

/** Bumped only for a change that breaks clients; adding a `type` or a field is not one. */
export const JOB_EVENT_MESSAGE_VERSION = 1;

export const JOB_EVENT_TYPES = [
  'snapshot',
  'job.started',
  'job.progress',
  'job.ready',
  'job.failed',
  'asset.deleted',
] as const;

/**
 * One WebSocket text frame of `GET /events`: the state of a job after something happened to
 * it. Every message carries the whole state (not a delta), so a client can apply any message
 * on its own, twice, or after a reconnect without replaying history.
 */
export const JobEventMessageSchema = z
  .object({
    v: z.literal(JOB_EVENT_MESSAGE_VERSION).describe('Version of this message shape'),
    type: z
      .enum(JOB_EVENT_TYPES)
      .describe(
        '`snapshot`: the current state, sent right after connecting; `job.*`: a worker event the API has just applied; `asset.deleted`: the asset was deleted, with its latest job as the deletion left it (`cancelled` if it was queued or running), and nothing more follows about it. Ignore types you do not know.',
      ),
    assetId: z.uuid(),
    jobId: z.uuid(),
    attempt: z.int().min(1).describe('Transcoding attempt of the asset (a retranscode starts a new one)'),
    status: JobStatusSchema,
    progress: z.number().min(0).max(100).describe('Percent, 0..100'),
    speed: z.number().nullable().describe('Realtime factor reported by ffmpeg'),
    etaSeconds: z.number().nullable(),
    errorCode: z.string().nullable().describe('Stable code of a failed job, e.g. `media_unreadable`'),
    errorMessage: z.string().nullable(),
    at: z.iso
      .datetime()
      .describe(
        'When the worker reported it (for a snapshot: when the job last changed; for `asset.deleted`: when the asset was deleted)',
      ),
  })
  .meta({ id: 'JobEventMessage' });
export type JobEventMessage = z.infer<typeof JobEventMessageSchema>;
export type JobEventType = JobEventMessage['type'];

export const JobEventSnapshotSchema = z
  .object({ items: z.array(JobEventMessageSchema) })
  .meta({ id: 'JobEventSnapshot' });

// Ids are stored in lower case; compare them that way.
const uuidParam = z
  .string()
  .refine(isUuid, 'must be a UUID')
  .transform((value) => value.toLowerCase())
  .meta({ format: 'uuid' });

/** What a subscriber wants to hear about; no filter means every job. */
export const EventsQuerySchema = z.object({
  assetId: uuidParam.optional().describe('Only events of this asset'),
  jobId: uuidParam.optional().describe('Only events of this job'),
  access_token: z
    .string()
    .max(4096)
    .optional()
    .describe(
      'WebSocket upgrades only, for browsers (they cannot set headers on a WebSocket): a short-lived access token. Never an API key: URLs end up in logs and histories. Node clients send the usual headers.',
    ),
});
export type EventsQuery = z.infer<typeof EventsQuerySchema>;
export type EventsFilter = Pick<EventsQuery, 'assetId' | 'jobId'>;

/** Whether a subscriber with `filter` gets `message`. */
export function matchesFilter(filter: EventsFilter, message: JobEventMessage): boolean {
  return (!filter.assetId || filter.assetId === message.assetId) && (!filter.jobId || filter.jobId === message.jobId);
}
