import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envSchema, type Env } from './config.schema.js';

/** Thrown when the environment is invalid; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type DatabaseConfig =
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      /** DATABASE_CONNECT_TIMEOUT_MS; the factory's default when absent. */
      connectTimeoutMs?: number;
      /** DATABASE_QUERY_TIMEOUT_MS (0 = off); the factory's default when absent. */
      queryTimeoutMs?: number;
    }
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
        ? {
            kind: 'postgres',
            url: env.DATABASE_URL,
            poolSize: env.DATABASE_POOL_SIZE,
            connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
            queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
          }
        : { kind: 'pglite', dataDir: join(this.home, 'db') });
    this.jwtSecret = overrides.jwtSecret ?? resolveJwtSecret(env, this.home);
  }
}

/**
 * Validates the environment. A variable set to the empty string counts as unset (as
 * `PORT=` in a compose file or a shell means "no value"), so it takes its default instead
 * of, say, PORT becoming 0. The first problem is thrown as a one-line ConfigError naming
 * the variable; values of secret-like variables are never shown.
 */
export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  const raw = present[variable];
  // zod's messages do not quote the input, so masking what is shown here is enough.
  const shown = raw === undefined ? '' : ` (got ${secretLike(variable) ? '***' : JSON.stringify(truncate(raw))})`;
  throw new ConfigError(oneLine(`Invalid configuration: ${variable}: ${issue?.message ?? 'invalid'}${shown}`));
}

function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

let cached: AppConfig | undefined;

/** Reads and validates process.env once; later calls return the same instance. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  cached ??= new AppConfig(parseEnv(source));
  return cached;
}

function secretLike(variable: string): boolean {
  // URLs may carry credentials (postgres://user:pass@…, redis://:pass@…).
  return /SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL|REDIS_URL/.test(variable);
}

const MIN_SECRET_BYTES = 32;

/**
 * Without JWT_SECRET a random secret is kept in ALEFLIX_HOME so sessions survive restarts
 * on a laptop; production sets JWT_SECRET explicitly (validated to be at least 32 chars).
 * The file is created exclusively (0600), so two processes starting on one home agree on
 * one secret; a file that does not hold a usable secret is an error, never silently
 * replaced (that would sign everyone out) nor used (an empty key would sign tokens).
 */
function resolveJwtSecret(env: Env, home: string): Uint8Array {
  if (env.JWT_SECRET) return new TextEncoder().encode(env.JWT_SECRET);
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
  }
  const file = join(home, 'jwt-secret');
  const existing = readSecretFile(file);
  if (existing) return existing;
  const secret = randomBytes(48);
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    // Written in full first, then linked into place: link() fails if the file exists, so a
    // process starting at the same moment never reads a half-written secret.
    writeFileSync(draft, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
    linkSync(draft, file);
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readSecretFile(file) ?? corrupt(file);
    throw new ConfigError(`Invalid configuration: ALEFLIX_HOME: cannot write ${file}: ${(error as Error).message}`);
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The secret in `file`, or undefined when there is no such file. */
function readSecretFile(file: string): Uint8Array | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Invalid configuration: ALEFLIX_HOME: cannot read ${file}: ${(error as Error).message}`);
  }
  const secret = Buffer.from(text, 'base64url');
  if (!/^[\w-]+$/.test(text) || secret.length < MIN_SECRET_BYTES) return corrupt(file);
  return secret;
}

function corrupt(file: string): never {
  throw new ConfigError(
    `Invalid configuration: JWT_SECRET: ${file} does not hold a secret of at least ${MIN_SECRET_BYTES} bytes; delete it to generate a new one, or set JWT_SECRET`,
  );
}
