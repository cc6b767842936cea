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

/**
 * Like `measure`, for a workload of varied requests: `next()` gives each request in turn
 * (`{ method, path, headers, body }`), shared by all connections. Also returns how many
 * answers each status code got, which is what explains a run with non-2xx answers.
 * @param {{ url: string, next: () => { method: string, path: string, headers: Record<string, string>, body?: string }, connections: number, durationSeconds: number }} spec
 */
export async function measureWorkload({ url, next, connections, durationSeconds }) {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to load ${target.host}: only 127.0.0.1 is allowed`);
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    timeout: 10,
    // One entry whose setup builds every request: autocannon calls it before each one. The
    // defaults it passes in carry the Host header's name and port.
    requests: [
      {
        setupRequest: (defaults) => {
          const request = next();
          return { ...defaults, ...request, headers: { ...defaults.headers, ...request.headers } };
        },
      },
    ],
  });
  return { ...summarize(result), statusCodes: statusCounts(result.statusCodeStats) };
}

/** autocannon's `{ "200": { count } }` as `{ "200": count }`. */
export function statusCounts(statusCodeStats = {}) {
  return Object.fromEntries(Object.entries(statusCodeStats).map(([code, { count }]) => [code, count]));
}
