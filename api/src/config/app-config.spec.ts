import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppConfig, ConfigError, parseEnv } from './app-config.js';

const scratch = mkdtempSync(join(tmpdir(), 'aleflix-config-'));
let homes = 0;
const freshHome = () => join(scratch, `home-${++homes}`, 'nested');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The ConfigError `fn` throws; fails the test when it throws anything else or nothing. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseEnv', () => {
  it('fills in every default from an empty environment', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 3000,
      ALEFLIX_HOME: './.aleflix',
      DATABASE_POOL_SIZE: 10,
      ALEFLIX_ADMIN_EMAIL: 'admin@aleflix.local',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 30,
      BODY_LIMIT_BYTES: 1024 * 1024,
      LOGIN_MAX_PER_IP: 30,
      LOGIN_MAX_PER_ACCOUNT: 10,
      LOGIN_WINDOW_SECONDS: 900,
      TRUST_PROXY: false,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: 10_000,
    });
    for (const optional of ['DATABASE_URL', 'ALEFLIX_ADMIN_PASSWORD', 'JWT_SECRET'] as const)
      expect(env[optional]).toBeUndefined();
  });

  it('coerces numbers and booleans and ignores unrelated variables', () => {
    const env = parseEnv({
      PORT: '8080',
      TRUST_PROXY: 'yes',
      BODY_LIMIT_BYTES: '2048',
      PATH: '/usr/bin',
      HOME: '/root',
    });
    expect(env).toMatchObject({ PORT: 8080, TRUST_PROXY: true, BODY_LIMIT_BYTES: 2048 });
    expect(env).not.toHaveProperty('PATH');
    expect(parseEnv({ PORT: '0' }).PORT).toBe(0);
    expect(parseEnv({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnv({ PORT: '', DATABASE_URL: '', JWT_SECRET: '', ALEFLIX_ADMIN_PASSWORD: '' })).toMatchObject({
      PORT: 3000,
    });
    expect(parseEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['ALEFLIX_ADMIN_EMAIL', 'not-an-email'],
    ['JWT_SECRET', 'too-short-secret'],
    ['ALEFLIX_ADMIN_PASSWORD', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['BODY_LIMIT_BYTES', '0'],
    ['DATABASE_POOL_SIZE', '1.5'],
  ])('rejects %s=%s with one line naming the variable', (variable, value) => {
    const error = configError(() => parseEnv({ [variable]: value }));
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable}: \\S`));
  });

  it('shows the offending value of an ordinary variable', () => {
    expect(configError(() => parseEnv({ PORT: 'abc' })).message).toContain('(got "abc")');
    expect(configError(() => parseEnv({ LOG_LEVEL: 'loud' })).message).toContain('"loud"');
  });

  it.each([
    ['JWT_SECRET', 'hunter2-hunter2'],
    ['ALEFLIX_ADMIN_PASSWORD', 'hunter2'],
    ['DATABASE_URL', 'mysql://app:hunter2@db.internal/app'],
  ])('masks the value of %s', (variable, value) => {
    const error = configError(() => parseEnv({ [variable]: value }));
    expect(error.message).toContain(variable);
    expect(error.message).toContain('***');
    expect(error.message).not.toContain('hunter2');
  });

  it('names the first invalid variable when several are wrong', () => {
    const error = configError(() => parseEnv({ PORT: 'abc', LOG_LEVEL: 'loud' }));
    expect(error.message.match(/Invalid configuration/g)).toHaveLength(1);
    expect(error.message).toMatch(/^Invalid configuration: (PORT|LOG_LEVEL): /);
  });
});

describe('AppConfig', () => {
  it('uses PGlite under ALEFLIX_HOME without DATABASE_URL, PostgreSQL with it', () => {
    const home = freshHome();
    expect(new AppConfig(parseEnv({ ALEFLIX_HOME: home })).database).toEqual({
      kind: 'pglite',
      dataDir: join(resolve(home), 'db'),
    });
    const url = 'postgres://app:secret@db.internal:5432/app';
    expect(
      new AppConfig(parseEnv({ ALEFLIX_HOME: home, DATABASE_URL: url, DATABASE_POOL_SIZE: '4' })).database,
    ).toEqual({
      kind: 'postgres',
      url,
      poolSize: 4,
      connectTimeoutMs: 5_000,
      queryTimeoutMs: 30_000,
    });
    const tuned = parseEnv({
      ALEFLIX_HOME: home,
      DATABASE_URL: url,
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      DATABASE_QUERY_TIMEOUT_MS: '0',
    });
    expect(new AppConfig(tuned).database).toMatchObject({ connectTimeoutMs: 1_500, queryTimeoutMs: 0 });
  });

  it('refuses to start in production without JWT_SECRET, and writes nothing', () => {
    const home = freshHome();
    const error = configError(() => new AppConfig(parseEnv({ NODE_ENV: 'production', ALEFLIX_HOME: home })));
    expect(error.message).toMatch(/^Invalid configuration: JWT_SECRET: /);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(existsSync(join(home, 'jwt-secret'))).toBe(false);
  });

  it('uses JWT_SECRET when it is set', () => {
    const secret = 'a-production-secret-of-at-least-32-characters';
    const config = new AppConfig(parseEnv({ NODE_ENV: 'production', JWT_SECRET: secret, ALEFLIX_HOME: freshHome() }));
    expect(Buffer.from(config.jwtSecret).toString()).toBe(secret);
  });

  it('generates a secret once, keeps it in ALEFLIX_HOME (0600) and reuses it', () => {
    const home = freshHome();
    const first = new AppConfig(parseEnv({ ALEFLIX_HOME: home }));
    const file = join(home, 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o077).toBe(0);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(readFileSync(file, 'utf8'), 'base64url')).toEqual(Buffer.from(first.jwtSecret));
    expect(readdirSync(home)).toEqual(['jwt-secret']);

    const second = new AppConfig(parseEnv({ ALEFLIX_HOME: home }));
    expect(Buffer.from(second.jwtSecret)).toEqual(Buffer.from(first.jwtSecret));
    // A different home gets a different secret.
    const other = new AppConfig(parseEnv({ ALEFLIX_HOME: freshHome() }));
    expect(Buffer.from(other.jwtSecret)).not.toEqual(Buffer.from(first.jwtSecret));
  });

  it.each([
    ['empty', ''],
    ['too short', 'c2hvcnQ'],
    ['not base64url', '!!!! this is not a secret, it is a sentence that is long enough !!!!'],
  ])('refuses a secret file that is %s and leaves it alone', (_label, content) => {
    const home = freshHome();
    new AppConfig(parseEnv({ ALEFLIX_HOME: home }));
    const file = join(home, 'jwt-secret');
    writeFileSync(file, content);
    const error = configError(() => new AppConfig(parseEnv({ ALEFLIX_HOME: home })));
    expect(error.message).toMatch(/^Invalid configuration: JWT_SECRET: .*jwt-secret/);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});
