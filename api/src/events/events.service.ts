import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import type { AssetEntity } from '../media/asset.entity.js';
import { AssetsRepository } from '../media/assets.repository.js';
import { JobsRepository } from '../media/jobs.repository.js';
import { JobEventsBus } from './events.bus.js';
import type { EventsFilter, JobEventMessage } from './events.dto.js';
import { toSnapshotMessage } from './events.mapper.js';
import type { EventSubscriber } from './events.subscriber.js';

/** Without a filter the snapshot lists the jobs in flight, up to this many (running ones first). */
const IN_FLIGHT_SNAPSHOT_LIMIT = 200;

/** An asset nobody may watch any more: unknown, or deleted (rows stay, marked deleted). */
const isGone = (asset: AssetEntity | null): boolean => !asset || asset.status === 'deleted';

/** What a new subscriber is told first: the current state of what it asked to watch. */
@Injectable()
export class EventsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly assets: AssetsRepository,
    private readonly bus: JobEventsBus,
  ) {}

  /** A filter naming an unknown (or deleted) asset or job is a 404, before any upgrade. */
  async check(filter: EventsFilter): Promise<void> {
    if (filter.jobId) {
      const job = await this.jobs.findById(filter.jobId);
      if (!job || (filter.assetId && job.assetId !== filter.assetId)) throw ApiError.notFound('Job');
    }
    if (filter.assetId && isGone(await this.assets.findById(filter.assetId))) throw ApiError.notFound('Asset');
  }

  /**
   * Feeds an upgraded socket that passed `check(filter)`: the bus from now on, the snapshot
   * first (events meanwhile are held back until it is out), and the end of the stream once the
   * watched asset is deleted. Resolves once the snapshot is sent; rejects when it could not be
   * read (the caller closes the socket).
   *
   * The asset may have been deleted since the check, and its "gone" announcement then went out
   * before anyone here listened: the socket would stay open forever. So the order is: subscribe
   * first, so nothing published from now on is missed, and then read the asset's state (with
   * the snapshot), so nothing done before is missed. A deletion is either seen by that read or
   * heard on the bus (it is announced after its database change), whichever way the two
   * interleave; when both happen, the second close of the socket is a no-op.
   */
  async stream(subscriber: EventSubscriber, filter: EventsFilter): Promise<void> {
    // Synchronously, before any await: this call is the moment the stream starts listening.
    const unsubscribe = this.bus.subscribe((message) => subscriber.deliver(message));
    const unsubscribeGone = this.bus.subscribeAssetGone((assetId) => subscriber.assetGone(assetId));
    void subscriber.closed.then(() => {
      unsubscribe();
      unsubscribeGone();
    });
    // The asset before the jobs: if it is already deleted, the job read then more likely sees
    // the deletion's cancel too.
    const { assetId } = filter;
    const gone = assetId && isGone(await this.assets.findById(assetId)) ? assetId : undefined;
    const snapshot = await this.snapshot(filter);
    // Deleted before we listened (or meanwhile): end the stream as the announcement would have,
    // after the snapshot and whatever arrived while it was read.
    if (gone) subscriber.assetGone(gone);
    subscriber.start(snapshot);
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
