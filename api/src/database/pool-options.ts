import type { PoolConfig } from 'pg';
import type { DatabaseConfig } from '../config/app-config.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/** How much longer than statement_timeout the client waits before it stops waiting for the server. */
export const QUERY_TIMEOUT_MARGIN_MS = 5_000;

/**
 * node-postgres pool settings that bound every wait, so that a database that stops answering
 * turns into a prompt 503 instead of requests that hang:
 * - `connectionTimeoutMillis`: opening a connection, or waiting for a free pooled one;
 * - `statement_timeout`: the server cancels a statement that runs too long (57014), and the
 *   connection stays usable;
 * - `query_timeout`: the client stops waiting when the server does not answer at all (a
 *   network that drops packets rather than refusing them), a little after statement_timeout;
 * - TCP keep-alive, so that the kernel notices a peer that vanished while idle.
 */
export function postgresPoolOptions(config: Extract<DatabaseConfig, { kind: 'postgres' }>): PoolConfig {
  const queryTimeoutMs = config.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  return {
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(queryTimeoutMs > 0
      ? { statement_timeout: queryTimeoutMs, query_timeout: queryTimeoutMs + QUERY_TIMEOUT_MARGIN_MS }
      : {}),
  };
}
