import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  isMediaError,
  JobMessageSchema,
  MediaError,
  ObjectNotFoundError,
  transcode,
  validateObjectKey,
  type MediaLogger,
  type MessageQueue,
  type ObjectStorage,
  type ReceivedMessage,
  type TranscodeJob,
  type TranscodeOptions,
} from '@aleflix/core';
import { readDoneMarker, writeDoneMarker, type ReadyBody } from './done-marker.js';
import { JobEventPublisher, ProgressSender } from './events.js';
import { startHeartbeat } from './heartbeat.js';
import { inJobSpan, inJobStep } from './observability/job-tracing.js';
import { uploadOutputs } from './outputs.js';
import { createWorkDir, sweepStaleWorkDirs } from './work-dirs.js';

/** How often a busy handler looks for abandoned work folders again (see work-dirs.ts). */
const SWEEP_EVERY_MS = 15 * 60_000;

/** What became of one delivery; the entrypoint turns it into delete / release / dead-letter. */
export type Outcome = { kind: 'done' } | { kind: 'retry'; reason: string } | { kind: 'poison'; reason: string };

export interface DeliveryControls {
  /** Keeps the message invisible while the job runs (SQS ChangeMessageVisibility). */
  extendVisibility(seconds: number): Promise<void>;
  /** Aborted when the process must stop (SIGTERM, Lambda about to time out). */
  signal: AbortSignal;
  /**
   * When given, the handler hands over the clean-up of the delivery (its temporary folder,
   * and the outputs of a run that was stopped half way) instead of doing it before it
   * returns, and the caller runs it once the message is settled. The poller does: a job
   * aborted at shutdown has its message released first, so another worker can take it while
   * the (possibly slow) removal goes on. Without it (the Lambda, whose records are settled
   * only when the whole batch returns) the handler cleans up before returning.
   */
  afterSettled?(cleanup: () => Promise<void>): void;
}

export interface TranscodeHandlerDeps {
  storage: ObjectStorage;
  events: MessageQueue;
  logger: MediaLogger;
  workerId: string;
  /**
   * Parent folder for per-delivery work folders. Stale ones (left by a worker that was
   * killed) are swept when the handler is created, and again before a job once
   * SWEEP_EVERY_MS has passed since the last sweep.
   */
  tmpRoot: string;
  /** Deliveries beyond this count fail the job instead of retrying. */
  maxAttempts: number;
  /** Also sets the heartbeat: every third of it (at least every second). */
  visibilityTimeoutSeconds: number;
  transcodeOptions?: TranscodeOptions;
}

/**
 * Handles one transcode message: everything from the source object to the ready event.
 * Framework-free and database-free, so the Lambda handler, the long-running poller and the
 * API's embedded worker all run exactly this.
 *
 * At-least-once delivery is safe: each run uploads into its own `run-<uuid>/` folder under
 * the job's output prefix, the master playlist last, then writes `done.json` beside those
 * folders; a delivery that finds `done.json` only re-sends its ready event.
 */
export function createTranscodeHandler(deps: TranscodeHandlerDeps) {
  // A worker killed mid-job (SIGKILL, OOM) leaves its work folder behind: sweep on start, and
  // now and then afterwards, for folders that only age can tell are abandoned (work-dirs.ts).
  let lastSweep = 0;
  const sweep = () => {
    lastSweep = Date.now();
    sweepStaleWorkDirs(deps.tmpRoot).then(
      ({ removed, failed }) => {
        if (removed.length > 0)
          deps.logger.info('removed stale work folders', { tmpRoot: deps.tmpRoot, folders: removed });
        if (failed.length > 0)
          deps.logger.warn('could not remove stale work folders', { tmpRoot: deps.tmpRoot, failed });
      },
      (error: unknown) =>
        deps.logger.warn('could not sweep stale work folders', { tmpRoot: deps.tmpRoot, error: String(error) }),
    );
  };
  sweep();

  const handle = async function handle(message: ReceivedMessage, controls: DeliveryControls): Promise<Outcome> {
    const parsed = parseJob(message.body);
    if (typeof parsed === 'string') return { kind: 'poison', reason: parsed };
    const job = parsed;
    if (controls.signal.aborted) return { kind: 'retry', reason: 'worker stopping' };
    const publisher = new JobEventPublisher(deps.events, job, deps.workerId, message.attributes.traceparent);
    // receiveCount tells a redelivery (a worker died or timed out) from a first run in the logs.
    const log = (text: string, fields: Record<string, unknown> = {}) =>
      deps.logger.info(text, {
        jobId: job.jobId,
        assetId: job.assetId,
        attempt: job.attempt,
        receiveCount: message.receiveCount,
        ...fields,
      });

    // At-least-once delivery: a finished attempt only re-announces its result.
    const finished = await readDoneMarker(deps.storage, job, deps.logger);
    if (finished) {
      log('attempt already finished; re-sending its ready event');
      await publisher.publish('ready', finished);
      return { kind: 'done' };
    }

    if (Date.now() - lastSweep >= SWEEP_EVERY_MS) sweep();
    const work = await createWorkDir(deps.tmpRoot, job.jobId);
    const workDir = work.path;
    const abort = new AbortController();
    const onStop = () => abort.abort(new MediaError('transcode_cancelled', 'The worker is stopping'));
    controls.signal.addEventListener('abort', onStop, { once: true });
    // A stop that came while the done marker was read or the folder made fired no event here.
    if (controls.signal.aborted) onStop();
    const heartbeat = startHeartbeat({
      extendVisibility: (seconds) => controls.extendVisibility(seconds),
      visibilityTimeoutSeconds: deps.visibilityTimeoutSeconds,
      storage: deps.storage,
      sourceKey: job.sourceKey,
      cancel: abort,
      logger: deps.logger,
      jobId: job.jobId,
    });
    const progress = new ProgressSender(publisher, (error) =>
      deps.logger.warn('progress event not sent', { jobId: job.jobId, error: String(error) }),
    );
    // Set once uploading starts, cleared once done.json points at it: what to delete on failure.
    let unpromotedRun: string | undefined;
    // Settles once no output put is in flight any more (see uploadOutputs).
    let uploadsSettled: Promise<void> = Promise.resolve();
    // What the clean-up must remove besides the work folder, when it is left to it.
    let abandonedRun: string | undefined;
    try {
      abort.signal.throwIfAborted();
      await publisher.publish('started', {});
      const inputPath = join(workDir, 'source');
      await download(deps.storage, job.sourceKey, inputPath, abort.signal);
      const outDir = join(workDir, 'out');
      await mkdir(outDir);
      const result = await transcode({
        inputPath,
        workDir: outDir,
        logger: deps.logger,
        traceAttributes: {
          'aleflix.job_id': job.jobId,
          'aleflix.asset_id': job.assetId,
          'aleflix.attempt': job.attempt,
        },
        signal: abort.signal,
        ...(deps.transcodeOptions ? { options: deps.transcodeOptions } : {}),
        // transcode() already throttles to one report per ~2 s and always sends the final one.
        onProgress: ({ percent, speed, etaSeconds }) => progress.push({ percent, speed, etaSeconds }),
      });
      // Each run writes under its own folder, so two deliveries of one attempt never mix files.
      const runPrefix = `${job.outputPrefix}run-${randomUUID()}/`;
      unpromotedRun = runPrefix;
      const uploading = uploadOutputs(deps.storage, outDir, runPrefix, result.files, { signal: abort.signal });
      uploadsSettled = uploading.then(
        () => undefined,
        () => undefined,
      );
      // Once aborted, the run stops here rather than when the puts in flight end (they are cut
      // short, but S3 may still be completing one); the run's removal waits for them instead.
      await untilAborted(uploading, abort.signal);
      // The source may have been deleted (asset deleted) while the outputs were uploading.
      abort.signal.throwIfAborted();

      // Another delivery of this attempt (the message came back while we worked) may have
      // finished first: its result stands, ours is dropped, so the asset has one output.
      const other = await readDoneMarker(deps.storage, job, deps.logger);
      // Last point of return: an aborted run marks nothing done or ready, since its message
      // may be released and taken by another worker, whose result must be the one that counts.
      abort.signal.throwIfAborted();
      if (other) {
        log('another delivery finished this attempt first; dropping this run', { runPrefix });
        await removeRun(runPrefix);
        unpromotedRun = undefined;
        await progress.flush();
        await publisher.publish('ready', other);
        return { kind: 'done' };
      }
      const ready: ReadyBody = {
        outputPrefix: runPrefix,
        masterPlaylist: result.masterPlaylist,
        poster: result.poster,
        thumbnails: result.thumbnails,
        media: result.media,
        renditions: result.renditions,
        encodeSeconds: result.encodeSeconds,
      };
      // From here the attempt is finished whatever the signal says: the message is deleted,
      // not released, and a later delivery would only re-send this ready event.
      await writeDoneMarker(deps.storage, job, ready);
      unpromotedRun = undefined;
      await progress.flush();
      await publisher.publish('ready', ready);
      log('transcoded', { renditions: result.renditions.length, encodeSeconds: result.encodeSeconds });
      return { kind: 'done' };
    } catch (caught) {
      if (controls.signal.aborted) {
        // The worker is stopping: the message is about to be released. Nothing of this run is
        // sent after that (a send in flight is waited for), and removing its partial outputs
        // is left to the clean-up, which the poller runs after the release.
        progress.close();
        await progress.flush();
        abandonedRun = unpromotedRun;
      } else {
        if (unpromotedRun) await removeRun(unpromotedRun);
        await progress.flush();
      }
      const error = abort.signal.aborted && isMediaError(abort.signal.reason) ? abort.signal.reason : caught;
      return await fail(error);
    } finally {
      // Before the message is settled: no extension may land after a release.
      await heartbeat.stop();
      controls.signal.removeEventListener('abort', onStop);
      const cleanup = async () => {
        await Promise.all([
          abandonedRun ? removeRun(abandonedRun) : undefined,
          work
            .release()
            .catch((error: unknown) =>
              deps.logger.warn('could not remove the temporary folder', { workDir, error: String(error) }),
            ),
        ]);
      };
      if (controls.afterSettled) controls.afterSettled(cleanup);
      else await cleanup();
    }

    /** Deletes a run's outputs once no put of it is in flight, so none lands after the delete. */
    async function removeRun(prefix: string): Promise<void> {
      await uploadsSettled;
      await deps.storage
        .deletePrefix(prefix)
        .catch((error: unknown) =>
          deps.logger.warn('could not remove the outputs of an unfinished run', { prefix, error: String(error) }),
        );
    }

    async function fail(error: unknown): Promise<Outcome> {
      const media = isMediaError(error) ? error : undefined;
      // Stopping is not the job's fault: release the message for another worker, no event.
      if (controls.signal.aborted) return { kind: 'retry', reason: 'worker stopping' };
      const retryable = media ? media.retryable : true;
      const code = media?.code ?? 'transcode_failed';
      const text = error instanceof Error ? error.message : String(error);
      if (retryable && message.receiveCount < deps.maxAttempts) {
        deps.logger.warn('attempt failed; will retry', {
          jobId: job.jobId,
          code,
          message: text,
          receiveCount: message.receiveCount,
        });
        return { kind: 'retry', reason: text };
      }
      deps.logger.error('job failed', { jobId: job.jobId, code, message: text });
      await publisher.publish('failed', { code, message: text.slice(0, 2000), retryable });
      return { kind: 'done' };
    }
  };
  // One span per delivery, a child of the trace the message carries.
  return (message: ReceivedMessage, controls: DeliveryControls) =>
    inJobSpan(message, deps.workerId, () => handle(message, controls));
}

/** The job, or why the message can never be handled (a poison message). */
function parseJob(body: string): TranscodeJob | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'invalid job message: not JSON';
  }
  const parsed = JobMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `invalid job message: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`;
  }
  // Keys the storage would refuse would fail every delivery the same way.
  try {
    validateObjectKey(parsed.data.sourceKey);
    validateObjectKey(parsed.data.outputPrefix.slice(0, -1));
  } catch (error) {
    return `invalid job message: ${error instanceof Error ? error.message : String(error)}`;
  }
  return parsed.data;
}

/**
 * Follows `work`, but rejects with the signal's reason as soon as it aborts, without waiting
 * for `work` (which the caller still owns: its rejection must be handled elsewhere).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function download(storage: ObjectStorage, key: string, path: string, signal: AbortSignal): Promise<void> {
  await inJobStep('download source', { 'aleflix.storage.kind': storage.kind }, async () => {
    try {
      await pipeline(await storage.get(key), createWriteStream(path), { signal });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new MediaError('media_source_missing', `No source at ${key}`);
      throw error;
    }
  });
}
