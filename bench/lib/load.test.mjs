import { describe, expect, it } from 'vitest';
import { measure, measureWorkload, statusCounts, summarize } from './load.mjs';

// The shape of an autocannon 9 result, reduced to the fields `summarize` reads.
const autocannonResult = {
  duration: 5.01,
  requests: { mean: 998, total: 5010 },
  latency: { p50: 2, p99: 9 },
  errors: 1,
  timeouts: 1,
  non2xx: 3,
};

describe('summarize', () => {
  it('reduces an autocannon result to the reported numbers', () => {
    expect(summarize(autocannonResult)).toEqual({
      requestsPerSecond: 1000,
      latencyP50Ms: 2,
      latencyP99Ms: 9,
      totalRequests: 5010,
      errors: 1,
      timeouts: 1,
      non2xx: 3,
      durationSeconds: 5.01,
    });
  });

  it('gives 0 req/s for a run that lasted no time', () => {
    expect(summarize({ ...autocannonResult, duration: 0 }).requestsPerSecond).toBe(0);
  });
});

describe('measure', () => {
  it('refuses any host but 127.0.0.1 before sending anything', async () => {
    await expect(measure({ url: 'http://example.com/', connections: 1, durationSeconds: 1 })).rejects.toThrow(
      /only 127\.0\.0\.1/,
    );
    await expect(measure({ url: 'http://10.0.0.1/', connections: 1, durationSeconds: 1 })).rejects.toThrow(
      /only 127\.0\.0\.1/,
    );
  });
});

describe('measureWorkload', () => {
  it('refuses any host but 127.0.0.1 before sending anything', async () => {
    const next = () => ({ method: 'GET', path: '/', headers: {} });
    await expect(
      measureWorkload({ url: 'http://example.com/', next, connections: 1, durationSeconds: 1 }),
    ).rejects.toThrow(/only 127\.0\.0\.1/);
  });
});

describe('statusCounts', () => {
  it("flattens autocannon's status code stats", () => {
    expect(statusCounts({ 200: { count: 7 }, 503: { count: 2 } })).toEqual({ 200: 7, 503: 2 });
    expect(statusCounts(undefined)).toEqual({});
  });
});
