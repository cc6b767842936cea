import {
  createObjectStorageFromUrl,
  createSqsClient,
  parseStorageUrl,
  SqsMessageQueue,
  type MessageQueue,
  type ObjectStorage,
  type TranscodeOptions,
} from '@aleflix/core';
import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS } from './observability/logger.js';

const positiveInt = z.coerce.number().int().positive();
/** `VAR=` (empty) means unset for the optional observability settings, as in the API. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

/** STORAGE_URL must parse the way the adapters will read it, so a bad one stops startup by name. */
const storageUrl = z
  .string()
  .regex(/^(s3:\/\/|file:\/\/\/)/, 'must be s3://bucket[/prefix] or file:///absolute/path')
  .superRefine((value, ctx) => {
    try {
      parseStorageUrl(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  });

/** Environment of a standalone worker (Lambda or `aleflix-worker`). */
export const workerEnvSchema = z.object({
  STORAGE_URL: storageUrl,
  SQS_JOBS_QUEUE_URL: z.url(),
  SQS_EVENTS_QUEUE_URL: z.url(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.url().optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  WORKER_CONCURRENCY: positiveInt.max(16).default(1),
  JOB_MAX_ATTEMPTS: positiveInt.max(20).default(3),
  VISIBILITY_TIMEOUT_SECONDS: positiveInt.min(10).max(43_200).default(120),
  SHUTDOWN_GRACE_MS: positiveInt.default(30_000),
  WORKER_ID: z.string().min(1).optional(),
  // The same limits, with the same defaults, as the API's embedded worker.
  MEDIA_MAX_DURATION_SECONDS: positiveInt.default(6 * 3600),
  MEDIA_MAX_WIDTH: positiveInt.default(7680),
  MEDIA_MAX_HEIGHT: positiveInt.default(4320),
  // Observability
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** JSON unless asked: worker logs go to CloudWatch or a log shipper. */
  LOG_FORMAT: z.enum(LOG_FORMATS).default('json'),
  /** Port of `GET /metrics` (Prometheus) of `aleflix-worker`; no server when unset. 0 picks a free port. */
  WORKER_METRICS_PORT: unsetIfEmpty(z.coerce.number().int().min(0).max(65535).optional()),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Read by the OpenTelemetry SDK itself; validated here so a typo stops startup by name. */
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetIfEmpty(z.url().optional()),
  OTEL_EXPORTER_OTLP_PROTOCOL: unsetIfEmpty(z.enum(['http/protobuf', 'http/json']).optional()),
});
export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

/** Reads and validates the environment; a bad value throws one line naming the variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const result = workerEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new WorkerConfigError(
    `Invalid configuration: ${String(issue?.path[0] ?? 'environment')}: ${(issue?.message ?? 'invalid').replace(/\s+/g, ' ')}`,
  );
}

export function createWorkerAdapters(config: WorkerConfig): {
  storage: ObjectStorage;
  jobs: MessageQueue;
  events: MessageQueue;
} {
  const aws = { region: config.AWS_REGION, ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}) };
  const storage = createObjectStorageFromUrl(config.STORAGE_URL, {
    ...aws,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
  const sqs = createSqsClient(aws);
  return {
    storage,
    // Poison jobs are parked in the jobs queue's DLQ (found from its redrive policy) with
    // their reason, as GET /jobs/dead-letters shows them.
    jobs: new SqsMessageQueue({
      name: 'transcode-jobs',
      queueUrl: config.SQS_JOBS_QUEUE_URL,
      client: sqs,
      findDeadLetterQueue: true,
    }),
    events: new SqsMessageQueue({ name: 'transcode-events', queueUrl: config.SQS_EVENTS_QUEUE_URL, client: sqs }),
  };
}

/** The transcode options a standalone worker's environment asks for. */
export function transcodeOptionsFrom(config: WorkerConfig): TranscodeOptions {
  return {
    limits: {
      maxDurationSeconds: config.MEDIA_MAX_DURATION_SECONDS,
      maxWidth: config.MEDIA_MAX_WIDTH,
      maxHeight: config.MEDIA_MAX_HEIGHT,
    },
  };
}
