import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { AssetsRepository } from '../media/assets.repository.js';
import { JobsRepository } from '../media/jobs.repository.js';
import type { EventsFilter, JobEventMessage } from './events.dto.js';
import { toSnapshotMessage } from './events.mapper.js';

/** Without a filter the snapshot lists the jobs in flight, up to this many (running ones first). */
const IN_FLIGHT_SNAPSHOT_LIMIT = 200;

/** What a new subscriber is told first: the current state of what it asked to watch. */
@Injectable()
export class EventsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly assets: AssetsRepository,
  ) {}

  /** A filter naming an unknown (or deleted) asset or job is a 404, before any upgrade. */
  async check(filter: EventsFilter): Promise<void> {
    if (filter.jobId) {
      const job = await this.jobs.findById(filter.jobId);
      if (!job || (filter.assetId && job.assetId !== filter.assetId)) throw ApiError.notFound('Job');
    }
    if (filter.assetId) {
      const asset = await this.assets.findById(filter.assetId);
      if (!asset || asset.status === 'deleted') throw ApiError.notFound('Asset');
    }
  }

  /**
   * The watched job, the asset's latest job, or (no filter) the queued and running jobs.
   * Finished jobs are included, so a client that connects late learns that it is over.
   */
  async snapshot(filter: EventsFilter): Promise<JobEventMessage[]> {
    if (filter.jobId) {
      const job = await this.jobs.findById(filter.jobId);
      return job && (!filter.assetId || job.assetId === filter.assetId) ? [toSnapshotMessage(job)] : [];
    }
    if (filter.assetId) {
      const job = await this.jobs.latestForAsset(filter.assetId);
      return job ? [toSnapshotMessage(job)] : [];
    }
    return (await this.jobs.inFlight(IN_FLIGHT_SNAPSHOT_LIMIT)).map(toSnapshotMessage);
  }

  /** GET /events without an upgrade: the same snapshot, as JSON. */
  async current(filter: EventsFilter): Promise<{ items: JobEventMessage[] }> {
    await this.check(filter);
    return { items: await this.snapshot(filter) };
  }
}
