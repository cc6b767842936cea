import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ObjectStorage } from '@aleflix/core';
import type { Principal } from '../auth/principal.js';
import { CacheService } from '../cache/cache.service.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { JobEventsBus } from '../events/events.bus.js';
import { MetricsService } from '../observability/metrics.service.js';
import { AssetsRepository } from './assets.repository.js';
import { AttachmentResolver } from './attachment.resolver.js';
import { JobDispatcher } from './job-dispatcher.js';
import { JobsRepository } from './jobs.repository.js';
import { MAX_UPLOAD_PARTS, type CreateUpload, type UploadView, type AssetView } from './media.dto.js';
import { toAssetView, toUploadView } from './media.mapper.js';
import { OBJECT_STORAGE } from './media.tokens.js';
import { objectKeys } from './object-keys.js';
import { PartVerifier } from './part-verifier.js';
import type { UploadEntity } from './upload.entity.js';
import { UploadsRepository } from './uploads.repository.js';

const PRESIGN_SECONDS = 3600;

/**
 * Resumable multipart uploads: parts in any order and in parallel, each idempotent and
 * verified; `get` tells a resuming client which parts are already stored.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger('Uploads');

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly uploads: UploadsRepository,
    private readonly assets: AssetsRepository,
    private readonly jobs: JobsRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly attachments: AttachmentResolver,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly bus: JobEventsBus,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() private readonly cache?: CacheService,
  ) {}

  async create(
    principal: Principal,
    input: CreateUpload,
  ): Promise<{ duplicate: boolean; asset: AssetView; upload: UploadView | null }> {
    if (input.size > this.config.env.UPLOAD_MAX_BYTES) {
      throw new ApiError('payload_too_large', `Uploads are limited to ${this.config.env.UPLOAD_MAX_BYTES} bytes`);
    }
    const attachment = input.attachTo
      ? await this.attachments.resolve(input.attachTo)
      : { titleId: null, episodeId: null };
    if (input.sha256) {
      const existing = await this.assets.findLiveBySha256(input.sha256);
      if (existing) {
        // The same content again: reuse it, attached where this upload asked.
        if (input.attachTo) await this.assets.update(existing.id, attachment);
        // A ready asset attached elsewhere changes what playback resolves for that title or episode.
        if (input.attachTo) await this.cache?.invalidate('playback');
        const asset = (await this.assets.findById(existing.id)) ?? existing;
        return {
          duplicate: true,
          asset: toAssetView(asset, await this.jobs.latestForAsset(existing.id)),
          upload: null,
        };
      }
    }
    const partSize = Math.max(this.config.env.UPLOAD_PART_SIZE_BYTES, Math.ceil(input.size / MAX_UPLOAD_PARTS));
    const partCount = Math.ceil(input.size / partSize);
    const assetId = randomUUID();
    const key = objectKeys.source(assetId);
    const { uploadId } = await this.storage.createMultipartUpload(key, { contentType: input.contentType });
    try {
      const upload = await this.assets.repo().manager.transaction(async (manager) => {
        await this.assets.repo(manager).insert({
          id: assetId,
          status: 'uploading',
          originalFilename: input.filename,
          contentType: input.contentType,
          sizeBytes: input.size,
          sha256: input.sha256 ?? null,
          sourceKey: key,
          ...attachment,
          createdBy: principal.userId,
        });
        return this.uploads.insert(
          {
            assetId,
            status: 'open',
            storageUploadId: uploadId,
            objectKey: key,
            sizeBytes: input.size,
            partSize,
            partCount,
            expiresAt: new Date(this.clock.now().getTime() + this.config.env.UPLOAD_EXPIRY_HOURS * 3_600_000),
            createdBy: principal.userId,
          },
          manager,
        );
      });
      const asset = await this.assets.findById(assetId);
      return { duplicate: false, asset: toAssetView(asset!, null), upload: await this.view(upload) };
    } catch (error) {
      await this.storage.abortMultipartUpload(key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  async get(id: string): Promise<UploadView> {
    return this.view(await this.find(id));
  }

  /** Stores one part sent through the API (local storage). Re-sending a part replaces it. */
  async putPart(
    id: string,
    partNumber: number,
    body: Readable,
    sha256: string | undefined,
  ): Promise<UploadView['receivedParts'][number]> {
    if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
      throw new ApiError('validation_failed', 'x-part-sha256 must be a hex SHA-256', {
        errors: [{ field: 'x-part-sha256', message: 'must be 64 hex characters' }],
      });
    }
    const upload = await this.openUpload(id);
    if (this.storage.kind === 's3') {
      throw new ApiError('conflict', 'This storage takes parts directly: PUT them to presignedPartUrls');
    }
    if (partNumber > upload.partCount) {
      throw new ApiError('validation_failed', `This upload has ${upload.partCount} parts`);
    }
    const expected = expectedPartSize(upload, partNumber);
    const verifier = new PartVerifier(expected, sha256?.toLowerCase());
    // The verifier may fail before the storage adapter starts reading it (a short body ends
    // while the adapter is still opening the upload): keep that error instead of letting it
    // go unhandled, and report it whatever the adapter then says.
    let verifyError: unknown;
    verifier.on('error', (error) => (verifyError ??= error));
    body.on('error', (error) => verifier.destroy(error));
    body.pipe(verifier);
    try {
      const part = await this.storage.uploadPart(
        upload.objectKey,
        upload.storageUploadId,
        partNumber,
        verifier,
        expected,
      );
      if (verifyError) throw verifyError;
      this.metrics?.recordUploadBytes(part.size, 'api');
      return { partNumber: part.partNumber, size: part.size, etag: part.etag };
    } catch (error) {
      body.resume();
      throw unwrapVerifierError(verifyError ?? error);
    }
  }

  /** Assembles the parts and queues the transcode. Completing twice returns the same asset. */
  async complete(id: string, traceparent?: string): Promise<AssetView> {
    const upload = await this.find(id);
    if (upload.status === 'completed') return this.assetView(upload.assetId);
    if (upload.status !== 'open' || upload.expiresAt <= this.clock.now()) {
      throw new ApiError('upload_closed', `Upload is ${upload.status === 'open' ? 'expired' : upload.status}`);
    }
    const parts = await this.storage.listParts(upload.objectKey, upload.storageUploadId);
    const problems = checkParts(upload, parts);
    if (problems.length > 0) throw new ApiError('upload_incomplete', problems.slice(0, 5).join('; '));
    await this.storage.completeMultipartUpload(
      upload.objectKey,
      upload.storageUploadId,
      parts.map(({ partNumber, etag }) => ({ partNumber, etag })),
    );
    const job = await this.assets.repo().manager.transaction(async (manager) => {
      if (!(await this.uploads.transition(upload.id, 'open', 'completed', manager))) return null;
      await this.assets.transition(upload.assetId, ['uploading'], { status: 'queued' }, manager);
      return this.jobs.insert(
        { assetId: upload.assetId, attempt: 1, outputPrefix: objectKeys.attempt(upload.assetId, 1) },
        manager,
      );
    });
    if (job) await this.dispatcher.dispatch(job, upload.objectKey, traceparent);
    // Parts sent to S3 through presigned URLs never pass through the API: counted once complete.
    if (job && this.storage.kind === 's3') this.metrics?.recordUploadBytes(upload.sizeBytes, 'presigned');
    return this.assetView(upload.assetId);
  }

  async abort(id: string): Promise<void> {
    const upload = await this.find(id);
    if (upload.status === 'aborted' || upload.status === 'expired') return;
    if (upload.status === 'completed') throw new ApiError('upload_closed', 'Upload is already completed');
    await this.close(upload, 'aborted');
  }

  /** Aborts uploads that were never completed and deletes their parts. */
  async expireStale(): Promise<number> {
    const stale = await this.uploads.expiredOpen(this.clock.now());
    for (const upload of stale) await this.close(upload, 'expired');
    if (stale.length > 0) this.logger.log(`Expired ${stale.length} abandoned upload(s)`);
    return stale.length;
  }

  private async close(upload: UploadEntity, status: 'aborted' | 'expired'): Promise<void> {
    if (!(await this.uploads.transition(upload.id, 'open', status))) return;
    await this.storage.abortMultipartUpload(upload.objectKey, upload.storageUploadId);
    // The asset is gone with its upload: event streams watching it end, as on DELETE /assets.
    if (await this.assets.transition(upload.assetId, ['uploading'], { status: 'deleted' }))
      this.bus.publishAssetGone(upload.assetId);
  }

  private async find(id: string): Promise<UploadEntity> {
    const upload = await this.uploads.findById(id);
    if (!upload) throw ApiError.notFound('Upload');
    return upload;
  }

  private async openUpload(id: string): Promise<UploadEntity> {
    const upload = await this.find(id);
    if (upload.status !== 'open' || upload.expiresAt <= this.clock.now()) {
      throw new ApiError('upload_closed', `Upload is ${upload.status === 'open' ? 'expired' : upload.status}`);
    }
    return upload;
  }

  private async assetView(assetId: string): Promise<AssetView> {
    const asset = await this.assets.findById(assetId);
    if (!asset) throw ApiError.notFound('Asset');
    return toAssetView(asset, await this.jobs.latestForAsset(assetId));
  }

  private async view(upload: UploadEntity): Promise<UploadView> {
    const received =
      upload.status === 'open'
        ? (await this.storage.listParts(upload.objectKey, upload.storageUploadId)).map(
            ({ partNumber, size, etag }) => ({ partNumber, size, etag }),
          )
        : [];
    if (upload.status !== 'open')
      return toUploadView(upload, received, { partUrlTemplate: null, presignedPartUrls: null });
    if (this.storage.kind === 'local') {
      return toUploadView(upload, received, {
        partUrlTemplate: `/uploads/${upload.id}/parts/{partNumber}`,
        presignedPartUrls: null,
      });
    }
    const have = new Set(received.map((part) => part.partNumber));
    const presigned: Array<{ partNumber: number; url: string }> = [];
    for (let partNumber = 1; partNumber <= upload.partCount && presigned.length < 1000; partNumber += 1) {
      if (have.has(partNumber)) continue;
      const url = await this.storage.presignUploadPart(
        upload.objectKey,
        upload.storageUploadId,
        partNumber,
        PRESIGN_SECONDS,
      );
      if (url) presigned.push({ partNumber, url });
    }
    return toUploadView(upload, received, { partUrlTemplate: null, presignedPartUrls: presigned });
  }
}

export function expectedPartSize(
  upload: Pick<UploadEntity, 'sizeBytes' | 'partSize' | 'partCount'>,
  partNumber: number,
): number {
  return partNumber < upload.partCount ? upload.partSize : upload.sizeBytes - upload.partSize * (upload.partCount - 1);
}

/** What stops an upload from completing: missing parts and parts of the wrong size. */
export function checkParts(
  upload: Pick<UploadEntity, 'sizeBytes' | 'partSize' | 'partCount'>,
  parts: Array<{ partNumber: number; size: number }>,
): string[] {
  const byNumber = new Map(parts.map((part) => [part.partNumber, part.size]));
  const problems: string[] = [];
  const missing: number[] = [];
  for (let partNumber = 1; partNumber <= upload.partCount; partNumber += 1) {
    const size = byNumber.get(partNumber);
    if (size === undefined) missing.push(partNumber);
    else if (size !== expectedPartSize(upload, partNumber)) {
      problems.push(`part ${partNumber} has ${size} bytes, expected ${expectedPartSize(upload, partNumber)}`);
    }
  }
  if (missing.length > 0) problems.unshift(`missing parts ${summarise(missing)}`);
  return problems;
}

function summarise(numbers: number[]): string {
  return numbers.length > 10
    ? `${numbers.slice(0, 10).join(', ')} and ${numbers.length - 10} more`
    : numbers.join(', ');
}

function unwrapVerifierError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof ApiError ? cause : error;
}
