import { MediaError, type MediaLogger, type ObjectStorage } from '@aleflix/core';

export interface HeartbeatOptions {
  /** Keeps the delivery invisible for another `visibilityTimeoutSeconds`. */
  extendVisibility(seconds: number): Promise<void>;
  visibilityTimeoutSeconds: number;
  storage: ObjectStorage;
  /** The job's source: when it disappears the asset was deleted and the job is cancelled. */
  sourceKey: string;
  /** Aborted with a `transcode_cancelled` MediaError when the source disappears. */
  cancel: AbortController;
  logger: MediaLogger;
  jobId: string;
}

const STOP_WAIT_MS = 10_000;

export interface Heartbeat {
  /** Stops the beats and waits for one in progress, so no extension lands after the message is settled. */
  stop(): Promise<void>;
}

/**
 * Every third of the visibility timeout (at least every second): extend the delivery's
 * invisibility, then check that the source still exists. A beat that fails is logged and
 * the next one tries again; beats never overlap.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const everyMs = Math.max(1_000, (options.visibilityTimeoutSeconds * 1000) / 3);
  let beating: Promise<void> | undefined;
  const beat = async () => {
    // An aborted job is about to settle its message (a worker stopping releases it): an
    // extension now could only keep it hidden from the worker that should take it next.
    if (options.cancel.signal.aborted) return;
    try {
      await options.extendVisibility(options.visibilityTimeoutSeconds);
      if (!options.cancel.signal.aborted && !(await options.storage.head(options.sourceKey))) {
        options.cancel.abort(new MediaError('transcode_cancelled', 'The source was deleted (asset deleted)'));
      }
    } catch (error) {
      options.logger.warn('heartbeat failed', { jobId: options.jobId, error: String(error) });
    }
  };
  const timer = setInterval(() => {
    beating ??= beat().finally(() => {
      beating = undefined;
    });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (!beating) return;
      // Bounded: a queue call that hangs must not hold the job's clean-up forever.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([beating, new Promise((resolve) => (bound = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(bound);
    },
  };
}
