import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ObjectStorage } from '@aleflix/core';
import { AuditService } from '../audit/audit.service.js';
import { CacheService } from '../cache/cache.service.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { decodeTimeCursor, timePage } from '../common/paging.js';
import { JobEventsBus } from '../events/events.bus.js';
import { toAssetDeletedMessage } from '../events/events.mapper.js';
import { ASSET_STATUSES, type AssetEntity, type AssetStatus } from './asset.entity.js';
import { AssetsRepository } from './assets.repository.js';
import { AttachmentResolver } from './attachment.resolver.js';
import { JobDispatcher } from './job-dispatcher.js';
import { JobsRepository } from './jobs.repository.js';
import type { AssetView, Attachment, ListAssetsQuery } from './media.dto.js';
import { toAssetView } from './media.mapper.js';
import { OBJECT_STORAGE } from './media.tokens.js';
import { objectKeys } from './object-keys.js';

const NOT_DELETED: AssetStatus[] = ASSET_STATUSES.filter((status) => status !== 'deleted');

@Injectable()
export class AssetsService {
  private readonly logger = new Logger('Assets');

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly assets: AssetsRepository,
    private readonly jobs: JobsRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly attachments: AttachmentResolver,
    private readonly audit: AuditService,
    private readonly bus: JobEventsBus,
    private readonly clock: Clock,
    @Optional() private readonly cache?: CacheService,
  ) {}

  async list(query: ListAssetsQuery): Promise<{ items: AssetView[]; nextCursor: string | null }> {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.assets.page(
      { ...(query.status ? { status: query.status } : {}), ...(query.titleId ? { titleId: query.titleId } : {}) },
      query.limit,
      after ? { createdAt: after.at, id: after.id } : undefined,
    );
    const { page, nextCursor } = timePage(rows, query.limit, (asset) => asset.createdAt);
    // One query for the latest job of every asset on the page, not one per asset.
    const jobs = await this.jobs.latestForAssets(page.map((asset) => asset.id));
    return { items: page.map((asset) => toAssetView(asset, jobs.get(asset.id) ?? null)), nextCursor };
  }

  async get(id: string): Promise<AssetView> {
    const asset = await this.find(id);
    return toAssetView(asset, await this.jobs.latestForAsset(id));
  }

  /**
   * Deletes the source and every output. A running job is marked cancelled; its worker
   * notices the source is gone and stops, and anything it still writes is removed when its
   * events arrive.
   */
  async remove(id: string): Promise<void> {
    const asset = await this.find(id);
    const before = await this.get(asset.id);
    // Conditional, so that of two concurrent deletes only one tells the subscribers.
    const deleted = await this.assets.transition(asset.id, NOT_DELETED, {
      status: 'deleted',
      outputPrefix: null,
      masterPlaylist: null,
    });
    await this.cache?.invalidate('playback');
    const job = await this.jobs.latestForAsset(asset.id);
    if (job) await this.jobs.transition(job.id, ['queued', 'running'], { status: 'cancelled', finishedAt: new Date() });
    if (deleted) await this.announceDeleted(asset.id);
    const removed = await this.storage.deletePrefix(objectKeys.assetRoot(asset.id));
    this.logger.log(`Deleted asset ${asset.id} (${removed} objects)`);
    await this.audit.record({ action: 'asset.delete', targetType: 'asset', targetId: asset.id, before });
  }

  /**
   * Pushes `asset.deleted` to live subscribers (GET /events), with the asset's latest job as the
   * deletion left it, then ends the streams watching the asset. An asset deleted before its
   * upload completed has no job and no message: its watchers' streams just end.
   */
  private async announceDeleted(assetId: string): Promise<void> {
    const job = await this.jobs.latestForAsset(assetId);
    if (job) this.bus.publish(toAssetDeletedMessage(job, this.clock.now()));
    this.bus.publishAssetGone(assetId);
  }

  /** Transcodes again into a fresh attempt prefix; the current outputs stay until it succeeds. */
  async retranscode(id: string, traceparent?: string): Promise<AssetView> {
    const asset = await this.find(id);
    if (asset.status !== 'ready' && asset.status !== 'failed') {
      throw new ApiError('asset_busy', `Asset is ${asset.status}; retry when it is ready or failed`);
    }
    const previous = await this.jobs.latestForAsset(asset.id);
    const attempt = (previous?.attempt ?? 0) + 1;
    const job = await this.assets.repo().manager.transaction(async (manager) => {
      await this.assets.update(
        asset.id,
        { status: asset.status === 'failed' ? 'queued' : 'ready', errorCode: null, errorMessage: null },
        manager,
      );
      return this.jobs.insert(
        { assetId: asset.id, attempt, outputPrefix: objectKeys.attempt(asset.id, attempt) },
        manager,
      );
    });
    await this.cache?.invalidate('playback');
    await this.dispatcher.dispatch(job, asset.sourceKey, traceparent);
    const after = await this.get(asset.id);
    await this.audit.record({ action: 'asset.retranscode', targetType: 'asset', targetId: asset.id, after });
    return after;
  }

  async attach(id: string, attachment: Attachment): Promise<AssetView> {
    const asset = await this.find(id);
    const target = await this.attachments.resolve(attachment);
    const before = await this.get(asset.id);
    await this.assets.update(asset.id, target);
    await this.cache?.invalidate('playback');
    return this.recordChange('asset.attach', before);
  }

  async detach(id: string): Promise<AssetView> {
    const asset = await this.find(id);
    const before = await this.get(asset.id);
    await this.assets.update(asset.id, { titleId: null, episodeId: null });
    await this.cache?.invalidate('playback');
    return this.recordChange('asset.detach', before);
  }

  private async recordChange(action: string, before: AssetView): Promise<AssetView> {
    const after = await this.get(before.id);
    await this.audit.record({ action, targetType: 'asset', targetId: before.id, before, after });
    return after;
  }

  private async find(id: string): Promise<AssetEntity> {
    const asset = await this.assets.findById(id);
    if (!asset || asset.status === 'deleted') throw ApiError.notFound('Asset');
    return asset;
  }
}
