import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleRef } from '@nestjs/core';
import { WorkerMetrics } from '@aleflix/workers';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AppConfig } from '../src/config/app-config.js';
import { MetricsService } from '../src/observability/metrics.service.js';
import { RateLimitMetrics } from '../src/rate-limit/rate-limit.metrics.js';
import { RedisConnection } from '../src/redis/redis.connection.js';

const DIR = resolve(fileURLToPath(new URL('../../deploy/observability', import.meta.url)));
const read = (path: string) => readFileSync(join(DIR, path), 'utf8');
const yaml = (path: string) => parse(read(path)) as Record<string, any>;

/** Every series name a registry exposes: histograms as _bucket/_sum/_count, summaries as _sum/_count. */
async function seriesNames(registry: Registry): Promise<string[]> {
  const names: string[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    // prom-client's typings say a numeric enum; at run time the type is its name.
    const type = String(metric.type);
    if (type === 'histogram') names.push(`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`);
    else if (type === 'summary') names.push(metric.name, `${metric.name}_sum`, `${metric.name}_count`);
    else names.push(metric.name);
  }
  return names;
}

/**
 * The real registries: the API's MetricsService (no database needed to list it) with the
 * metrics other providers register on it, and the worker's. The rate-limit counters come from
 * RateLimitMetrics; the Redis circuit gauge from RedisConnection, only with REDIS_URL (it
 * starts connecting at once, to a closed port here, and is shut down straight away).
 */
async function exportedNames(): Promise<Set<string>> {
  const api = new MetricsService({} as DataSource, {} as ModuleRef);
  new RateLimitMetrics(api);
  const redisEnv = { REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: 'observability-assets:' };
  await new RedisConnection({ env: redisEnv } as unknown as AppConfig, api).onApplicationShutdown();
  return new Set([...(await seriesNames(api.registry)), ...(await seriesNames(new WorkerMetrics().registry))]);
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords or label names. */
export function metricNames(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*/g)) {
    const followedBy = stripped.slice(match.index + match[0].length).trimStart();
    if (followedBy.startsWith('(') || KEYWORDS.has(match[0].toLowerCase())) continue;
    names.push(match[0]);
  }
  return names;
}

interface DashboardPanel {
  title: string;
  type: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: DashboardPanel[];
}

function dashboardPanels(): DashboardPanel[] {
  const dashboard = JSON.parse(read('grafana/dashboards/aleflix.json')) as { panels: DashboardPanel[] };
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

function alertRules(): Array<{
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}> {
  return (yaml('alerts.yml').groups as Array<{ rules: any[] }>).flatMap((group) => group.rules);
}

describe('deploy/observability', () => {
  it('parses every YAML and JSON file', () => {
    const files = (function walk(dir: string): string[] {
      return readdirSync(join(DIR, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    })('.');
    const configs = files.filter((file) => /\.(ya?ml|json)$/.test(file));
    expect(configs.length).toBeGreaterThanOrEqual(7);
    for (const file of configs) {
      const parsed: unknown = file.endsWith('.json') ? JSON.parse(read(file)) : parse(read(file));
      expect(parsed, file).toBeTypeOf('object');
    }
  });

  it('finds metric names in PromQL the way Prometheus reads them', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le, route) (rate(x_bucket{route!~"/a/.*"}[5m]))) > 1 and y_total'),
    ).toEqual(['x_bucket', 'y_total']);
    expect(metricNames('max by (queue) (aleflix_dead_letter_messages) > 0')).toEqual(['aleflix_dead_letter_messages']);
  });

  it('alerts only on metrics AleFlix exports: dead letters, job failures, API p99, Redis, rate-limit store', async () => {
    const exported = await exportedNames();
    const rules = alertRules();
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'AleflixDeadLettersNotEmpty',
        'AleflixJobFailureRateHigh',
        'AleflixApiLatencyP99High',
        'AleflixRedisCircuitOpen',
        'AleflixRateLimitStoreFailing',
      ]),
    );
    const ruleOf = (name: string) => rules.find((rule) => rule.alert === name);
    expect(metricNames(ruleOf('AleflixRedisCircuitOpen')!.expr)).toEqual(['aleflix_redis_circuit_open']);
    expect(ruleOf('AleflixRedisCircuitOpen')!.for).toMatch(/^[2-9]m$/);
    expect(metricNames(ruleOf('AleflixRateLimitStoreFailing')!.expr)).toEqual([
      'aleflix_rate_limit_store_failures_total',
    ]);
    for (const rule of rules) {
      const names = metricNames(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${rule.alert} uses ${name}`).toContain(name);
      expect(rule.labels?.severity, rule.alert).toBeTruthy();
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('builds every dashboard panel on exported metrics, and shows every AleFlix metric somewhere', async () => {
    const exported = await exportedNames();
    const panels = dashboardPanels();
    expect(panels.filter((panel) => panel.type === 'row').map((panel) => panel.title)).toEqual([
      'API',
      'Pipeline',
      'Cache',
      'Rate limits and Redis',
    ]);
    const used = new Set<string>();
    for (const panel of panels.filter((candidate) => candidate.type !== 'row')) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const names = metricNames(target.expr ?? '');
        expect(names.length, panel.title).toBeGreaterThan(0);
        for (const name of names) {
          expect(exported, `panel "${panel.title}" uses ${name}`).toContain(name);
          used.add(name.replace(/_(bucket|sum|count)$/, ''));
        }
      }
    }
    const families = [...exported]
      .filter((name) => name.startsWith('aleflix_'))
      .map((name) => name.replace(/_(bucket|sum|count)$/, ''));
    for (const family of new Set(families)) expect(used, `dashboard shows ${family}`).toContain(family);
    // Including the metrics registered outside MetricsService.
    for (const family of [
      'aleflix_rate_limited_requests_total',
      'aleflix_rate_limit_store_failures_total',
      'aleflix_redis_circuit_open',
    ])
      expect(used, `dashboard shows ${family}`).toContain(family);
  });

  it('wires the compose services to files that exist and to each other', () => {
    const compose = yaml('docker-compose.yml');
    const services = compose.services as Record<string, { volumes?: string[]; image?: string }>;
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['jaeger', 'prometheus', 'grafana', 'otel-collector']),
    );
    const mounts = new Map<string, Map<string, string>>();
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/:[\w.-]+$/);
      const targets = new Map<string, string>();
      for (const volume of service.volumes ?? []) {
        const [source, target] = volume.split(':') as [string, string];
        expect(existsSync(join(DIR, source)), `${name} mounts ${source}`).toBe(true);
        targets.set(target, source);
      }
      mounts.set(name, targets);
    }

    // Prometheus loads the alert rules from where compose mounts them.
    const prometheus = yaml('prometheus.yml');
    for (const rules of prometheus.rule_files as string[])
      expect(mounts.get('prometheus')?.get(rules)).toBe('./alerts.yml');
    expect(mounts.get('prometheus')?.get('/etc/prometheus/prometheus.yml')).toBe('./prometheus.yml');
    const targets = (
      prometheus.scrape_configs as Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>
    ).map((config) => [config.job_name, config.static_configs[0]!.targets[0]]);
    expect(targets).toEqual([
      ['aleflix-api', 'host.docker.internal:3000'],
      ['aleflix-worker', 'host.docker.internal:9464'],
    ]);

    // Grafana: the provider reads the folder compose mounts, the dashboard uses provisioned data sources.
    const provider = yaml('grafana/provisioning/dashboards/dashboards.yml').providers[0] as {
      options: { path: string };
    };
    const dashboards = mounts.get('grafana')?.get(provider.options.path);
    expect(dashboards).toBe('./grafana/dashboards');
    expect(existsSync(join(DIR, dashboards!, 'aleflix.json'))).toBe(true);
    expect(mounts.get('grafana')?.get('/etc/grafana/provisioning')).toBe('./grafana/provisioning');
    const datasources = yaml('grafana/provisioning/datasources/datasources.yml').datasources as Array<{
      uid: string;
      url: string;
    }>;
    const uids = new Set(datasources.map((source) => source.uid));
    for (const panel of dashboardPanels().filter((candidate) => candidate.type !== 'row')) {
      expect(uids, panel.title).toContain(panel.datasource?.uid);
    }
    for (const source of datasources) expect(Object.keys(services)).toContain(new URL(source.url).hostname);

    // The collector forwards to the Jaeger service, and its pipeline names only defined parts.
    const collector = yaml('otel-collector.yaml');
    expect(mounts.get('otel-collector')?.get('/etc/otelcol/config.yaml')).toBe('./otel-collector.yaml');
    expect(collector.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
    const pipeline = collector.service.pipelines.traces as Record<string, string[]>;
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const part of pipeline[kind]!) expect(Object.keys(collector[kind]), `${kind} ${part}`).toContain(part);
    }
  });
});
