import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { ObjectStorage } from '@aleflix/core';
import { ApiError } from '../common/api-error.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import type { AssetEntity } from './asset.entity.js';
import { AssetsRepository } from './assets.repository.js';
import { AttachmentResolver } from './attachment.resolver.js';
import { JobDispatcher } from './job-dispatcher.js';
import { JobsRepository } from './jobs.repository.js';
import type { AssetView, Attachment, ListAssetsQuery } from './media.dto.js';
import { toAssetView } from './media.mapper.js';
import { OBJECT_STORAGE } from './media.tokens.js';
import { objectKeys } from './object-keys.js';

const PageCursorSchema = z.object({ c: z.string(), i: z.uuid() });

@Injectable()
export class AssetsService {
  private readonly logger = new Logger('Assets');

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly assets: AssetsRepository,
    private readonly jobs: JobsRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly attachments: AttachmentResolver,
  ) {}

  async list(query: ListAssetsQuery): Promise<{ items: AssetView[]; nextCursor: string | null }> {
    const after = query.cursor ? decodeCursor(query.cursor, PageCursorSchema) : undefined;
    const rows = await this.assets.page(
      { ...(query.status ? { status: query.status } : {}), ...(query.titleId ? { titleId: query.titleId } : {}) },
      query.limit,
      after ? { createdAt: after.c, id: after.i } : undefined,
    );
    const page = rows.slice(0, query.limit);
    const items = await Promise.all(
      page.map(async (asset) => toAssetView(asset, await this.jobs.latestForAsset(asset.id))),
    );
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last ? encodeCursor({ c: last.createdAt.toISOString(), i: last.id }) : null;
    return { items, nextCursor };
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
    await this.assets.update(asset.id, { status: 'deleted', outputPrefix: null, masterPlaylist: null });
    const job = await this.jobs.latestForAsset(asset.id);
    if (job) await this.jobs.transition(job.id, ['queued', 'running'], { status: 'cancelled', finishedAt: new Date() });
    const removed = await this.storage.deletePrefix(objectKeys.assetRoot(asset.id));
    this.logger.log(`Deleted asset ${asset.id} (${removed} objects)`);
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
    await this.dispatcher.dispatch(job, asset.sourceKey, traceparent);
    return this.get(asset.id);
  }

  async attach(id: string, attachment: Attachment): Promise<AssetView> {
    const asset = await this.find(id);
    const target = await this.attachments.resolve(attachment);
    await this.assets.update(asset.id, target);
    return this.get(asset.id);
  }

  async detach(id: string): Promise<AssetView> {
    const asset = await this.find(id);
    await this.assets.update(asset.id, { titleId: null, episodeId: null });
    return this.get(asset.id);
  }

  private async find(id: string): Promise<AssetEntity> {
    const asset = await this.assets.findById(id);
    if (!asset || asset.status === 'deleted') throw ApiError.notFound('Asset');
    return asset;
  }
}
