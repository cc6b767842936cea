import { z } from 'zod';
import { pageCursor, pageLimit } from '../common/paging.js';
import { name } from '../common/zod-text.js';
import { ASSET_STATUSES } from './asset.entity.js';
import { JOB_STATUSES } from './job.entity.js';

export const MAX_UPLOAD_PARTS = 10_000;
const Sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a hex SHA-256 digest')
  .transform((value) => value.toLowerCase());

export const AssetStatusSchema = z.enum(ASSET_STATUSES).meta({ id: 'AssetStatus' });
export const JobStatusSchema = z.enum(JOB_STATUSES).meta({ id: 'JobStatus' });

export const AttachmentSchema = z
  .strictObject({
    titleId: z.uuid(),
    season: z.int().min(0).max(10_000).optional().describe('With episode: attach to that episode of a series'),
    episode: z.int().min(0).max(10_000).optional(),
  })
  .refine((value) => (value.season === undefined) === (value.episode === undefined), {
    message: 'season and episode go together',
  })
  .meta({ id: 'Attachment' });
export type Attachment = z.infer<typeof AttachmentSchema>;

export const CreateUploadSchema = z
  .strictObject({
    filename: name(500),
    size: z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Bytes'),
    contentType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'a media type such as video/mp4')
      .max(200)
      .default('application/octet-stream'),
    sha256: Sha256Hex.optional().describe('When given and an asset with this content exists, it is returned instead'),
    attachTo: AttachmentSchema.optional(),
  })
  .meta({ id: 'CreateUpload' });
export type CreateUpload = z.infer<typeof CreateUploadSchema>;

export const UploadPartSchema = z
  .object({ partNumber: z.int(), size: z.int(), etag: z.string() })
  .meta({ id: 'UploadPart' });

export const UploadSchema = z
  .object({
    id: z.uuid(),
    assetId: z.uuid(),
    status: z.enum(['open', 'completed', 'aborted', 'expired']),
    size: z.int(),
    partSize: z.int(),
    partCount: z.int(),
    expiresAt: z.iso.datetime(),
    /** Where to PUT each part: the API (local storage) or presigned S3 URLs. */
    partUrlTemplate: z
      .string()
      .nullable()
      .describe('API path with {partNumber}, when parts go through the API (local storage)'),
    presignedPartUrls: z
      .array(z.object({ partNumber: z.int(), url: z.string() }))
      .nullable()
      .describe('Direct S3 URLs for each missing part, when the storage supports it'),
    receivedParts: z.array(UploadPartSchema),
  })
  .meta({ id: 'Upload' });
export type UploadView = z.infer<typeof UploadSchema>;

export const RenditionViewSchema = z
  .object({
    name: z.string(),
    width: z.int(),
    height: z.int(),
    bandwidth: z.int(),
    codecs: z.string(),
  })
  .meta({ id: 'Rendition' });

export const JobSchema = z
  .object({
    id: z.uuid(),
    assetId: z.uuid(),
    attempt: z.int(),
    status: JobStatusSchema,
    progress: z.number().describe('Percent, 0..100'),
    speed: z.number().nullable().describe('Realtime factor'),
    etaSeconds: z.number().nullable(),
    workerId: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Job' });
export type JobView = z.infer<typeof JobSchema>;

export const AssetSchema = z
  .object({
    id: z.uuid(),
    status: AssetStatusSchema,
    originalFilename: z.string(),
    contentType: z.string(),
    size: z.int(),
    sha256: z.string().nullable(),
    titleId: z.uuid().nullable(),
    episodeId: z.uuid().nullable(),
    durationSeconds: z.number().nullable(),
    width: z.int().nullable(),
    height: z.int().nullable(),
    videoCodec: z.string().nullable(),
    audioCodec: z.string().nullable(),
    renditions: z.array(RenditionViewSchema),
    hasPoster: z.boolean(),
    hasThumbnails: z.boolean(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    job: JobSchema.nullable().describe('The latest transcoding job'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Asset' });
export type AssetView = z.infer<typeof AssetSchema>;

export const CreateUploadResultSchema = z
  .object({
    duplicate: z.boolean().describe('True when an asset with the same sha256 exists; no upload was opened'),
    asset: AssetSchema,
    upload: UploadSchema.nullable(),
  })
  .meta({ id: 'CreateUploadResult' });

export const CompleteUploadResultSchema = z.object({ asset: AssetSchema }).meta({ id: 'CompleteUploadResult' });

export const ListAssetsQuerySchema = z.object({
  status: AssetStatusSchema.optional(),
  titleId: z.uuid().optional(),
  limit: pageLimit(20),
  cursor: pageCursor,
});
export type ListAssetsQuery = z.infer<typeof ListAssetsQuerySchema>;

export const AssetListSchema = z
  .object({ items: z.array(AssetSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AssetList' });

export const ListJobsQuerySchema = z.object({
  assetId: z.uuid().optional(),
  status: JobStatusSchema.optional(),
  limit: pageLimit(20),
  cursor: pageCursor,
});
export type ListJobsQuery = z.infer<typeof ListJobsQuerySchema>;

export const JobListSchema = z
  .object({ items: z.array(JobSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'JobList' });

export const PlaybackSchema = z
  .object({
    assetId: z.uuid(),
    status: AssetStatusSchema.describe('Only `ready` assets have URLs; otherwise this is a 202 with the progress'),
    progress: z.number().nullable().describe('Percent of the running transcode, while not ready'),
    url: z.string().nullable().describe('Signed, expiring URL of the HLS master playlist'),
    expiresAt: z.iso.datetime().nullable(),
    posterUrl: z.string().nullable(),
    thumbnailsUrl: z.string().nullable().describe('WebVTT of sprite tiles for seek previews'),
    durationSeconds: z.number().nullable(),
    renditions: z.array(RenditionViewSchema),
  })
  .meta({ id: 'Playback' });
export type PlaybackView = z.infer<typeof PlaybackSchema>;

export const DeadLetterSchema = z
  .object({
    id: z.string(),
    queue: z.enum(['jobs', 'events']),
    receiveCount: z.int(),
    sentAt: z.iso.datetime(),
    reason: z.string().nullable().describe('Why it was dead-lettered, when the queue keeps it'),
    jobId: z.string().nullable(),
    assetId: z.string().nullable(),
    body: z.string().describe('The raw message (first 2,000 characters)'),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetterView = z.infer<typeof DeadLetterSchema>;

export const DeadLetterListSchema = z.object({ items: z.array(DeadLetterSchema) }).meta({ id: 'DeadLetterList' });
