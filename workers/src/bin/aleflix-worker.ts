#!/usr/bin/env node
import { hostname, tmpdir } from 'node:os';
import { consoleLogger } from '../console-logger.js';
import { startPoller } from '../poller.js';
import { createTranscodeHandler } from '../transcode-handler.js';
import { createWorkerAdapters, loadWorkerConfig, transcodeOptionsFrom, WorkerConfigError } from '../worker-config.js';

/**
 * `aleflix-worker`: a long-running transcoding worker for SQS. Stops gracefully on SIGTERM
 * or SIGINT: receives nothing more, finishes running jobs within SHUTDOWN_GRACE_MS, else
 * releases them for another worker. A second signal exits at once.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = consoleLogger({ service: 'aleflix-worker' });
  const adapters = createWorkerAdapters(config);
  const workerId = config.WORKER_ID ?? `${hostname()}:${process.pid}`;
  const handle = createTranscodeHandler({
    storage: adapters.storage,
    events: adapters.events,
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
    drainTimeoutMs: config.SHUTDOWN_GRACE_MS,
  });
  logger.info('worker started', { workerId, concurrency: config.WORKER_CONCURRENCY });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal; exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    logger.info('stopping', { signal, inFlight: poller.inFlight });
    poller.stop().then(
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

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof WorkerConfigError ? error.message : `aleflix-worker failed: ${String(error)}`}\n`,
  );
  process.exit(1);
});
