import type { AssetEntity } from './asset.entity.js';
import type { JobEntity } from './job.entity.js';
import type { AssetView, JobView, UploadView } from './media.dto.js';
import type { UploadEntity } from './upload.entity.js';

export function toJobView(job: JobEntity): JobView {
  return {
    id: job.id,
    assetId: job.assetId,
    attempt: job.attempt,
    status: job.status,
    progress: job.progress,
    speed: job.speed,
    etaSeconds: job.etaSeconds,
    workerId: job.workerId,
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

export function toAssetView(asset: AssetEntity, job: JobEntity | null): AssetView {
  return {
    id: asset.id,
    status: asset.status,
    originalFilename: asset.originalFilename,
    contentType: asset.contentType,
    size: asset.sizeBytes,
    sha256: asset.sha256,
    titleId: asset.titleId,
    episodeId: asset.episodeId,
    durationSeconds: asset.durationSeconds,
    width: asset.width,
    height: asset.height,
    videoCodec: asset.videoCodec,
    audioCodec: asset.audioCodec,
    renditions: asset.renditions.map(({ name, width, height, bandwidth, codecs }) => ({
      name,
      width,
      height,
      bandwidth,
      codecs,
    })),
    hasPoster: asset.posterKey !== null,
    hasThumbnails: asset.spriteKey !== null,
    errorCode: asset.errorCode,
    errorMessage: asset.errorMessage,
    job: job ? toJobView(job) : null,
    createdAt: asset.createdAt.toISOString(),
    updatedAt: asset.updatedAt.toISOString(),
  };
}

export function toUploadView(
  upload: UploadEntity,
  received: UploadView['receivedParts'],
  transport: Pick<UploadView, 'partUrlTemplate' | 'presignedPartUrls'>,
): UploadView {
  return {
    id: upload.id,
    assetId: upload.assetId,
    status: upload.status,
    size: upload.sizeBytes,
    partSize: upload.partSize,
    partCount: upload.partCount,
    expiresAt: upload.expiresAt.toISOString(),
    ...transport,
    receivedParts: received,
  };
}
