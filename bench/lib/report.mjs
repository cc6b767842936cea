// Pure functions: turning measured rounds into a result object and a readable report.
// No I/O here, so the unit tests can cover all of it.

/**
 * Combines the rounds of one side. Throughput is the mean of the rounds: with the two
 * interleaved rounds we run, the median of two IS their mean, and the mean keeps using
 * every round should the count grow. The p99 shown is the worst round's, because a tail
 * latency that appeared in one round is real and must not be averaged away.
 * @param {Array<{ requestsPerSecond: number, latencyP50Ms: number, latencyP99Ms: number, errors: number, timeouts: number, non2xx: number, totalRequests: number }>} rounds
 */
export function combineRounds(rounds) {
  if (rounds.length === 0) throw new Error('combineRounds needs at least one round');
  const sum = (key) => rounds.reduce((total, round) => total + round[key], 0);
  return {
    requestsPerSecond: sum('requestsPerSecond') / rounds.length,
    latencyP50Ms: sum('latencyP50Ms') / rounds.length,
    latencyP99Ms: Math.max(...rounds.map((round) => round.latencyP99Ms)),
    totalRequests: sum('totalRequests'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    non2xx: sum('non2xx'),
    rounds,
  };
}

/** api/baseline throughput; NaN when the baseline served nothing (the run is then broken). */
export function ratio(api, baseline) {
  return baseline.requestsPerSecond > 0 ? api.requestsPerSecond / baseline.requestsPerSecond : Number.NaN;
}

/** Why a measurement cannot be trusted: any failed request makes the numbers meaningless. */
export function problemsOf(sides) {
  const problems = [];
  for (const [label, side] of Object.entries(sides)) {
    if (side.errors > 0) problems.push(`${label}: ${side.errors} errors (${side.timeouts} timeouts)`);
    if (side.non2xx > 0) problems.push(`${label}: ${side.non2xx} non-2xx responses`);
    if (!(side.requestsPerSecond > 0)) problems.push(`${label}: no completed requests`);
  }
  return problems;
}

/**
 * The JSON written to bench/results/<name>.json and the input of `formatReport`.
 * `verdict` is PASS/FAIL against the ratio target; `problems` non-empty means the run
 * itself failed (and the process exits 1), whatever the verdict.
 */
export function buildResult({
  name,
  description,
  route,
  baselineLabel,
  database,
  options,
  minRatio,
  baselineRounds,
  apiRounds,
  startedAt,
  finishedAt,
  environment,
}) {
  const baseline = combineRounds(baselineRounds);
  const api = combineRounds(apiRounds);
  const value = ratio(api, baseline);
  return {
    name,
    description,
    route,
    baselineLabel,
    startedAt,
    finishedAt,
    environment,
    options,
    database,
    baseline,
    api,
    ratio: value,
    target: { metric: 'requestsPerSecond api / baseline', minRatio },
    verdict: value >= minRatio ? 'PASS' : 'FAIL',
    problems: problemsOf({ baseline, api }),
  };
}

/** A result for a benchmark that threw before it could measure. */
export function errorResult({ name, error, startedAt, finishedAt }) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { name, startedAt, finishedAt, verdict: 'ERROR', problems: [message] };
}

/** True when the process should exit non-zero because of this result. */
export function isBroken(result) {
  return result.verdict === 'ERROR' || result.problems.length > 0;
}

/** The human-readable report of one result. */
export function formatReport(result) {
  if (result.verdict === 'ERROR') return `${result.name}: ERROR\n${indent(result.problems.join('\n'))}\n`;
  const { options, baseline, api, database } = result;
  const lines = [`${result.name}: ${result.description}`];
  if (database.kind === 'pglite') {
    const banner = '!'.repeat(78);
    lines.push(banner, `!!  ${database.note}`, '!!  Numbers below are NOT comparable with PostgreSQL runs.', banner);
  } else {
    lines.push(`  database  PostgreSQL (throwaway ${database.name}, dropped afterwards)`);
  }
  const rounds = baseline.rounds.length;
  lines.push(
    `  route     ${result.route}`,
    `  load      ${options.connections} connections; ${rounds} interleaved rounds of ${formatNumber(options.roundSeconds, 1)} s per side` +
      ` (baseline first); ${options.warmupSeconds} s warm-up per side`,
    '',
    table([
      ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'req/s by round'],
      sideRow(`baseline (${result.baselineLabel})`, baseline),
      sideRow('api', api),
    ]),
    '',
    `  ratio api/baseline  ${formatNumber(result.ratio, 3)}   target >= ${result.target.minRatio}   ${result.verdict}`,
  );
  if (result.problems.length)
    lines.push('', '  BENCHMARK ERRORED (numbers are not valid):', ...result.problems.map((p) => `    - ${p}`));
  return `${lines.join('\n')}\n`;
}

/** One side's line of the comparison table: req/s, p50, p99, errors, non-2xx, req/s by round. */
export function sideRow(label, side) {
  return [
    label,
    formatNumber(side.requestsPerSecond, 0),
    formatNumber(side.latencyP50Ms, 1),
    formatNumber(side.latencyP99Ms, 1),
    String(side.errors),
    String(side.non2xx),
    side.rounds.map((round) => formatNumber(round.requestsPerSecond, 0)).join(' / '),
  ];
}

/** Fixed decimals with thousands separators; "n/a" for NaN so a broken run reads as such. */
export function formatNumber(value, decimals) {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** First column left-aligned, the others right-aligned: numbers line up by their last digit. */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  return rows
    .map((cells) =>
      cells
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
        .join('  '),
    )
    .map((line) => `  ${line.trimEnd()}`)
    .join('\n');
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
