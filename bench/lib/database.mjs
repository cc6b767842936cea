import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onCleanup } from './cleanup.mjs';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The server to create throwaway databases on: BENCH_DATABASE_URL, then TEST_DATABASE_URL. */
export function adminDatabaseUrl(env) {
  return env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || DEFAULT_ADMIN_URL;
}

/**
 * A fresh, empty PostgreSQL database for one benchmark, so that rows from earlier runs
 * never change what is measured. When the server is unreachable the caller gets
 * `{ kind: 'pglite' }` with the reason: PGlite numbers are not comparable with
 * PostgreSQL ones, so the report must say so loudly rather than fail or hide it.
 * @returns {Promise<{ kind: 'postgres', url: string, name: string, drop(): Promise<void> } | { kind: 'pglite', reason: string }>}
 */
export async function createThrowawayDatabase(adminUrl) {
  const name = `aleflix_bench_${randomBytes(6).toString('hex')}`;
  try {
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    return { kind: 'pglite', reason: `PostgreSQL at ${redact(adminUrl)} unusable: ${describe(error)}` };
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropping;
  const drop = () => {
    dropping ??= withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
      () => forget(),
    );
    return dropping;
  };
  const forget = onCleanup(drop);
  return { kind: 'postgres', url: url.toString(), name, drop };
}

async function withClient(url, work) {
  // Short timeout: an unreachable server should fall back to PGlite in seconds, not hang.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function describe(error) {
  if (error instanceof AggregateError && error.errors.length) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

/** Database URLs may carry a password; never print it. */
export function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
