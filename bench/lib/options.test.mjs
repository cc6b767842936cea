import { describe, expect, it } from 'vitest';
import { readOptions } from './options.mjs';

describe('readOptions', () => {
  it('defaults to 10 s and 20 connections', () => {
    expect(readOptions({})).toEqual({ durationSeconds: 10, connections: 20, warmupSeconds: 3 });
  });

  it('reads the environment', () => {
    expect(readOptions({ BENCH_DURATION_SECONDS: '4', BENCH_CONNECTIONS: '50', BENCH_WARMUP_SECONDS: '0' })).toEqual({
      durationSeconds: 4,
      connections: 50,
      warmupSeconds: 0,
    });
  });

  it('rejects values that would silently change the run', () => {
    expect(() => readOptions({ BENCH_DURATION_SECONDS: 'ten' })).toThrow(/BENCH_DURATION_SECONDS/);
    expect(() => readOptions({ BENCH_DURATION_SECONDS: '1' })).toThrow(/from 2 to 600/);
    expect(() => readOptions({ BENCH_CONNECTIONS: '2.5' })).toThrow(/integer/);
  });
});
