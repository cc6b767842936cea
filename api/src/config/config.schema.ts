import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * Every environment variable the API reads. The README's configuration table mirrors this
 * schema; `describe()` texts are the single place where a variable's meaning is written.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface the API listens on'),
  PORT: port.default(3000).describe('HTTP port of the API'),
  ALEFLIX_HOME: z.string().min(1).default('./.aleflix').describe('Folder for embedded data'),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .optional()
    .describe('PostgreSQL URL; PGlite under ALEFLIX_HOME when unset'),
  DATABASE_POOL_SIZE: positiveInt.max(100).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt
    .max(120_000)
    .default(5_000)
    .describe('Longest wait for a new PostgreSQL connection, or for a free one from the pool'),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(30_000)
    .describe(
      'Longest an API statement may run on PostgreSQL (statement_timeout; migrations exempt); the client stops waiting 5 s later; 0 = off',
    ),
  ALEFLIX_ADMIN_EMAIL: z.email().default('admin@aleflix.local'),
  ALEFLIX_ADMIN_PASSWORD: z.string().min(12).max(256).optional(),
  JWT_SECRET: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(86_400).default(900),
  AUTH_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(5_000)
    .describe('How long an API process may reuse a session lookup; 0 turns the cache off'),
  EVENTS_RECHECK_SECONDS: positiveInt
    .max(3_600)
    .default(30)
    .describe(
      'How often the credentials of every open GET /events WebSocket are checked again (catches expiry; revocations close sockets at once)',
    ),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.max(365).default(30),
  BODY_LIMIT_BYTES: positiveInt.max(50 * 1024 * 1024).default(1024 * 1024),
  LOGIN_MAX_PER_IP: positiveInt.default(30),
  LOGIN_MAX_PER_ACCOUNT: positiveInt.default(10),
  LOGIN_WINDOW_SECONDS: positiveInt.default(900),
  TRUST_PROXY: bool.default(false),
  CORS_ORIGINS: z
    .string()
    .regex(
      /^\s*(https?:\/\/[^\s,/]+\s*)(,\s*https?:\/\/[^\s,/]+\s*)*$/,
      'must be a comma-separated list of origins such as https://app.example.com',
    )
    .optional()
    .describe('Browser origins allowed to call the API (CORS); none when unset'),
  REQUEST_TIMEOUT_MS: positiveInt
    .max(3_600_000)
    .default(600_000)
    .describe('Longest a request (body included) may take before the connection is closed'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),

  // Redis: the cache, rate limits and live events shared by several API instances
  REDIS_URL: z
    .url({ protocol: /^rediss?$/ })
    .optional()
    .describe('Redis for the cache, rate limits and pub/sub between API instances; in-process when unset'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{0,64}$/, 'must be up to 64 letters, digits, _ : . or -')
    .default('aleflix:')
    .describe('Prefix of every Redis key and channel, so several deployments can share one Redis'),
  CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(30)
    .describe('Longest life of a cached catalog page or playback lookup (writes invalidate sooner); 0 = off'),
  CACHE_NEAR_ENTRIES: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(1000)
    .describe('With Redis: hot cache entries also kept in each API process, kept in step by Redis pub/sub; 0 = none'),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .default(1200)
    .describe('Requests per minute per user (all of its tokens) or per API key; 0 = unlimited'),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .default(3000)
    .describe('Requests per minute per client IP (health and metrics exempt); 0 = unlimited'),

  // Media pipeline
  PUBLIC_URL: z.url().optional().describe('Base URL for links the API hands out; from the request when unset'),
  STORAGE_URL: z
    .string()
    .regex(/^(s3:\/\/[a-z0-9.-]{3,63}(\/.*)?|file:\/\/\/.+)$/, 'must be s3://bucket[/prefix] or file:///absolute/path')
    .optional()
    .describe('Where media is stored; local files under ALEFLIX_HOME/media when unset'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.url().optional().describe('Custom S3/SQS endpoint (S3-compatible stores, emulators)'),
  S3_FORCE_PATH_STYLE: bool.default(false),
  SQS_JOBS_QUEUE_URL: z.url().optional().describe('SQS queue of transcode jobs; the database queue when unset'),
  SQS_EVENTS_QUEUE_URL: z.url().optional().describe('SQS queue of job events flowing back to the API'),
  EMBEDDED_WORKER: bool
    .optional()
    .describe('Run a transcoding worker inside the API; default: on with the database queue'),
  BACKGROUND_TASKS: bool.default(true).describe('Run the job-event consumer, the sweeper and the embedded worker here'),
  WORKER_CONCURRENCY: positiveInt.max(16).default(1),
  JOB_MAX_ATTEMPTS: positiveInt.max(20).default(3),
  UPLOAD_PART_SIZE_BYTES: positiveInt
    .min(5 * 1024 * 1024)
    .max(512 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  UPLOAD_MAX_BYTES: positiveInt.default(100 * 1024 ** 3),
  UPLOAD_EXPIRY_HOURS: positiveInt.max(24 * 30).default(24),
  PLAYBACK_URL_TTL_SECONDS: positiveInt.max(7 * 86_400).default(6 * 3600),
  MEDIA_MAX_DURATION_SECONDS: positiveInt.default(6 * 3600),
  MEDIA_MAX_WIDTH: positiveInt.default(7680),
  MEDIA_MAX_HEIGHT: positiveInt.default(4320),

  // Observability
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .describe('Log lines as JSON, or one readable line each; default: pretty on a terminal, JSON otherwise'),
  METRICS_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('Bearer token GET /metrics requires; /metrics is open when unset'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe('OTLP/HTTP receiver (collector, Jaeger) for traces; no tracing at all when unset'),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('aleflix-api'),
});

export type Env = z.infer<typeof envSchema>;
