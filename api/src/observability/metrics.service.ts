import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JobFailedEvent, JobReadyEvent, MessageQueue, QueueStats } from '@aleflix/core';
import { TranscodeMetrics } from '@aleflix/workers';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { JOB_STATUSES, type JobStatus } from '../media/job.entity.js';
import { EVENTS_QUEUE_NAME, JOBS_QUEUE_NAME } from '../media/media.adapters.js';
import { EVENTS_QUEUE, JOBS_QUEUE } from '../media/media.tokens.js';

/** A queue to read on each scrape; `carriesJobs` for the transcode jobs queue (a queued job's message waits there). */
interface ScrapedQueue {
  queue: MessageQueue;
  carriesJobs: boolean;
}

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
  /** Request duration children per method, status and route (see keptChild). */
  private readonly httpSeries = new Map<string, { observe(seconds: number): void }>();
  /** Cache lookup counters per cache and result (see keptChild). */
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
    help:
      'Age of the oldest waiting message, by queue (0 when none). SQS cannot tell it, so there ' +
      `${JOBS_QUEUE_NAME} reports the age of the oldest job still queued (not yet started by a worker), ` +
      `and ${EVENTS_QUEUE_NAME} only 0 when SQS counts no waiting message, else nothing`,
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
    await Promise.all([this.collectJobs(), ...this.queues().map((scraped) => this.collectQueue(scraped))]);
    return this.registry.metrics();
  }

  /** `route` is the route template (`/titles/:id`), never the raw URL: one series per endpoint. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    keptChild(this.httpSeries, `${method} ${status} ${route}`, () =>
      this.httpDuration.labels({ method, route, status: String(status) }),
    ).observe(seconds);
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
    keptChild(this.cacheSeries, `${cache}:${hit}`, () =>
      this.cacheRequests.labels({ cache, result: hit ? 'hit' : 'miss' }),
    ).inc();
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

  private async collectQueue({ queue, carriesJobs }: ScrapedQueue): Promise<void> {
    try {
      const [stats, dead] = await Promise.all([queue.stats(), queue.deadLetterCount?.()]);
      const labels = { queue: queue.name };
      this.queueDepth.set(labels, stats.visible);
      this.queueInFlight.set(labels, stats.inFlight);
      const oldestAge = await this.oldestAgeSeconds(queue, stats, carriesJobs);
      if (oldestAge === undefined) this.queueOldestAge.remove(labels);
      else this.queueOldestAge.set(labels, oldestAge);
      if (dead !== undefined) this.deadLetters.set(labels, dead);
    } catch (error) {
      this.logger.warn(`Could not read queue ${queue.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * The oldest-message age of a queue, undefined when nothing can tell it (the series is then
   * left out rather than guessed). The database queue knows it (null there: none waiting). SQS
   * does not (`tellsMessageAge`): GetQueueAttributes has no such attribute (only CloudWatch's
   * ApproximateAgeOfOldestMessage has, a metric the API does not read), and peeking would count
   * as a receive towards the redrive limit. Dead-letter queues have no age series at all, only
   * their size (aleflix_dead_letter_messages).
   */
  private async oldestAgeSeconds(
    queue: MessageQueue,
    stats: QueueStats,
    carriesJobs: boolean,
  ): Promise<number | undefined> {
    if (stats.oldestAgeSeconds !== null) return stats.oldestAgeSeconds;
    if (queue.tellsMessageAge) return 0;
    // A job stays `queued` from its insert (its message is sent right after that commit) until
    // a worker's `started` event reaches the API, so the oldest queued job is the transcode
    // backlog's wait. It is not the message's age: a started job whose message is back in the
    // queue (its worker died) stays `running` and is not counted, a cancelled job's leftover
    // message is not counted, and a queued job whose message was lost is (until re-sent).
    if (carriesJobs) return this.oldestQueuedJobAgeSeconds();
    // Nothing records when a job event was sent: 0 only when SQS counts nothing waiting.
    return stats.visible === 0 ? 0 : undefined;
  }

  /** Since the oldest `queued` job was created (0 when none), on the database's clock, which set created_at. */
  private async oldestQueuedJobAgeSeconds(): Promise<number> {
    const [row]: Array<{ age: number | string | null }> = await this.dataSource.query(
      'SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM jobs WHERE status = $1',
      ['queued' satisfies JobStatus],
    );
    return row?.age === null || row?.age === undefined ? 0 : Math.max(0, Number(row.age));
  }

  /** The queues of the media module, looked up when scraped so metrics do not depend on media's wiring. */
  private queues(): ScrapedQueue[] {
    const found: ScrapedQueue[] = [];
    for (const token of [JOBS_QUEUE, EVENTS_QUEUE]) {
      try {
        found.push({
          queue: this.moduleRef.get<MessageQueue>(token, { strict: false }),
          carriesJobs: token === JOBS_QUEUE,
        });
      } catch {
        // Not part of this application (a test module without media).
      }
    }
    return found;
  }
}

/**
 * The child of a labelled metric for one series, made once and kept in `children`: prom-client
 * would otherwise hash the label set on every call, and these run on every request.
 */
function keptChild<T>(children: Map<string, T>, series: string, make: () => T): T {
  let child = children.get(series);
  if (!child) {
    child = make();
    children.set(series, child);
  }
  return child;
}
