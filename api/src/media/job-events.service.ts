import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JobEvent, JobFailedEvent, JobReadyEvent, ObjectStorage } from '@aleflix/core';
import { AssetsRepository } from './assets.repository.js';
import type { JobEntity } from './job.entity.js';
import { JobsRepository } from './jobs.repository.js';
import { OBJECT_STORAGE } from './media.tokens.js';

/**
 * Applies worker events to the database. Delivery is at-least-once and events of an old
 * attempt may arrive late, so every transition is conditional: events for another attempt
 * are ignored, terminal states stick, and outputs nobody points to are deleted.
 */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger('JobEvents');

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly jobs: JobsRepository,
    private readonly assets: AssetsRepository,
  ) {}

  async apply(event: JobEvent): Promise<void> {
    const job = await this.jobs.findById(event.jobId);
    if (!job || job.attempt !== event.attempt || job.assetId !== event.assetId) {
      this.logger.warn(`Ignoring ${event.type} event for unknown job ${event.jobId} attempt ${event.attempt}`);
      if (event.type === 'ready') await this.discard(event.outputPrefix);
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
        await this.jobs.repo().manager.transaction(async (manager) => {
          if (await this.jobs.transition(job.id, ['queued', 'running'], changes, manager)) {
            await this.assets.transition(job.assetId, ['queued'], { status: 'processing' }, manager);
          }
        });
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
    if (previousPrefix && previousPrefix !== event.outputPrefix) await this.discard(previousPrefix);
  }

  private async failed(job: JobEntity, event: JobFailedEvent): Promise<void> {
    // Job and asset change together, so nobody reads a failed job on a still-processing asset.
    await this.jobs.repo().manager.transaction(async (manager) => {
      const changed = await this.jobs.transition(
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
      if (!changed) return;
      const asset = await this.assets.findById(job.assetId, manager);
      if (!asset || asset.status === 'deleted') return;
      // A failed re-transcode leaves the asset playable from its previous outputs.
      const status = asset.outputPrefix ? 'ready' : 'failed';
      await this.assets.transition(
        job.assetId,
        ['queued', 'processing', 'ready', 'failed'],
        { status, errorCode: event.code, errorMessage: event.message.slice(0, 2000) },
        manager,
      );
    });
  }

  private async discard(prefix: string): Promise<void> {
    if (!prefix.startsWith('assets/') || !prefix.endsWith('/')) return;
    const removed = await this.storage.deletePrefix(prefix);
    if (removed > 0) this.logger.log(`Removed ${removed} unreferenced output objects under ${prefix}`);
  }
}
