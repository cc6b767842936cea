import type { MediaLogger, MessageQueue, ReceivedMessage } from '@aleflix/core';
import type { DeliveryControls, Outcome } from './transcode-handler.js';

export interface PollerOptions {
  queue: MessageQueue;
  handle: (message: ReceivedMessage, controls: DeliveryControls) => Promise<Outcome>;
  logger: MediaLogger;
  concurrency: number;
  visibilityTimeoutSeconds: number;
  /** Long-poll wait per receive. */
  waitSeconds?: number;
  /**
   * How long running jobs may take to finish after stop() before they are aborted and
   * released. Keep it below the process's own deadline (see workerDrainMs in shutdown.ts).
   */
  drainTimeoutMs?: number;
  /**
   * How long a failed delivery stays invisible before its retry, by receive count (the
   * first entry after the first delivery, and so on; the last entry repeats).
   */
  retryBackoffSeconds?: readonly number[];
  /**
   * Called for poison messages instead of the default: dead-letter them with their reason
   * (`queue.deadLetterMessage`, visible through GET /jobs/dead-letters), or delete them when
   * the queue has nowhere to park them.
   */
  onPoison?: (message: ReceivedMessage, reason: string) => Promise<void>;
}

export interface Poller {
  /** Resolves when the loop has stopped and every in-flight job has finished or been released. */
  stop(): Promise<void>;
  readonly inFlight: number;
}

const DEFAULT_RETRY_BACKOFF_SECONDS = [10, 30, 90];

/**
 * The long-running worker loop: receives up to `concurrency` jobs at a time and turns each
 * outcome into delete (done), a delayed release (retry) or dead-lettering (poison). On stop it
 * receives nothing more (a long poll in progress is not waited for: whatever it brings back
 * later is released at once), lets running jobs finish for `drainTimeoutMs`, then aborts
 * them and releases their messages so another worker takes them at once.
 */
export function startPoller(options: PollerOptions): Poller {
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();
  const stopped = new Promise<'stopped'>((resolve) =>
    stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
  );
  const jobsAbort = new AbortController();
  const waitSeconds = options.waitSeconds ?? 10;
  const backoff = options.retryBackoffSeconds?.length ? options.retryBackoffSeconds : DEFAULT_RETRY_BACKOFF_SECONDS;

  const settle = async (message: ReceivedMessage, outcome: Outcome) => {
    if (outcome.kind === 'done') await options.queue.delete(message.receipt);
    else if (outcome.kind === 'poison') {
      options.logger.error('poison message', { messageId: message.id, reason: outcome.reason });
      if (options.onPoison) await options.onPoison(message, outcome.reason);
      else await deadLetterPoison(options.queue, message, outcome.reason, options.logger);
    } else {
      const delay = jobsAbort.signal.aborted ? 0 : (backoff[Math.min(message.receiveCount, backoff.length) - 1] ?? 0);
      await options.queue.changeVisibility(message.receipt, delay);
    }
  };

  const runOne = async (message: ReceivedMessage) => {
    const cleanups: Array<() => Promise<void>> = [];
    const controls: DeliveryControls = {
      extendVisibility: (seconds) => options.queue.changeVisibility(message.receipt, seconds),
      signal: jobsAbort.signal,
      // Run after the settle below, so a job aborted at shutdown is released before its
      // clean-up; the job still holds its slot (and stop() still waits) until that is done.
      afterSettled: (cleanup) => void cleanups.push(cleanup),
    };
    let outcome: Outcome;
    try {
      outcome = await options.handle(message, controls);
    } catch (error) {
      outcome = { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
    try {
      await settle(message, outcome);
    } catch (error) {
      options.logger.warn('could not settle message; it will be redelivered', {
        messageId: message.id,
        error: String(error),
      });
    }
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) =>
        options.logger.warn('could not clean up after a job', { messageId: message.id, error: String(error) }),
      );
    }
  };

  /** Messages received while stopping go straight back to the queue. */
  const release = async (messages: readonly ReceivedMessage[]) => {
    for (const message of messages) {
      await options.queue.changeVisibility(message.receipt, 0).catch((error: unknown) =>
        options.logger.warn('could not release a message received while stopping', {
          messageId: message.id,
          error: String(error),
        }),
      );
    }
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const free = options.concurrency - running.size;
      if (free <= 0) {
        await Promise.race([...running, stopped]);
        continue;
      }
      const receiving = options.queue.receive({
        maxMessages: Math.min(free, 10),
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
        waitSeconds: running.size > 0 ? 1 : waitSeconds,
      });
      let messages: ReceivedMessage[] | 'stopped';
      try {
        messages = await Promise.race([receiving, stopped]);
      } catch (error) {
        options.logger.error('receive failed', { error: String(error) });
        await Promise.race([sleep(1000), stopped]);
        continue;
      }
      if (messages === 'stopped' || stopping.signal.aborted) {
        // Do not hold up shutdown for a long poll; give back whatever it returns.
        receiving.then(release, () => undefined);
        break;
      }
      for (const message of messages) {
        const task = runOne(message).finally(() => running.delete(task));
        running.add(task);
      }
    }
  })();

  return {
    get inFlight() {
      return running.size;
    },
    async stop() {
      stopping.abort();
      await loop;
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), options.drainTimeoutMs ?? 30_000);
      });
      const drained = await Promise.race([Promise.all(running).then(() => true), timedOut]);
      clearTimeout(timer);
      if (!drained) {
        options.logger.warn('jobs still running at shutdown; releasing them', { inFlight: running.size });
        jobsAbort.abort();
        await Promise.all(running);
      }
    },
  };
}

/**
 * A message no worker can read (not JSON, unknown version, unusable keys) would fail every
 * delivery the same way: it is parked in the dead letters at once, with the reason, where
 * GET /jobs/dead-letters (or the SQS DLQ) shows it. Only when it cannot be parked (no dead
 * letters to park it in) is it deleted. If parking fails (SQS unreachable), the error reaches
 * the caller and the message comes back after its visibility timeout, to be parked then, or
 * moved by the redrive policy once it was received `maxReceiveCount` times.
 */
export async function deadLetterPoison(
  queue: MessageQueue,
  message: ReceivedMessage,
  reason: string,
  logger: MediaLogger,
): Promise<'dead-lettered' | 'deleted'> {
  if (await queue.deadLetterMessage?.(message, reason)) {
    logger.info('poison message dead-lettered', { messageId: message.id, queue: queue.name, reason });
    return 'dead-lettered';
  }
  await queue.delete(message.receipt);
  // No dead letters to park it in, or a stale receipt (another delivery owns the message now).
  logger.warn('poison message deleted: it could not be dead-lettered', { messageId: message.id, queue: queue.name });
  return 'deleted';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
