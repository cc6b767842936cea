// Pure: Lighthouse results (LHR objects) reduced to scores, failed audits, a verdict and a
// readable report. No I/O here, so the unit tests can cover all of it.
import { table } from '../lib/report.mjs';

export const CATEGORIES = Object.freeze(['performance', 'accessibility']);
/** Lighthouse's own "good" band starts at 90. */
export const MIN_SCORE = 90;
const METRICS = Object.freeze([
  ['first-contentful-paint', 'FCP'],
  ['largest-contentful-paint', 'LCP'],
  ['total-blocking-time', 'TBT'],
  ['cumulative-layout-shift', 'CLS'],
  ['speed-index', 'SI'],
]);
const MAX_NODES = 5;

/** 0..1 → 0..100 as Lighthouse shows it; null stays null (the category could not be scored). */
export function toScore(value) {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 100) : null;
}

/**
 * Audits of a category that count and did not pass: weighted, scored (not n/a, not manual,
 * not informative) and below 1. Each with the elements Lighthouse blamed, so that whoever
 * fixes them knows where to look.
 */
export function failedAudits(lhr, category) {
  const refs = lhr.categories?.[category]?.auditRefs ?? [];
  const failed = [];
  for (const ref of refs) {
    const audit = lhr.audits?.[ref.id];
    if (!audit || ref.weight <= 0) continue;
    if (!['binary', 'numeric', 'metricSavings'].includes(audit.scoreDisplayMode)) continue;
    if (audit.score === null || audit.score >= 1) continue;
    const items = Array.isArray(audit.details?.items) ? audit.details.items : [];
    failed.push({
      id: ref.id,
      title: audit.title,
      weight: ref.weight,
      score: audit.score,
      items: items.length,
      nodes: items
        .map((item) => item.node)
        .filter(Boolean)
        .slice(0, MAX_NODES)
        .map((node) => ({
          selector: node.selector ?? null,
          snippet: node.snippet ?? null,
          label: node.nodeLabel ?? null,
        })),
    });
  }
  return failed.sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
}

/**
 * One page's summary. `expectedPath` guards against measuring the sign-in page: a lost
 * session redirects to /login, and a score of that page would be silently wrong.
 * @returns {{ page: object, problems: string[] }}
 */
export function summarizePage({ label, path, lhr }) {
  const problems = [];
  if (lhr.runtimeError)
    problems.push(`${label}: Lighthouse runtime error ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  const finalUrl = lhr.finalDisplayedUrl ?? lhr.finalUrl ?? null;
  if (finalUrl && new URL(finalUrl).pathname !== path) {
    problems.push(`${label}: ended on ${new URL(finalUrl).pathname} instead of ${path} (session lost?)`);
  }
  const scores = {};
  for (const category of CATEGORIES) {
    scores[category] = toScore(lhr.categories?.[category]?.score);
    if (scores[category] === null) problems.push(`${label}: no ${category} score`);
  }
  const metrics = {};
  for (const [id, short] of METRICS) {
    const audit = lhr.audits?.[id];
    metrics[short] = audit ? { value: audit.numericValue ?? null, display: audit.displayValue ?? null } : null;
  }
  const page = {
    label,
    path,
    finalUrl,
    scores,
    metrics,
    failedAudits: { accessibility: failedAudits(lhr, 'accessibility') },
    warnings: lhr.runWarnings ?? [],
  };
  return { page, problems };
}

/**
 * The run with the median performance score (the lower middle one for an even count), as
 * Lighthouse advises for noisy machines. Accessibility does not depend on timing.
 * A run without a performance score sorts first, so it is only picked when most are broken.
 */
export function medianRun(runs) {
  if (runs.length === 0) throw new Error('medianRun needs at least one run');
  const sorted = [...runs].sort((a, b) => (a.scores.performance ?? -1) - (b.scores.performance ?? -1));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Every category of every page must reach `minScore`. */
export function verdictOf(pages, minScore = MIN_SCORE) {
  return pages.every((page) => CATEGORIES.every((category) => (page.scores[category] ?? -1) >= minScore))
    ? 'PASS'
    : 'FAIL';
}

/** The JSON written to bench/results/web.json and the input of `formatWebReport`. */
export function buildWebResult({
  name,
  description,
  pages,
  problems,
  startedAt,
  finishedAt,
  environment,
  database,
  settings,
}) {
  return {
    name,
    description,
    startedAt,
    finishedAt,
    environment,
    database,
    settings,
    target: { minScore: MIN_SCORE, categories: [...CATEGORIES] },
    pages,
    verdict: verdictOf(pages),
    problems,
  };
}

/** The human-readable report of one result (an ERROR result is formatted by the runner). */
export function formatWebReport(result) {
  const lines = [`${result.name}: ${result.description}`];
  if (result.database?.kind === 'pglite') lines.push(`  database  ${result.database.note}`);
  else if (result.database)
    lines.push(`  database  PostgreSQL (throwaway ${result.database.name}, dropped afterwards)`);
  const { settings } = result;
  if (settings) {
    lines.push(
      `  lighthouse ${settings.lighthouse}, ${settings.preset} preset (${settings.throttling}), ${settings.browser}`,
      `  runs      ${settings.runs} per page, interleaved; the median run by performance is shown`,
    );
  }
  const load = result.environment?.load;
  const cpuCount = result.environment?.cpus;
  if (load && cpuCount && Math.max(load.before, load.after) > cpuCount) {
    lines.push(
      `  !!! machine busy: load average ${formatLoad(load.before)} before, ${formatLoad(load.after)} after, on ${cpuCount} CPUs;` +
        ' performance (TBT above all) reads lower than on an idle machine',
    );
  }
  lines.push(
    '',
    table([
      ['', 'path', 'performance', 'accessibility', 'FCP', 'LCP', 'TBT', 'CLS', 'SI', 'performance by run'],
      ...result.pages.map((page) => [
        page.label,
        page.path,
        scoreCell(page.scores.performance),
        scoreCell(page.scores.accessibility),
        ...['FCP', 'LCP', 'TBT', 'CLS', 'SI'].map(
          (key) => page.metrics[key]?.display?.replace(/\u00a0/g, ' ') ?? 'n/a',
        ),
        (page.runs ?? []).map((run) => scoreCell(run.scores.performance)).join(' / '),
      ]),
    ]),
    '',
  );
  for (const page of result.pages) {
    const failed = page.failedAudits.accessibility;
    if (!failed.length) continue;
    lines.push(`  failed accessibility audits on ${page.label} (${page.path}):`);
    for (const audit of failed) {
      lines.push(
        `    - ${audit.id} (weight ${audit.weight}, ${audit.items} element${audit.items === 1 ? '' : 's'}): ${audit.title}`,
      );
      for (const node of audit.nodes) lines.push(`        ${node.selector ?? node.label ?? node.snippet}`);
    }
  }
  const low = result.pages.flatMap((page) =>
    CATEGORIES.filter((category) => (page.scores[category] ?? -1) < result.target.minScore).map(
      (category) => `${page.label} ${category}`,
    ),
  );
  lines.push(
    `  target every score >= ${result.target.minScore}   ${result.verdict}${low.length ? `   (below: ${low.join(', ')})` : ''}`,
  );
  if (result.problems.length)
    lines.push('', '  BENCHMARK ERRORED (scores are not valid):', ...result.problems.map((p) => `    - ${p}`));
  return `${lines.join('\n')}\n`;
}

function formatLoad(value) {
  return Number.isFinite(value) ? value.toFixed(1) : 'n/a';
}

function scoreCell(score) {
  return score === null ? 'n/a' : String(score);
}
