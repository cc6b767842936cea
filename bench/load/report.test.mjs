import { describe, expect, it } from 'vitest';
import { isBroken } from '../lib/report.mjs';
import { buildLoadResult, formatReport, readLoadOptions } from './report.mjs';

const round = (requestsPerSecond, overrides = {}) => ({
  requestsPerSecond,
  latencyP50Ms: 2,
  latencyP99Ms: 9,
  totalRequests: requestsPerSecond * 5,
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  durationSeconds: 5,
  ...overrides,
});

const mixed = (overrides = {}) => ({
  requestsPerSecond: 812.4,
  latencyP50Ms: 95,
  latencyP99Ms: 410,
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  totalRequests: 48_744,
  durationSeconds: 60,
  statusCodes: { 200: 48_500, 201: 0, 204: 244 },
  issued: {
    list: 300,
    listByGenre: 150,
    listSorted: 100,
    listByKindAndYear: 50,
    search: 50,
    titlePage: 250,
    playback: 90,
    write: 10,
  },
  ...overrides,
});

const resultOf = (overrides = {}) =>
  buildLoadResult({
    description: 'mixed workload',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:30.000Z',
    environment: { node: 'v24.0.0', platform: 'linux', cpus: 2 },
    options: {
      durationSeconds: 10,
      connections: 20,
      warmupSeconds: 1,
      loadSeconds: 60,
      loadConnections: 100,
      roundSeconds: 5,
    },
    database: { kind: 'postgres', name: 'aleflix_bench_x' },
    cache: {
      redisUrl: 'redis://127.0.0.1:6379',
      note: 'Redis at redis://127.0.0.1:6379 (REDIS_URL set); readiness ok (database up, redis up)',
      readiness: { status: 'ok' },
      metrics: { aleflix_cache_hits_total: 40_000, aleflix_cache_misses_total: 900 },
    },
    seed: '200 published titles',
    mixed: mixed(),
    route: 'cached GET /titles?limit=20 (viewer token, 10082 bytes)',
    baselineRounds: [round(4000), round(4400)],
    apiRounds: [round(2300), round(2500)],
    ...overrides,
  });

describe('readLoadOptions', () => {
  it('defaults to 60 s at 100 connections and refuses nonsense', () => {
    expect(readLoadOptions({})).toEqual({ loadSeconds: 60, loadConnections: 100 });
    expect(readLoadOptions({ BENCH_LOAD_SECONDS: '15', BENCH_LOAD_CONNECTIONS: '50' })).toEqual({
      loadSeconds: 15,
      loadConnections: 50,
    });
    expect(() => readLoadOptions({ BENCH_LOAD_SECONDS: '1.5' })).toThrow(/BENCH_LOAD_SECONDS/);
    expect(() => readLoadOptions({ BENCH_LOAD_CONNECTIONS: '0' })).toThrow(/BENCH_LOAD_CONNECTIONS/);
  });
});

describe('buildLoadResult', () => {
  it('passes a clean mixed run with cached reads at or above half the bare route', () => {
    const result = resultOf();
    expect(result.comparison.ratio).toBeCloseTo(2400 / 4200);
    expect(result.mixed.issuedByClass).toEqual({ browse: 900, playback: 90, write: 10 });
    expect([result.verdict, result.problems]).toEqual(['PASS', []]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('fails below the ratio without being broken', () => {
    const slow = resultOf({ apiRounds: [round(1000), round(1000)] });
    expect(slow.verdict).toBe('FAIL');
    expect(isBroken(slow)).toBe(false);
  });

  it('fails, and is broken, when the mixed run saw errors or non-2xx answers', () => {
    const result = resultOf({ mixed: mixed({ non2xx: 3, errors: 1, timeouts: 1, statusCodes: { 200: 10, 429: 3 } }) });
    expect(result.verdict).toBe('FAIL');
    expect(result.problems).toEqual(['mixed workload: 1 errors (1 timeouts)', 'mixed workload: 3 non-2xx responses']);
    expect(isBroken(result)).toBe(true);
  });
});

describe('formatReport', () => {
  it('shows the mixed run, the mix, the cache, the comparison and the verdict', () => {
    const text = formatReport(resultOf());
    expect(text).toMatch(/mixed\s+812\s+95\.0\s+410\.0\s+0\s+0\s+48,744/);
    expect(text).toContain('mix issued     browse 90.0 %, playback 9.0 %, write 1.0 %');
    expect(text).toContain('status codes   200: 48,500, 201: 0, 204: 244');
    expect(text).toContain('readiness ok (database up, redis up)');
    expect(text).toContain('aleflix_cache_hits_total +40,000');
    expect(text).toMatch(/baseline \(bare fastify\)\s+4,200\s+2\.0\s+9\.0\s+0\s+0\s+4,000 \/ 4,400/);
    expect(text).toMatch(/api \(cached\)\s+2,400/);
    expect(text).toContain('ratio cached api/baseline  0.571   target >= 0.5');
    expect(text).toContain('verdict                    PASS');
    expect(text).not.toContain('ERRORED');
  });

  it('lists why a broken run is not valid, and warns about PGlite', () => {
    const text = formatReport(
      resultOf({
        mixed: mixed({ non2xx: 2 }),
        database: { kind: 'pglite', note: 'FELL BACK TO PGLITE: refused' },
      }),
    );
    expect(text).toContain('BENCHMARK ERRORED');
    expect(text).toContain('mixed workload: 2 non-2xx responses');
    expect(text).toContain('!!  FELL BACK TO PGLITE: refused');
  });
});
