import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JobEventSchema, type MessageQueue, type ReceivedMessage } from '@aleflix/core';
import { AppConfig } from '../config/app-config.js';
import { inJobEventSpan } from '../observability/job-event-tracing.js';
import { EVENTS_QUEUE } from './media.tokens.js';
import { JobEventsService } from './job-events.service.js';

const VISIBILITY_SECONDS = 30;
const WAIT_SECONDS = 2;

/** Drains the events queue into the database while the API runs. */
@Injectable()
export class JobEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobEventsConsumer');
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** Settles when shutdown begins, so that a long poll in progress does not hold it up. */
  private readonly stopped = new Promise<'stopped'>((resolve) =>
    this.stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
  );

  constructor(
    private readonly config: AppConfig,
    @Inject(EVENTS_QUEUE) private readonly queue: MessageQueue,
    private readonly events: JobEventsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.env.BACKGROUND_TASKS) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.loop;
  }

  /** Receives and applies one batch; returns how many messages it handled. */
  async drainOnce(waitSeconds = 0): Promise<number> {
    const messages = await this.queue.receive({
      maxMessages: 10,
      visibilityTimeoutSeconds: VISIBILITY_SECONDS,
      waitSeconds,
    });
    for (const message of messages) await this.handle(message);
    return messages.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const receiving = this.queue.receive({
        maxMessages: 10,
        visibilityTimeoutSeconds: VISIBILITY_SECONDS,
        waitSeconds: WAIT_SECONDS,
      });
      let messages: ReceivedMessage[] | 'stopped';
      try {
        messages = await Promise.race([receiving, this.stopped]);
      } catch (error) {
        this.logger.error(`Receiving job events failed: ${error instanceof Error ? error.message : String(error)}`);
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 1000)), this.stopped]);
        continue;
      }
      if (messages === 'stopped') {
        // Shutdown does not wait out the long poll: whatever it still returns goes back at once.
        receiving.then(
          (late) => this.release(late),
          () => undefined,
        );
        return;
      }
      for (const message of messages) await this.handle(message);
    }
  }

  private async release(messages: readonly ReceivedMessage[]): Promise<void> {
    for (const message of messages) {
      await this.queue.changeVisibility(message.receipt, 0).catch(() => undefined);
    }
  }

  private async handle(message: ReceivedMessage): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.body);
    } catch {
      parsed = undefined;
    }
    const event = JobEventSchema.safeParse(parsed);
    if (!event.success) {
      // A message we cannot understand will never become valid: drop it loudly.
      this.logger.error(`Dropping invalid job event ${message.id}: ${event.error.issues[0]?.message ?? 'not JSON'}`);
      await this.queue.delete(message.receipt);
      return;
    }
    try {
      await inJobEventSpan(message, event.data, () => this.events.apply(event.data));
      await this.queue.delete(message.receipt);
    } catch (error) {
      // Left undeleted: it becomes visible again and is retried, then dead-lettered.
      this.logger.error(
        `Applying ${event.data.type} for job ${event.data.jobId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
