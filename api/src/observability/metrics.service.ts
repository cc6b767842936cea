import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JobFailedEvent, JobReadyEvent, MessageQueue } from '@aleflix/core';
import { TranscodeMetrics } from '@aleflix/workers';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { JOB_STATUSES } from '../media/job.entity.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from '../media/media.tokens.js';

/** Request durations: a cached read takes milliseconds, an upload part or a segment seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The API's Prometheus metrics (served at GET /metrics). Counters and histograms are updated
 * where things happen; the job and queue gauges are read from the database and the queues
 * when Prometheus scrapes, so every API instance reports the same, current numbers.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly transcodes = new TranscodeMetrics(this.registry);

  private readonly httpDuration = new Histogram({
    name: 'aleflix_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly httpSeries = new Map<string, { observe(seconds: number): void }>();
  /** Cache lookup counters per cache and result, kept for the same reason. */
  private readonly cacheSeries = new Map<string, { inc(): void }>();
  private readonly jobsFinished = new Counter({
    name: 'aleflix_jobs_finished_total',
    help: 'Transcode jobs that reached a final state in this process, by status (succeeded, failed)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly cacheRequests = new Counter({
    name: 'aleflix_cache_requests_total',
    help: 'Cache lookups by cache and result (hit, miss)',
    labelNames: ['cache', 'result'],
    registers: [this.registry],
  });
  private readonly uploadBytes = new Counter({
    name: 'aleflix_upload_bytes_total',
    help: 'Bytes of upload parts stored: through the API, or straight to storage via presigned URLs (counted on completion)',
    labelNames: ['via'],
    registers: [this.registry],
  });
  private readonly jobs = new Gauge({
    name: 'aleflix_jobs',
    help: 'Transcode jobs in the database by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: 'aleflix_queue_depth',
    help: 'Messages waiting to be received, by queue (approximate on SQS)',
    labelNames: ['queue'],
    registers: [this.registry],
  });
  private readonly queueInFlight = new Gauge({
    name: 'aleflix_queue_in_flight_messages',
    help: 'Messages received and not yet deleted, by queue (approximate on SQS)',
    labelNames: ['queue'],
    registers: [this.registry],
  });
  private readonly queueOldestAge = new Gauge({
    name: 'aleflix_queue_oldest_message_age_seconds',
    help: 'Age of the oldest waiting message, by queue (0 when empty; not reported for SQS, see CloudWatch)',
    labelNames: ['queue'],
    registers: [this.registry],
  });
  private readonly deadLetters = new Gauge({
    name: 'aleflix_dead_letter_messages',
    help: 'Messages in the dead letters of a queue',
    labelNames: ['queue'],
    registers: [this.registry],
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition, with the gauges read fresh. */
  async render(): Promise<string> {
    await Promise.all([this.collectJobs(), ...this.queues().map((queue) => this.collectQueue(queue))]);
    return this.registry.metrics();
  }

  /** `route` is the route template (`/titles/:id`), never the raw URL: one series per endpoint. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    // One child per series, kept: prom-client would otherwise hash the label set on every request.
    const series = `${method} ${status} ${route}`;
    let child = this.httpSeries.get(series);
    if (!child) {
      child = this.httpDuration.labels({ method, route, status: String(status) });
      this.httpSeries.set(series, child);
    }
    child.observe(seconds);
  }

  /** A job's `ready` or `failed` event was applied (once per job, however often it was delivered). */
  observeJobFinished(event: JobReadyEvent | JobFailedEvent): void {
    if (event.type === 'ready') {
      this.jobsFinished.inc({ status: 'succeeded' });
      this.transcodes.observe(event.encodeSeconds, event.media.durationSeconds);
    } else {
      this.jobsFinished.inc({ status: 'failed' });
    }
  }

  /** For every cache (sessions now, the catalog cache later): the hit ratio is hits / all. */
  recordCacheLookup(cache: string, hit: boolean): void {
    const series = `${cache}:${hit}`;
    let child = this.cacheSeries.get(series);
    if (!child) {
      child = this.cacheRequests.labels({ cache, result: hit ? 'hit' : 'miss' });
      this.cacheSeries.set(series, child);
    }
    child.inc();
  }

  recordUploadBytes(bytes: number, via: 'api' | 'presigned'): void {
    if (bytes > 0) this.uploadBytes.inc({ via }, bytes);
  }

  private async collectJobs(): Promise<void> {
    try {
      const rows: Array<{ status: string; count: number | string }> = await this.dataSource.query(
        'SELECT status, count(*)::int AS count FROM jobs GROUP BY status',
      );
      for (const status of JOB_STATUSES) this.jobs.set({ status }, 0);
      for (const row of rows) this.jobs.set({ status: row.status }, Number(row.count));
    } catch (error) {
      this.logger.warn(`Could not count jobs: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async collectQueue(queue: MessageQueue): Promise<void> {
    try {
      const [stats, dead] = await Promise.all([queue.stats(), queue.deadLetterCount?.()]);
      const labels = { queue: queue.name };
      this.queueDepth.set(labels, stats.visible);
      this.queueInFlight.set(labels, stats.inFlight);
      // null means "none waiting" for the database queue, "unknown" for SQS (it has no cheap way to tell).
      if (stats.oldestAgeSeconds !== null || stats.visible === 0)
        this.queueOldestAge.set(labels, stats.oldestAgeSeconds ?? 0);
      else this.queueOldestAge.remove(labels);
      if (dead !== undefined) this.deadLetters.set(labels, dead);
    } catch (error) {
      this.logger.warn(`Could not read queue ${queue.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The queues of the media module, looked up when scraped so metrics do not depend on media's wiring. */
  private queues(): MessageQueue[] {
    const found: MessageQueue[] = [];
    for (const token of [JOBS_QUEUE, EVENTS_QUEUE]) {
      try {
        found.push(this.moduleRef.get<MessageQueue>(token, { strict: false }));
      } catch {
        // Not part of this application (a test module without media).
      }
    }
    return found;
  }
}
