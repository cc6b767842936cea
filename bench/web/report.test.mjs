import { describe, expect, it } from 'vitest';
import {
  buildWebResult,
  failedAudits,
  formatWebReport,
  medianRun,
  summarizePage,
  toScore,
  verdictOf,
} from './report.mjs';

const binary = (score, extra = {}) => ({ title: `title ${score}`, score, scoreDisplayMode: 'binary', ...extra });

/** The parts of a Lighthouse result (LHR) the report reads. */
const lhrOf = ({ performance = 0.95, accessibility = 0.98, finalUrl = 'http://127.0.0.1:1/', audits = {} } = {}) => ({
  finalDisplayedUrl: finalUrl,
  runWarnings: [],
  categories: {
    performance: { score: performance, auditRefs: [] },
    accessibility: {
      score: accessibility,
      auditRefs: [
        { id: 'color-contrast', weight: 7 },
        { id: 'image-alt', weight: 10 },
        { id: 'list', weight: 0 },
        { id: 'aria-roles', weight: 7 },
      ],
    },
  },
  audits: {
    'first-contentful-paint': { numericValue: 812, displayValue: '0.8\u00a0s' },
    'color-contrast': binary(0, {
      details: { items: [{ node: { selector: 'p.muted', snippet: '<p class="muted">', nodeLabel: 'Hi' } }, {}] },
    }),
    'image-alt': binary(1),
    list: binary(0),
    'aria-roles': { ...binary(null), scoreDisplayMode: 'notApplicable' },
    ...audits,
  },
});

describe('toScore', () => {
  it('turns 0..1 into 0..100 and keeps a missing score missing', () => {
    expect(toScore(0.905)).toBe(91);
    expect(toScore(1)).toBe(100);
    expect(toScore(null)).toBeNull();
  });
});

describe('failedAudits', () => {
  it('lists weighted, scored audits below 1 with the blamed elements', () => {
    expect(failedAudits(lhrOf(), 'accessibility')).toEqual([
      {
        id: 'color-contrast',
        title: 'title 0',
        weight: 7,
        score: 0,
        items: 2,
        nodes: [{ selector: 'p.muted', snippet: '<p class="muted">', label: 'Hi' }],
      },
    ]);
  });
});

describe('summarizePage', () => {
  it('reads scores and metrics', () => {
    const { page, problems } = summarizePage({ label: 'home', path: '/', lhr: lhrOf() });
    expect(problems).toEqual([]);
    expect(page.scores).toEqual({ performance: 95, accessibility: 98 });
    expect(page.metrics.FCP).toEqual({ value: 812, display: '0.8\u00a0s' });
    expect(page.metrics.LCP).toBeNull();
  });

  it('treats a redirect to the sign-in page and a missing score as a broken run', () => {
    const { problems } = summarizePage({
      label: 'home',
      path: '/',
      lhr: lhrOf({ finalUrl: 'http://127.0.0.1:1/login?redirect=/', performance: null }),
    });
    expect(problems).toEqual(['home: ended on /login instead of / (session lost?)', 'home: no performance score']);
  });
});

describe('medianRun', () => {
  const run = (performance) => ({ scores: { performance, accessibility: 100 } });

  it('picks the median performance run, the lower middle one for an even count', () => {
    expect(medianRun([run(91), run(70), run(85)]).scores.performance).toBe(85);
    expect(medianRun([run(91), run(70)]).scores.performance).toBe(70);
    expect(medianRun([run(null), run(90), run(95)]).scores.performance).toBe(90);
    expect(() => medianRun([])).toThrow();
  });
});

describe('verdict and report', () => {
  const page = (performance, accessibility) =>
    summarizePage({ label: 'home', path: '/', lhr: lhrOf({ performance, accessibility }) }).page;

  it('passes only when every score of every page reaches 90', () => {
    expect(verdictOf([page(0.9, 0.95), page(1, 1)])).toBe('PASS');
    expect(verdictOf([page(0.9, 0.95), page(0.89, 1)])).toBe('FAIL');
  });

  it('prints the scores, the failed audits and the verdict', () => {
    const result = buildWebResult({
      name: 'web',
      description: 'demo',
      pages: [page(0.8, 0.95)],
      problems: [],
      startedAt: 'a',
      finishedAt: 'b',
      environment: { cpus: 2, load: { before: 1.2, after: 4.5 } },
      database: { kind: 'postgres', name: 'aleflix_bench_x' },
      settings: { lighthouse: '13.5.0', preset: 'desktop', throttling: 'simulated', browser: 'Chrome/1' },
    });
    result.pages[0].runs = [{ scores: { performance: 80 } }, { scores: { performance: 85 } }];
    const text = formatWebReport(result);
    expect(text).toContain('80 / 85');
    expect(text).toContain('machine busy: load average 1.2 before, 4.5 after, on 2 CPUs');
    expect(text).toMatch(/home\s+\/\s+80\s+95\s+0\.8 s/);
    expect(text).toContain('- color-contrast (weight 7, 2 elements): title 0');
    expect(text).toContain('p.muted');
    expect(text).toContain('target every score >= 90   FAIL   (below: home performance)');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
