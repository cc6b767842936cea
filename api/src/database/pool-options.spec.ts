import { describe, expect, it } from 'vitest';
import { postgresPoolOptions } from './pool-options.js';

const postgres = { kind: 'postgres' as const, url: 'postgres://db/x', poolSize: 7 };

describe('postgresPoolOptions', () => {
  it('bounds every wait by default: connect 5 s, statements 30 s on the server, 35 s on the client', () => {
    expect(postgresPoolOptions(postgres)).toEqual({
      max: 7,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: 30_000,
      query_timeout: 35_000,
    });
  });

  it('takes the configured timeouts, and 0 turns the statement timeouts off', () => {
    expect(postgresPoolOptions({ ...postgres, connectTimeoutMs: 1_000, queryTimeoutMs: 2_000 })).toMatchObject({
      connectionTimeoutMillis: 1_000,
      statement_timeout: 2_000,
      query_timeout: 7_000,
    });
    const off = postgresPoolOptions({ ...postgres, queryTimeoutMs: 0 });
    expect(off).not.toHaveProperty('statement_timeout');
    expect(off).not.toHaveProperty('query_timeout');
  });
});
