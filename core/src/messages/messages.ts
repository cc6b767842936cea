import { z } from 'zod';

/**
 * Messages between the API and the workers. Versioned: a consumer validates every body
 * on receipt and rejects (dead-letters) what it does not understand rather than guessing.
 * The W3C `traceparent` travels in the queue message attributes, not in the body.
 */
export const RENDITION_NAMES = ['1080p', '720p', '480p', '360p', '240p'] as const;
export type RenditionName = (typeof RENDITION_NAMES)[number];

export const TranscodeJobSchema = z.object({
  type: z.literal('transcode'),
  version: z.literal(1),
  jobId: z.uuid(),
  assetId: z.uuid(),
  /** 1 for the first attempt; a retry (re-transcode, or after a failure) increments it. */
  attempt: z.int().min(1),
  /** Storage key of the uploaded source. */
  sourceKey: z.string().min(1),
  /** Where this attempt writes; promoted (pointed to by the asset) only on success. */
  outputPrefix: z.string().min(1).endsWith('/'),
});
export type TranscodeJob = z.infer<typeof TranscodeJobSchema>;

export const JobMessageSchema = z.discriminatedUnion('type', [TranscodeJobSchema]);
export type JobMessage = z.infer<typeof JobMessageSchema>;

const eventBase = {
  version: z.literal(1),
  jobId: z.uuid(),
  assetId: z.uuid(),
  attempt: z.int().min(1),
  workerId: z.string().min(1),
  at: z.iso.datetime(),
};

export const RenditionSchema = z.object({
  name: z.enum(RENDITION_NAMES),
  width: z.int().positive(),
  height: z.int().positive(),
  bandwidth: z.int().positive(),
  codecs: z.string(),
  playlist: z.string().describe('Key relative to the output prefix'),
});
export type Rendition = z.infer<typeof RenditionSchema>;

export const MediaInfoSchema = z.object({
  durationSeconds: z.number().nonnegative(),
  width: z.int().positive(),
  height: z.int().positive(),
  videoCodec: z.string(),
  audioCodec: z.string().nullable(),
  frameRate: z.number().positive(),
  rotation: z.int(),
  bitDepth: z.int().positive(),
  audioChannels: z.int().nonnegative(),
});
export type MediaInfo = z.infer<typeof MediaInfoSchema>;

export const JobStartedEventSchema = z.object({ type: z.literal('started'), ...eventBase });
export const JobProgressEventSchema = z.object({
  type: z.literal('progress'),
  ...eventBase,
  percent: z.number().min(0).max(100),
  speed: z.number().nonnegative().nullable().describe('Realtime factor reported by ffmpeg'),
  etaSeconds: z.number().nonnegative().nullable(),
});
export const JobReadyEventSchema = z.object({
  type: z.literal('ready'),
  ...eventBase,
  outputPrefix: z.string().endsWith('/'),
  masterPlaylist: z.string().describe('Key relative to the output prefix, written last'),
  poster: z.string().nullable(),
  thumbnails: z.object({ sprite: z.string(), vtt: z.string() }).nullable(),
  media: MediaInfoSchema,
  renditions: z.array(RenditionSchema).min(1),
  encodeSeconds: z.number().nonnegative(),
});
export const JobFailedEventSchema = z.object({
  type: z.literal('failed'),
  ...eventBase,
  /** Stable code, e.g. `media_no_video_stream`; see MEDIA_ERROR_CODES. */
  code: z.string(),
  message: z.string(),
  /** False when retrying cannot help (the source is bad). */
  retryable: z.boolean(),
});

export const JobEventSchema = z.discriminatedUnion('type', [
  JobStartedEventSchema,
  JobProgressEventSchema,
  JobReadyEventSchema,
  JobFailedEventSchema,
]);
export type JobEvent = z.infer<typeof JobEventSchema>;
export type JobReadyEvent = z.infer<typeof JobReadyEventSchema>;
export type JobFailedEvent = z.infer<typeof JobFailedEventSchema>;
export type JobProgressEvent = z.infer<typeof JobProgressEventSchema>;

/** Stable error codes for media the pipeline cannot use. */
export const MEDIA_ERROR_CODES = {
  media_unreadable: 'The file could not be read or is not media at all',
  media_no_video_stream: 'The file has no video stream',
  media_zero_duration: 'The video has no duration',
  media_too_long: 'The video is longer than the configured limit',
  media_too_large: 'The video resolution is above the configured limit',
  media_source_missing: 'The uploaded source object is missing',
  transcode_failed: 'ffmpeg failed while encoding',
  transcode_crashed: 'ffmpeg crashed while encoding (killed by a signal, such as a segfault or running out of memory)',
  transcode_cancelled: 'The job was cancelled (asset deleted)',
  transcode_timeout: 'Encoding took longer than allowed',
} as const;
export type MediaErrorCode = keyof typeof MEDIA_ERROR_CODES;
