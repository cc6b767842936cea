// Benchmark: the API under a mixed workload, as in production (browse 90 %, playback URLs 9 %,
// writes 1 %, BENCH_LOAD_CONNECTIONS connections for BENCH_LOAD_SECONDS), on PostgreSQL and
// Redis; then, in the same run, the cached catalog list against a bare Fastify route that
// returns the very same bytes. Targets: no failed or non-2xx request in the mixed run, and
// cached GET /titles >= 0.5x the bare route in requests/s.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { withApi } from '../lib/api-server.mjs';
import { startBareFastify } from '../lib/baseline-server.mjs';
import { redact } from '../lib/database.mjs';
import { requestJson } from '../lib/http.mjs';
import { measureInterleaved } from '../lib/interleave.mjs';
import { measureWorkload } from '../lib/load.mjs';
import { buildLoadResult, readLoadOptions } from './report.mjs';
import { seedCatalog } from './seed.mjs';
import { createWorkload, MIX } from './workload.mjs';

export { formatReport } from './report.mjs';

export const name = 'load';
export const description =
  'mixed workload (browse 90 %, playback URLs 9 %, writes 1 %) on PostgreSQL + Redis, then cached GET /titles vs a bare Fastify route';

const CACHED_ROUTE = '/titles?limit=20';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/**
 * Rate limits stay on, so their per-request cost (a Redis round trip) is measured, but far
 * above what 100 connections from one address and one user send, which they would throttle.
 */
const UNREACHABLE_RATE_LIMIT = '1000000000';

/** @param {{ options: { durationSeconds: number, connections: number, warmupSeconds: number }, log: (line: string) => void }} context */
export async function run({ options, log }) {
  const startedAt = new Date().toISOString();
  const load = readLoadOptions(process.env);
  const redis = await redisFor(process.env);
  log(`  redis: ${redis.note}`);
  const env = {
    RATE_LIMIT_PER_MINUTE: UNREACHABLE_RATE_LIMIT,
    RATE_LIMIT_IP_PER_MINUTE: UNREACHABLE_RATE_LIMIT,
    ...(redis.url
      ? // A prefix of its own: nothing of an earlier run (or of a developer's API) is read.
        { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `aleflix-bench-${randomBytes(4).toString('hex')}:` }
      : {}),
  };
  return withApi(
    async (api) => {
      log(`  API up at ${api.baseUrl} (${api.database.kind})`);
      const catalog = await seedCatalog(api, log);
      await checkEveryKind(api.baseUrl, catalog);
      const readiness = (await requestJson('GET', `${api.baseUrl}/health/ready`)).json;
      log(`  readiness: ${JSON.stringify(readiness)}`);

      if (options.warmupSeconds > 0) {
        log(`  warm-up mixed workload (${options.warmupSeconds} s)`);
        const warmup = createWorkload({ ...catalog, seed: 7 });
        await measureWorkload({
          url: api.baseUrl,
          next: warmup.next,
          connections: load.loadConnections,
          durationSeconds: options.warmupSeconds,
        });
      }
      const metricsBefore = await cacheMetrics(api.baseUrl);
      log(`  mixed workload: ${load.loadConnections} connections for ${load.loadSeconds} s`);
      const workload = createWorkload({ ...catalog, seed: 1 });
      const mixed = await measureWorkload({
        url: api.baseUrl,
        next: workload.next,
        connections: load.loadConnections,
        durationSeconds: load.loadSeconds,
      });
      log(
        `  mixed: ${Math.round(mixed.requestsPerSecond)} req/s, p99 ${mixed.latencyP99Ms} ms, non-2xx ${mixed.non2xx}`,
      );
      const metricsAfter = await cacheMetrics(api.baseUrl);

      const reference = await requestJson('GET', `${api.baseUrl}${CACHED_ROUTE}`, { token: catalog.viewerToken });
      const baseline = await startBareFastify({
        path: CACHED_ROUTE,
        body: reference.text,
        contentType: reference.headers.get('content-type') ?? 'application/json',
      });
      let measured;
      try {
        const echoed = await requestJson('GET', `${baseline.baseUrl}${CACHED_ROUTE}`);
        if (echoed.text !== reference.text) throw new Error('baseline body differs from the API body');
        const headers = { authorization: `Bearer ${catalog.viewerToken}` };
        measured = await measureInterleaved({
          baseline: { url: `${baseline.baseUrl}${CACHED_ROUTE}`, headers },
          api: { url: `${api.baseUrl}${CACHED_ROUTE}`, headers },
          options: { ...options, connections: load.loadConnections },
          log,
        });
      } finally {
        await baseline.stop();
      }

      return buildLoadResult({
        description,
        startedAt,
        finishedAt: new Date().toISOString(),
        environment: { node: process.version, platform: process.platform, cpus: cpus().length },
        options: { ...options, ...load, roundSeconds: measured.roundSeconds },
        database: api.database,
        cache: {
          redisUrl: redis.url ? redact(redis.url) : null,
          note: `${redis.note}; readiness ${describeReadiness(readiness)}`,
          readiness,
          metrics: difference(metricsBefore, metricsAfter),
        },
        seed: catalog.summary,
        mixed: { ...mixed, issued: { ...workload.issued } },
        route: `cached GET ${CACHED_ROUTE} (viewer token, ${Buffer.byteLength(reference.text)} bytes)`,
        baselineRounds: measured.baselineRounds,
        apiRounds: measured.apiRounds,
      });
    },
    { log, env },
  );
}

/**
 * REDIS_URL for the API: BENCH_REDIS_URL, TEST_REDIS_URL, else the local default, if
 * something listens there. Without Redis the benchmark still runs (in-process cache) and
 * says so, because those numbers answer another question.
 */
async function redisFor(env) {
  const url = env.BENCH_REDIS_URL || env.TEST_REDIS_URL || DEFAULT_REDIS_URL;
  const target = new URL(url);
  const reachable = await new Promise((resolve) => {
    const socket = connect(Number(target.port || 6379), target.hostname);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  return reachable
    ? { url, note: `Redis at ${redact(url)} (REDIS_URL set)` }
    : { url: null, note: `NO REDIS: nothing listens at ${redact(url)}; the API runs with its in-process cache` };
}

function describeReadiness(readiness) {
  const checks = Object.entries(readiness?.checks ?? {}).map(([dependency, check]) => `${dependency} ${check.status}`);
  return `${readiness?.status ?? 'unknown'} (${checks.join(', ') || 'no checks'})`;
}

/** One request of every kind must succeed before the measurement: a setup bug shows in seconds. */
async function checkEveryKind(baseUrl, catalog) {
  const workload = createWorkload({ ...catalog, seed: 99 });
  const missing = new Set(Object.keys(MIX));
  for (let tries = 0; missing.size > 0 && tries < 2_000; tries += 1) {
    const request = workload.next();
    if (!missing.delete(request.kind)) continue;
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: request.body } : {}),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `${request.kind}: ${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 300)}`,
      );
  }
  if (missing.size > 0) throw new Error(`workload never produced: ${[...missing].join(', ')}`);
}

/**
 * Every sample (with its labels, such as a hit/miss result) of the metrics whose name
 * mentions the cache, from GET /metrics. Whatever the API exports shows up without this
 * benchmark knowing the names; an API without such metrics simply gives none.
 */
async function cacheMetrics(baseUrl) {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) return {};
  const samples = {};
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*cache[\w:]*)(\{[^}]*\})?\s+(\S+)$/i.exec(line);
    if (!match || /_(bucket|sum|count)$/.test(match[1])) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) samples[`${match[1]}${match[2] ?? ''}`] = value;
  }
  return samples;
}

function difference(before, after) {
  return Object.fromEntries(
    Object.entries(after)
      .map(([metric, value]) => [metric, value - (before[metric] ?? 0)])
      .filter(([, delta]) => delta !== 0),
  );
}
