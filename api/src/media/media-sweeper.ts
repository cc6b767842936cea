import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { AssetsRepository } from './assets.repository.js';
import { JobDispatcher } from './job-dispatcher.js';
import { JobsRepository } from './jobs.repository.js';
import { UploadsService } from './uploads.service.js';

const SWEEP_EVERY_MS = 60_000;
const REQUEUE_AFTER_MS = 10 * 60_000;

/**
 * Housekeeping: expires abandoned uploads (deleting their parts) and re-sends jobs that sat
 * queued too long (their message may have been lost between the commit and the send).
 */
@Injectable()
export class MediaSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MediaSweeper');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly uploads: UploadsService,
    private readonly jobs: JobsRepository,
    private readonly assets: AssetsRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.env.BACKGROUND_TASKS) return;
    this.timer = setInterval(
      () => void this.sweep().catch((error: unknown) => this.logger.error(String(error))),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    await this.uploads.expireStale();
    const stale = await this.jobs.staleQueued(new Date(this.clock.now().getTime() - REQUEUE_AFTER_MS));
    for (const job of stale) {
      const asset = await this.assets.findById(job.assetId);
      if (!asset || asset.status === 'deleted') continue;
      await this.jobs.transition(job.id, ['queued'], { progress: 0 });
      await this.dispatcher.dispatch(job, asset.sourceKey);
      this.logger.warn(`Re-sent job ${job.id} (asset ${job.assetId}), queued since ${job.updatedAt.toISOString()}`);
    }
  }
}
