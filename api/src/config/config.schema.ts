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
  ALEFLIX_ADMIN_EMAIL: z.email().default('admin@aleflix.local'),
  ALEFLIX_ADMIN_PASSWORD: z.string().min(12).max(256).optional(),
  JWT_SECRET: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.max(365).default(30),
  BODY_LIMIT_BYTES: positiveInt.max(50 * 1024 * 1024).default(1024 * 1024),
  LOGIN_MAX_PER_IP: positiveInt.default(30),
  LOGIN_MAX_PER_ACCOUNT: positiveInt.default(10),
  LOGIN_WINDOW_SECONDS: positiveInt.default(900),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
});

export type Env = z.infer<typeof envSchema>;
