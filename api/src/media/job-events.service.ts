import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { JobEvent, JobFailedEvent, JobReadyEvent, ObjectStorage } from '@aleflix/core';
import { CacheService } from '../cache/cache.service.js';
import { JobEventsBus } from '../events/events.bus.js';
import { toJobEventMessage } from '../events/events.mapper.js';
import { MetricsService } from '../observability/metrics.service.js';
import { AssetsRepository } from './assets.repository.js';
import type { JobEntity } from './job.entity.js';
import { JobsRepository } from './jobs.repository.js';
import { OBJECT_STORAGE } from './media.tokens.js';

/**
 * Applies worker events to the database. Delivery is at-least-once and events of an old
 * attempt may arrive late, so every transition is conditional: events for another attempt
 * are ignored, terminal states stick, and outputs nobody points to are deleted. Only a
 * transition that happened is published to live subscribers; ignored events are not.
 */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger('JobEvents');

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly jobs: JobsRepository,
    private readonly assets: AssetsRepository,
    private readonly bus: JobEventsBus,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() private readonly cache?: CacheService,
  ) {}

  async apply(event: JobEvent): Promise<void> {
    const job = await this.jobs.findById(event.jobId);
    if (!job || job.attempt !== event.attempt || job.assetId !== event.assetId) {
      this.logger.warn(`Ignoring ${event.type} event for unknown job ${event.jobId} attempt ${event.attempt}`);
      if (event.type === 'ready') await this.discard(event.outputPrefix);
      return;
    }
    if (repeatsOrRewinds(event, job)) {
      this.logger.debug(`Ignoring a repeated or out-of-order ${event.type} event for job ${event.jobId}`);
      return;
    }
    const at = new Date(event.at);
    switch (event.type) {
      case 'started':
      case 'progress': {
        const changes =
          event.type === 'started'
            ? { status: 'running' as const, startedAt: at, workerId: event.workerId, progress: 0 }
            : {
                status: 'running' as const,
                workerId: event.workerId,
                progress: event.percent,
                speed: event.speed,
                etaSeconds: event.etaSeconds,
              };
        const won = await this.jobs.repo().manager.transaction(async (manager) => {
          if (!(await this.jobs.transition(job.id, ['queued', 'running'], changes, manager))) return false;
          await this.assets.transition(job.assetId, ['queued'], { status: 'processing' }, manager);
          return true;
        });
        if (won) this.bus.publish(toJobEventMessage(event, job));
        return;
      }
      case 'ready':
        return this.ready(job, event);
      case 'failed':
        return this.failed(job, event);
    }
  }

  private async ready(job: JobEntity, event: JobReadyEvent): Promise<void> {
    const asset = await this.assets.findById(job.assetId);
    if (!asset || asset.status === 'deleted') {
      await this.discard(event.outputPrefix);
      return;
    }
    const previousPrefix = asset.outputPrefix;
    const promoted = await this.jobs.repo().manager.transaction(async (manager) => {
      const won = await this.jobs.transition(
        job.id,
        ['queued', 'running'],
        { status: 'succeeded', progress: 100, etaSeconds: 0, workerId: event.workerId, finishedAt: new Date(event.at) },
        manager,
      );
      if (!won) return false;
      const prefix = event.outputPrefix;
      await this.assets.transition(
        job.assetId,
        ['queued', 'processing', 'ready', 'failed'],
        {
          status: 'ready',
          outputPrefix: prefix,
          masterPlaylist: event.masterPlaylist,
          posterKey: event.poster,
          spriteKey: event.thumbnails?.sprite ?? null,
          thumbnailsVttKey: event.thumbnails?.vtt ?? null,
          durationSeconds: event.media.durationSeconds,
          width: event.media.width,
          height: event.media.height,
          videoCodec: event.media.videoCodec,
          audioCodec: event.media.audioCodec,
          renditions: event.renditions,
          errorCode: null,
          errorMessage: null,
        },
        manager,
      );
      return true;
    });
    if (!promoted) {
      // A duplicate run of a finished attempt: keep the promoted outputs, drop these.
      if (event.outputPrefix !== asset.outputPrefix) await this.discard(event.outputPrefix);
      return;
    }
    // Playback serves the promoted outputs from now on. (started/progress change no ready
    // asset, and playback caches only ready ones, so they need no invalidation.)
    await this.cache?.invalidate('playback');
    this.bus.publish(toJobEventMessage(event, job));
    this.metrics?.observeJobFinished(event);
    if (previousPrefix && previousPrefix !== event.outputPrefix) await this.discard(previousPrefix);
    await this.discardOtherRuns(job.outputPrefix, event.outputPrefix);
  }

  /**
   * Runs of this attempt that lost: a worker killed while uploading leaves a `run-*` folder
   * nobody will promote. Only the API knows which run won, so only it may sweep them; a run
   * still uploading finds `done.json` before it writes and removes its own folder.
   */
  private async discardOtherRuns(attemptPrefix: string, promoted: string): Promise<void> {
    const runs = new Set<string>();
    for await (const { key } of this.storage.list(attemptPrefix)) {
      const run = /^(run-[^/]+\/)/.exec(key.slice(attemptPrefix.length))?.[1];
      if (run && attemptPrefix + run !== promoted) runs.add(attemptPrefix + run);
    }
    for (const prefix of runs) await this.discard(prefix);
  }

  private async failed(job: JobEntity, event: JobFailedEvent): Promise<void> {
    // Job and asset change together, so nobody reads a failed job on a still-processing asset.
    const changed = await this.jobs.repo().manager.transaction(async (manager) => {
      const won = await this.jobs.transition(
        job.id,
        ['queued', 'running'],
        {
          status: 'failed',
          errorCode: event.code,
          errorMessage: event.message.slice(0, 2000),
          workerId: event.workerId,
          finishedAt: new Date(event.at),
        },
        manager,
      );
      if (!won) return false;
      const asset = await this.assets.findById(job.assetId, manager);
      if (!asset || asset.status === 'deleted') return true;
      // A failed re-transcode leaves the asset playable from its previous outputs.
      const status = asset.outputPrefix ? 'ready' : 'failed';
      await this.assets.transition(
        job.assetId,
        ['queued', 'processing', 'ready', 'failed'],
        { status, errorCode: event.code, errorMessage: event.message.slice(0, 2000) },
        manager,
      );
      return true;
    });
    if (changed) await this.cache?.invalidate('playback');
    if (changed) this.bus.publish(toJobEventMessage(event, job));
    if (changed) this.metrics?.observeJobFinished(event);
  }

  private async discard(prefix: string): Promise<void> {
    if (!prefix.startsWith('assets/') || !prefix.endsWith('/')) return;
    const removed = await this.storage.deletePrefix(prefix);
    if (removed > 0) this.logger.log(`Removed ${removed} unreferenced output objects under ${prefix}`);
  }
}

/**
 * A `started` or `progress` of a running job that would change nothing or move it backwards:
 * the same message delivered again, or a late one from an earlier run of this attempt (a run
 * starts over after a worker crash, and its `started` resets the progress). Applying it would
 * rewind the progress and tell live subscribers something old as if it were new.
 */
function repeatsOrRewinds(event: JobEvent, job: JobEntity): boolean {
  if ((event.type !== 'started' && event.type !== 'progress') || job.status !== 'running' || !job.startedAt) {
    return false;
  }
  const at = new Date(event.at);
  if (event.type === 'started') return at <= job.startedAt;
  return at < job.startedAt || event.percent <= job.progress;
}
