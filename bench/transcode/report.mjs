// Pure: the transcode benchmark's numbers → ratios, verdict and a readable report.

export const TARGETS = Object.freeze({
  /** Worker wall time ≤ 1.10 × the same ffmpeg command run by hand. */
  maxWorkerOverSingle: 1.1,
  /** One ffmpeg run per rendition ≥ 1.5 × slower than the worker. */
  minPerRenditionOverWorker: 1.5,
});

/**
 * Median of the rounds (the mean when there are two): on a shared machine one round can
 * land on a burst of someone else's work, and the median does not let it drag the side.
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * @param {{ worker: number[], single: number[], perRendition: number[] }} rounds seconds per round, per side
 */
export function summarize(rounds) {
  for (const [side, values] of Object.entries(rounds)) {
    if (!values.length || !values.every((value) => value > 0)) throw new Error(`no valid timing for ${side}`);
  }
  const worker = median(rounds.worker);
  const single = median(rounds.single);
  const perRendition = median(rounds.perRendition);
  const workerOverSingle = worker / single;
  const perRenditionOverWorker = perRendition / worker;
  const checks = {
    workerOverSingle: workerOverSingle <= TARGETS.maxWorkerOverSingle ? 'PASS' : 'FAIL',
    perRenditionOverWorker: perRenditionOverWorker >= TARGETS.minPerRenditionOverWorker ? 'PASS' : 'FAIL',
  };
  return {
    seconds: { worker, single, perRendition },
    rounds,
    ratios: { workerOverSingle, perRenditionOverWorker },
    checks,
    verdict: Object.values(checks).every((check) => check === 'PASS') ? 'PASS' : 'FAIL',
  };
}

const fixed = (value, decimals) => (Number.isFinite(value) ? value.toFixed(decimals) : 'n/a');

/** The text printed at the end of a run. Verdicts are on wall time; CPU time is shown as a noise check. */
export function formatReport(result) {
  const { summary, cpuSummary } = result;
  const row = (label, key) =>
    `  ${label.padEnd(34)}${fixed(summary.seconds[key], 2).padStart(8)}${fixed(cpuSummary.seconds[key], 2).padStart(10)}` +
    `   ${summary.rounds[key].map((s) => fixed(s, 2)).join(' / ')}`;
  return [
    `${result.name}: ${result.description}`,
    `  source    ${result.source.description}`,
    `  ladder    ${result.ladder.join(', ')}`,
    `  machine   ${result.environment.cpus} CPUs, load average ${result.environment.loadAverage}, ${result.environment.ffmpeg}`,
    `  rounds    ${summary.rounds.worker.length} (order alternates: a b c, then c b a)`,
    '',
    `  ${'seconds (median of rounds)'.padEnd(34)}${'wall'.padStart(8)}${'cpu'.padStart(10)}   wall by round`,
    row('(a) worker core transcode()', 'worker'),
    row('(b) hand-written single ffmpeg', 'single'),
    row('(c) one ffmpeg per rendition', 'perRendition'),
    '',
    `  ratio a/b  ${fixed(summary.ratios.workerOverSingle, 3)}   target <= ${TARGETS.maxWorkerOverSingle}   ${summary.checks.workerOverSingle}`,
    `  ratio c/a  ${fixed(summary.ratios.perRenditionOverWorker, 3)}   target >= ${TARGETS.minPerRenditionOverWorker}   ${summary.checks.perRenditionOverWorker}`,
    `  verdict    ${summary.verdict}`,
    `  (cpu time ratios, less sensitive to a busy machine: a/b ${fixed(cpuSummary.ratios.workerOverSingle, 3)}, c/a ${fixed(cpuSummary.ratios.perRenditionOverWorker, 3)})`,
    '',
  ].join('\n');
}
