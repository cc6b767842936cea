// Pure parts of the load benchmark: options, the result object and its text report.
import { combineRounds, formatNumber, ratio, sideRow, table } from '../lib/report.mjs';
import { issuedByClass } from './workload.mjs';

export const MIN_CACHED_RATIO = 0.5;
const DEFAULTS = Object.freeze({ loadSeconds: 60, loadConnections: 100 });

/**
 * BENCH_LOAD_SECONDS (mixed workload length) and BENCH_LOAD_CONNECTIONS (connections of the
 * mixed workload and of the cached-vs-bare comparison). Nonsense is an error, not a default.
 * @param {Record<string, string | undefined>} env
 */
export function readLoadOptions(env) {
  return {
    loadSeconds: integer(env, 'BENCH_LOAD_SECONDS', DEFAULTS.loadSeconds, 5, 3600),
    loadConnections: integer(env, 'BENCH_LOAD_CONNECTIONS', DEFAULTS.loadConnections, 1, 1000),
  };
}

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** Why the run's numbers cannot stand: any failed or non-2xx request, in either phase. */
function problemsOf(mixed, comparison) {
  const problems = [];
  const check = (label, side) => {
    if (side.errors > 0) problems.push(`${label}: ${side.errors} errors (${side.timeouts} timeouts)`);
    if (side.non2xx > 0) problems.push(`${label}: ${side.non2xx} non-2xx responses`);
    if (!(side.requestsPerSecond > 0)) problems.push(`${label}: no completed requests`);
  };
  check('mixed workload', mixed);
  check('cached GET /titles', comparison.api);
  check('bare fastify', comparison.baseline);
  return problems;
}

/**
 * The JSON written to bench/results/load.json and the input of `formatReport`. PASS needs
 * both: a clean mixed run (no errors, no non-2xx) and cached reads at >= 0.5x the bare route.
 * @param {{
 *   description: string, startedAt: string, finishedAt: string, environment: object, options: object,
 *   database: { kind: string, name?: string, note?: string },
 *   cache: { redisUrl: string | null, note: string, readiness: object | null, metrics: Record<string, number> },
 *   seed: string,
 *   mixed: { requestsPerSecond: number, latencyP50Ms: number, latencyP99Ms: number, errors: number, timeouts: number, non2xx: number, totalRequests: number, durationSeconds: number, statusCodes: Record<string, number>, issued: Record<string, number> },
 *   route: string, baselineRounds: object[], apiRounds: object[],
 * }} input
 */
export function buildLoadResult(input) {
  const baseline = combineRounds(input.baselineRounds);
  const api = combineRounds(input.apiRounds);
  const value = ratio(api, baseline);
  const comparison = { route: input.route, baseline, api, ratio: value, minRatio: MIN_CACHED_RATIO };
  const problems = problemsOf(input.mixed, comparison);
  const clean = input.mixed.errors === 0 && input.mixed.non2xx === 0;
  return {
    name: 'load',
    description: input.description,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    environment: input.environment,
    options: input.options,
    database: input.database,
    cache: input.cache,
    seed: input.seed,
    mixed: { ...input.mixed, issuedByClass: issuedByClass(input.mixed.issued) },
    comparison,
    target: {
      cachedRatio: `requestsPerSecond cached api / bare fastify >= ${MIN_CACHED_RATIO}`,
      mixed: 'errors = non-2xx = 0',
    },
    verdict: clean && value >= MIN_CACHED_RATIO ? 'PASS' : 'FAIL',
    problems,
  };
}

/** Shares of each class among the issued requests, e.g. `browse 90.0 %`. */
function mixLine(byClass) {
  const total = Object.values(byClass).reduce((sum, count) => sum + count, 0);
  if (total === 0) return 'no requests issued';
  return Object.entries(byClass)
    .map(([name, count]) => `${name} ${formatNumber((100 * count) / total, 1)} %`)
    .join(', ');
}

function statusLine(statusCodes) {
  const entries = Object.entries(statusCodes).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([code, count]) => `${code}: ${formatNumber(count, 0)}`).join(', ') : 'none';
}

/** The human-readable report of a load result. */
export function formatReport(result) {
  const { options, database, cache, mixed, comparison } = result;
  const lines = [`${result.name}: ${result.description}`];
  if (database.kind === 'pglite') {
    const banner = '!'.repeat(78);
    lines.push(banner, `!!  ${database.note}`, '!!  Numbers below are NOT comparable with PostgreSQL runs.', banner);
  } else {
    lines.push(`  database  PostgreSQL (throwaway ${database.name}, dropped afterwards)`);
  }
  const metrics = Object.entries(cache.metrics);
  lines.push(
    `  cache     ${cache.note}`,
    `            cache metrics during the mixed run: ${metrics.length ? metrics.map(([name, value]) => `${name} +${formatNumber(value, 0)}`).join(', ') : 'none exported'}`,
    `  seed      ${result.seed}`,
    '',
    `  mixed workload: ${options.loadConnections} connections for ${options.loadSeconds} s`,
    table([
      ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'requests'],
      [
        'mixed',
        formatNumber(mixed.requestsPerSecond, 0),
        formatNumber(mixed.latencyP50Ms, 1),
        formatNumber(mixed.latencyP99Ms, 1),
        String(mixed.errors),
        String(mixed.non2xx),
        formatNumber(mixed.totalRequests, 0),
      ],
    ]),
    `  mix issued     ${mixLine(mixed.issuedByClass)}`,
    `  status codes   ${statusLine(mixed.statusCodes)}`,
    '',
    `  ${comparison.route} vs a bare Fastify route with the same body: ${options.loadConnections} connections;` +
      ` ${comparison.api.rounds.length} interleaved rounds of ${formatNumber(options.roundSeconds, 1)} s per side (baseline first); ${options.warmupSeconds} s warm-up per side`,
    table([
      ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'req/s by round'],
      sideRow('baseline (bare fastify)', comparison.baseline),
      sideRow('api (cached)', comparison.api),
    ]),
    '',
    `  ratio cached api/baseline  ${formatNumber(comparison.ratio, 3)}   target >= ${comparison.minRatio}`,
    `  mixed errors + non-2xx     ${mixed.errors + mixed.non2xx}   target 0`,
    `  verdict                    ${result.verdict}`,
  );
  if (result.problems.length)
    lines.push('', '  BENCHMARK ERRORED (numbers are not valid):', ...result.problems.map((p) => `    - ${p}`));
  return `${lines.join('\n')}\n`;
}
