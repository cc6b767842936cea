import autocannon from 'autocannon';

/**
 * Sends load to one loopback URL for a bounded time and returns the few numbers the
 * reports use. Only 127.0.0.1 is accepted: benchmarks here must never load another host.
 * @param {{ url: string, headers?: Record<string, string>, connections: number, durationSeconds: number }} spec
 */
export async function measure({ url, headers = {}, connections, durationSeconds }) {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to load ${target.host}: only 127.0.0.1 is allowed`);
  const result = await autocannon({
    url,
    headers,
    connections,
    duration: durationSeconds,
    // Stop by itself even if the server hangs: a request never waits longer than this.
    timeout: 10,
  });
  return summarize(result);
}

/**
 * The autocannon result reduced to what a report needs. Requests/s is the mean rate over
 * the whole run (completed requests / elapsed seconds) rather than autocannon's mean of
 * one-second samples, which drops the last partial second and is 0 for runs under 1 s.
 * @param {any} result autocannon's result object
 */
export function summarize(result) {
  return {
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    totalRequests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    durationSeconds: result.duration,
  };
}
