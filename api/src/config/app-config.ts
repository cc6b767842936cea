import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envSchema, type Env } from './config.schema.js';

/** Thrown when the environment is invalid; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize: number }
  | { kind: 'pglite'; dataDir: string | undefined };

/**
 * Typed, validated configuration, read once from the environment. Injected by class so
 * that every consumer states its dependency on configuration explicitly.
 */
export class AppConfig {
  readonly env: Env;
  readonly home: string;
  readonly database: DatabaseConfig;
  readonly jwtSecret: Uint8Array;

  constructor(env: Env, overrides: { database?: DatabaseConfig; jwtSecret?: Uint8Array } = {}) {
    this.env = Object.freeze({ ...env });
    this.home = resolve(env.ALEFLIX_HOME);
    this.database =
      overrides.database ??
      (env.DATABASE_URL
        ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
        : { kind: 'pglite', dataDir: join(this.home, 'db') });
    this.jwtSecret = overrides.jwtSecret ?? resolveJwtSecret(env, this.home);
  }
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  const raw = source[variable];
  const shown = raw === undefined ? '' : ` (got ${JSON.stringify(secretLike(variable) ? '***' : raw)})`;
  throw new ConfigError(`Invalid configuration: ${variable}: ${issue?.message ?? 'invalid'}${shown}`);
}

let cached: AppConfig | undefined;

/** Reads and validates process.env once; later calls return the same instance. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  cached ??= new AppConfig(parseEnv(source));
  return cached;
}

function secretLike(variable: string): boolean {
  return /SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL/.test(variable);
}

/**
 * Without JWT_SECRET a random secret is kept in ALEFLIX_HOME so sessions survive restarts
 * on a laptop; production sets JWT_SECRET explicitly (validated to be at least 32 chars).
 */
function resolveJwtSecret(env: Env, home: string): Uint8Array {
  if (env.JWT_SECRET) return new TextEncoder().encode(env.JWT_SECRET);
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
  }
  const file = join(home, 'jwt-secret');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch {
    mkdirSync(home, { recursive: true });
    const secret = randomBytes(48);
    writeFileSync(file, secret.toString('base64url'), { mode: 0o600 });
    return secret;
  }
}

