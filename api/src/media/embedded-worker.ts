import { hostname, tmpdir } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { LogFields, MediaLogger, MessageQueue, ObjectStorage } from '@aleflix/core';
import { createTranscodeHandler, startPoller, workerDrainMs, type Poller } from '@aleflix/workers';
import { AppConfig } from '../config/app-config.js';
import { EVENTS_QUEUE, JOBS_QUEUE, OBJECT_STORAGE } from './media.tokens.js';

const VISIBILITY_SECONDS = 120;
/**
 * On embedded defaults the transcoding worker runs inside the API process, so one
 * `npm start` brings up everything. It is the same handler and poller the standalone
 * worker runs; it only gets its queues and storage from the API.
 */
@Injectable()
export class EmbeddedWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedWorker');
  private poller: Poller | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(JOBS_QUEUE) private readonly jobs: MessageQueue,
    @Inject(EVENTS_QUEUE) private readonly events: MessageQueue,
    private readonly config: AppConfig,
  ) {}

  private get drainMs(): number {
    return workerDrainMs(this.config.env.SHUTDOWN_GRACE_MS);
  }

  get enabled(): boolean {
    return this.config.env.EMBEDDED_WORKER ?? !this.config.env.SQS_JOBS_QUEUE_URL;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || !this.config.env.BACKGROUND_TASKS) return;
    const logger = nestLogger(this.logger);
    const handle = createTranscodeHandler({
      storage: this.storage,
      events: this.events,
      logger,
      workerId: `embedded:${hostname()}:${process.pid}`,
      tmpRoot: tmpdir(),
      maxAttempts: this.config.env.JOB_MAX_ATTEMPTS,
      visibilityTimeoutSeconds: VISIBILITY_SECONDS,
      transcodeOptions: {
        limits: {
          maxDurationSeconds: this.config.env.MEDIA_MAX_DURATION_SECONDS,
          maxWidth: this.config.env.MEDIA_MAX_WIDTH,
          maxHeight: this.config.env.MEDIA_MAX_HEIGHT,
        },
      },
    });
    this.poller = startPoller({
      queue: this.jobs,
      handle,
      logger,
      concurrency: this.config.env.WORKER_CONCURRENCY,
      visibilityTimeoutSeconds: VISIBILITY_SECONDS,
      waitSeconds: 2,
      drainTimeoutMs: this.drainMs,
      // A message no worker can read is parked with its reason (visible through
      // GET /jobs/dead-letters) rather than deleted; only a queue with nowhere to park it
      // deletes it.
      onPoison: async (message, reason) => {
        if (!(await this.jobs.deadLetterMessage?.(message, reason))) await this.jobs.delete(message.receipt);
      },
    });
    this.logger.log(`Embedded transcoding worker started (concurrency ${this.config.env.WORKER_CONCURRENCY})`);
  }

  /**
   * Stops taking jobs, lets running ones finish within the drain budget, then aborts them and
   * releases their messages. Idempotent: the server calls it as soon as the shutdown signal
   * arrives, so that it runs alongside the HTTP drain (Nest would call the shutdown hook only
   * after the HTTP server has closed) and its budget counts from the signal, as the grace does.
   */
  stop(): Promise<void> {
    if (!this.stopping) {
      const running = this.poller?.inFlight ?? 0;
      if (this.poller) {
        this.logger.log(
          `Embedded transcoding worker stopping${running ? ` (${running} running; up to ${this.drainMs} ms to finish)` : ''}`,
        );
      }
      this.stopping = this.poller?.stop() ?? Promise.resolve();
    }
    return this.stopping;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

function nestLogger(logger: Logger): MediaLogger {
  const format = (message: string, fields?: LogFields) =>
    fields && Object.keys(fields).length ? `${message} ${JSON.stringify(fields)}` : message;
  return {
    info: (message, fields) => logger.log(format(message, fields)),
    warn: (message, fields) => logger.warn(format(message, fields)),
    error: (message, fields) => logger.error(format(message, fields)),
  };
}
