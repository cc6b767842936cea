import { describe, expect, it } from 'vitest';
import {
  buildResult,
  combineRounds,
  errorResult,
  formatNumber,
  formatReport,
  isBroken,
  ratio,
  table,
} from './report.mjs';

const round = (requestsPerSecond, overrides = {}) => ({
  requestsPerSecond,
  latencyP50Ms: 1,
  latencyP99Ms: 4,
  totalRequests: requestsPerSecond * 5,
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  durationSeconds: 5,
  ...overrides,
});

const resultOf = (overrides = {}) =>
  buildResult({
    name: 'demo',
    description: 'demo benchmark',
    route: 'GET /demo',
    baselineLabel: 'bare fastify',
    database: { kind: 'postgres', name: 'aleflix_bench_x' },
    options: { durationSeconds: 10, connections: 20, warmupSeconds: 1, roundSeconds: 5 },
    minRatio: 0.25,
    baselineRounds: [round(1000, { latencyP99Ms: 3 }), round(1200, { latencyP99Ms: 5 })],
    apiRounds: [round(300), round(340)],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:20.000Z',
    environment: { node: 'v24.0.0', platform: 'linux', cpus: 2 },
    ...overrides,
  });

describe('combineRounds', () => {
  it('averages throughput and p50, keeps the worst p99 and sums the counts', () => {
    const combined = combineRounds([
      round(100, { latencyP99Ms: 7, errors: 1 }),
      round(300, { latencyP50Ms: 3, non2xx: 2 }),
    ]);
    expect(combined).toMatchObject({ requestsPerSecond: 200, latencyP50Ms: 2, latencyP99Ms: 7, errors: 1, non2xx: 2 });
    expect(combined.rounds).toHaveLength(2);
  });

  it('refuses an empty list', () => {
    expect(() => combineRounds([])).toThrow();
  });
});

describe('ratio', () => {
  it('divides api by baseline throughput', () => {
    expect(ratio({ requestsPerSecond: 250 }, { requestsPerSecond: 1000 })).toBe(0.25);
  });

  it('is NaN when the baseline served nothing', () => {
    expect(ratio({ requestsPerSecond: 10 }, { requestsPerSecond: 0 })).toBeNaN();
  });
});

describe('buildResult', () => {
  it('has the documented shape', () => {
    const result = resultOf();
    expect(Object.keys(result).sort()).toEqual(
      [
        'api',
        'baseline',
        'baselineLabel',
        'database',
        'description',
        'environment',
        'finishedAt',
        'name',
        'options',
        'problems',
        'ratio',
        'route',
        'startedAt',
        'target',
        'verdict',
      ].sort(),
    );
    expect(result.baseline.requestsPerSecond).toBe(1100);
    expect(result.api.requestsPerSecond).toBe(320);
    expect(result.ratio).toBeCloseTo(320 / 1100);
    expect(result.target).toEqual({ metric: 'requestsPerSecond api / baseline', minRatio: 0.25 });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('passes at or above the target and fails below it, without being broken', () => {
    expect(resultOf().verdict).toBe('PASS');
    const slow = resultOf({ apiRounds: [round(100), round(100)] });
    expect(slow.verdict).toBe('FAIL');
    expect(isBroken(slow)).toBe(false);
  });

  it('treats errors and non-2xx responses as a broken run', () => {
    const result = resultOf({ apiRounds: [round(300, { non2xx: 3 }), round(300, { errors: 2, timeouts: 1 })] });
    expect(result.problems).toEqual(['api: 2 errors (1 timeouts)', 'api: 3 non-2xx responses']);
    expect(isBroken(result)).toBe(true);
  });
});

describe('formatReport', () => {
  it('shows both throughputs, the ratio, the p99s and the verdict', () => {
    const text = formatReport(resultOf());
    expect(text).toContain('1,100');
    expect(text).toContain('320');
    expect(text).toContain('ratio api/baseline  0.291   target >= 0.25   PASS');
    expect(text).toMatch(/baseline \(bare fastify\)\s+1,100\s+1\.0\s+5\.0/);
    expect(text).toMatch(/api\s+320\s+1\.0\s+4\.0/);
    expect(text).not.toContain('PGLITE');
  });

  it('warns loudly when the database fell back to PGlite', () => {
    const text = formatReport(resultOf({ database: { kind: 'pglite', note: 'FELL BACK TO PGLITE: refused' } }));
    expect(text).toContain('!!  FELL BACK TO PGLITE: refused');
    expect(text).toContain('NOT comparable');
  });

  it('lists the problems of a broken run', () => {
    const text = formatReport(resultOf({ apiRounds: [round(300, { non2xx: 1 }), round(300)] }));
    expect(text).toContain('BENCHMARK ERRORED');
    expect(text).toContain('api: 1 non-2xx responses');
  });

  it('reports a benchmark that threw', () => {
    const result = errorResult({ name: 'demo', error: new Error('boom'), startedAt: 'a', finishedAt: 'b' });
    expect(isBroken(result)).toBe(true);
    expect(formatReport(result)).toMatch(/^demo: ERROR\n {2}Error: boom/);
  });
});

describe('formatting helpers', () => {
  it('formats numbers with fixed decimals and n/a for NaN', () => {
    expect(formatNumber(12345.678, 1)).toBe('12,345.7');
    expect(formatNumber(Number.NaN, 2)).toBe('n/a');
  });

  it('aligns columns', () => {
    expect(
      table([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('  a    bb\n  ccc   d');
  });
});
