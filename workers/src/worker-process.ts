import { hostname, tmpdir } from 'node:os';
import { consoleLogger } from './console-logger.js';
import type { Telemetry } from './observability/telemetry.js';
import { observeSentEvents, startMetricsServer, WorkerMetrics } from './observability/worker-metrics.js';
import { startPoller } from './poller.js';
import { workerDrainMs } from './shutdown.js';
import { createTranscodeHandler } from './transcode-handler.js';
import { createWorkerAdapters, loadWorkerConfig, transcodeOptionsFrom } from './worker-config.js';

/**
 * The body of `aleflix-worker`: a long-running transcoding worker for SQS. Stops gracefully
 * on SIGTERM or SIGINT, the way the API stops its embedded worker: receives nothing more,
 * lets running jobs finish for SHUTDOWN_GRACE_MS minus a margin (workerDrainMs), then aborts
 * them and releases their messages for another worker, and exits 0. If that has not ended
 * when the whole grace is over (a hung queue, storage or span export), it exits 1 anyway: an
 * orchestrator would SIGKILL it soon after, and a process that does not stop must not hold a
 * rollout. A second signal exits at once. With WORKER_METRICS_PORT it serves Prometheus
 * metrics; spans are flushed before exit.
 */
export async function runWorkerProcess(telemetry: Telemetry): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = consoleLogger({ service: 'aleflix-worker' }, { level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const adapters = createWorkerAdapters(config);
  const workerId = config.WORKER_ID ?? `${hostname()}:${process.pid}`;
  const metrics = new WorkerMetrics();
  const handle = createTranscodeHandler({
    storage: adapters.storage,
    events: observeSentEvents(adapters.events, (event) => metrics.observeEvent(event)),
    logger,
    workerId,
    tmpRoot: tmpdir(),
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
    transcodeOptions: transcodeOptionsFrom(config),
  });
  const poller = startPoller({
    queue: adapters.jobs,
    handle,
    logger,
    concurrency: config.WORKER_CONCURRENCY,
    visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
    drainTimeoutMs: workerDrainMs(config.SHUTDOWN_GRACE_MS),
  });
  metrics.trackInFlight(() => poller.inFlight);
  const metricsServer =
    config.WORKER_METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer(metrics.registry, config.WORKER_METRICS_PORT, config.WORKER_METRICS_HOST);
  logger.info('worker started', {
    workerId,
    concurrency: config.WORKER_CONCURRENCY,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    tracing: telemetry.enabled,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal; exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    // Counted from the signal, as an orchestrator counts its termination grace period, and
    // unref'd: it must never be what keeps the process alive.
    const force = setTimeout(() => {
      logger.error('shutdown took longer than the grace; exiting', { graceMs: config.SHUTDOWN_GRACE_MS });
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    force.unref();
    logger.info('stopping', {
      signal,
      inFlight: poller.inFlight,
      drainMs: workerDrainMs(config.SHUTDOWN_GRACE_MS),
      graceMs: config.SHUTDOWN_GRACE_MS,
    });
    poller
      .stop()
      .then(async () => {
        await metricsServer?.close();
        await telemetry.shutdown().catch(() => {});
      })
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error('could not stop cleanly', { error: String(error) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
