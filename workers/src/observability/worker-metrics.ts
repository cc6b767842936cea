import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobEventSchema, type JobEvent, type MessageQueue, type SendOptions } from '@aleflix/core';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { TranscodeMetrics } from './transcode-metrics.js';

/** What a standalone worker exports on WORKER_METRICS_PORT. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly transcodes = new TranscodeMetrics(this.registry);
  private readonly events = new Counter({
    name: 'aleflix_worker_job_events_total',
    help: 'Job events this worker sent, by type (started, progress, ready, failed)',
    labelNames: ['type'],
    registers: [this.registry],
  });

  private inFlight: () => number = () => 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const jobsInFlight = () => this.inFlight();
    new Gauge({
      name: 'aleflix_worker_jobs_in_flight',
      help: 'Jobs this worker is running now',
      registers: [this.registry],
      collect() {
        this.set(jobsInFlight());
      },
    });
  }

  /** Where the in-flight gauge reads from on every scrape (the poller). */
  trackInFlight(inFlight: () => number): void {
    this.inFlight = inFlight;
  }

  observeEvent(event: JobEvent): void {
    this.events.inc({ type: event.type });
    if (event.type === 'ready') this.transcodes.observe(event.encodeSeconds, event.media.durationSeconds);
  }
}

/**
 * The events queue, counting what the handler sends through it. The worker's metrics come
 * from the same events the API applies, so both sides measure a transcode the same way
 * (a `ready` re-sent after a redelivery is counted again here; the API counts it once).
 */
export function observeSentEvents(queue: MessageQueue, onEvent: (event: JobEvent) => void): MessageQueue {
  const observe = (body: string) => {
    try {
      const event = JobEventSchema.safeParse(JSON.parse(body));
      if (event.success) onEvent(event.data);
    } catch {
      // Not an event: nothing to count.
    }
  };
  // A proxy rather than a wrapper class keeps the queue's optional methods exactly as they are.
  return new Proxy(queue, {
    get(target, property, receiver) {
      if (property === 'send') {
        return async (body: string, options?: SendOptions) => {
          const id = await target.send(body, options);
          observe(body);
          return id;
        };
      }
      if (property === 'sendBatch') {
        return async (entries: Array<{ body: string; options?: SendOptions }>) => {
          const ids = await target.sendBatch(entries);
          for (const entry of entries) observe(entry.body);
          return ids;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in the Prometheus text format; everything else is a 404. */
export async function startMetricsServer(registry: Registry, port: number, host: string): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // Scrapes must not keep a stopping worker alive.
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
