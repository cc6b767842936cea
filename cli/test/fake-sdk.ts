// A fake of the API calls ingest makes: in memory, recording calls, with knobs for
// duplicates, failures, transcoding progress and slow uploads.
import { randomUUID } from 'node:crypto';
import type { Asset, Attachment, JobEventMessage, UploadOptions, UploadResult } from '@aleflix/sdk';
import type { IngestApi } from '../src/ingest/pipeline.js';
import type { EpisodeTarget, TitleTarget } from '../src/ingest/plan.js';

export interface FakeOptions {
  /** sha256 → existing asset (duplicate). */
  known?: Map<string, Partial<Asset>>;
  /** Throw this for the upload of a file (by path suffix). */
  failUpload?: (path: string) => Error | undefined;
  /** Statuses an asset goes through when polled, ending with the last. */
  transcode?: (path: string) => Array<Partial<Asset>>;
  /** What the event stream of an asset sends; without it the stream fails (an API without /events). */
  events?: (path: string) => Array<Partial<JobEventMessage>>;
  /** Resolves when the upload may finish (to observe concurrency). */
  uploadGate?: (path: string) => Promise<void>;
  partCount?: number;
}

export class FakeIngestApi implements IngestApi {
  readonly titles = new Map<string, { id: string; target: TitleTarget }>();
  readonly episodes: Array<{ titleId: string; episode: EpisodeTarget }> = [];
  readonly uploads: Array<{ path: string; options: UploadOptions }> = [];
  readonly attachments: Array<{ assetId: string; attachment: Attachment }> = [];
  readonly published: string[] = [];
  readonly upsertCalls: string[] = [];
  readonly assetReads: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly assets = new Map<string, { path: string; polls: number }>();

  constructor(private readonly options: FakeOptions = {}) {}

  async upsertTitle(target: TitleTarget) {
    this.upsertCalls.push(target.externalId);
    const existing = this.titles.get(target.externalId);
    if (existing) return { id: existing.id, created: false };
    const id = randomUUID();
    this.titles.set(target.externalId, { id, target });
    return { id, created: true };
  }

  async upsertEpisode(titleId: string, episode: EpisodeTarget) {
    this.episodes.push({ titleId, episode });
    return `episode-${titleId}-${episode.season}-${episode.number}`;
  }

  async upload(path: string, options: UploadOptions): Promise<UploadResult> {
    this.uploads.push({ path, options });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const known = options.sha256 ? this.options.known?.get(options.sha256) : undefined;
      if (known) {
        return {
          asset: asset({ id: randomUUID(), status: 'ready', ...known }),
          duplicate: true,
          uploadId: null,
          resumed: false,
          partsSent: [],
          partsSkipped: [],
        };
      }
      const uploadId = options.resume?.uploadId ?? randomUUID();
      const assetId = randomUUID();
      const partCount = this.options.partCount ?? 2;
      const size = options.size ?? 10;
      const received = options.resume ? [1] : [];
      await options.onOpen?.({
        upload: {
          id: uploadId,
          assetId,
          status: 'open',
          size,
          partSize: Math.ceil(size / partCount),
          partCount,
          expiresAt: '2100-01-01T00:00:00.000Z',
          partUrlTemplate: `/uploads/${uploadId}/parts/{partNumber}`,
          presignedPartUrls: null,
          receivedParts: received.map((partNumber) => ({ partNumber, size: 1, etag: '"x"' })),
        },
        resumed: Boolean(options.resume),
        receivedParts: received,
      });
      await this.options.uploadGate?.(path);
      options.signal?.throwIfAborted();
      const error = this.options.failUpload?.(path);
      if (error) throw error;
      const sent: number[] = [];
      for (let partNumber = received.length + 1; partNumber <= partCount; partNumber++) {
        sent.push(partNumber);
        const loaded = Math.min(size, Math.ceil(size / partCount) * partNumber);
        options.onPart?.({ uploadId, partNumber, size: Math.ceil(size / partCount), attempts: 1, loaded, total: size });
      }
      this.assets.set(assetId, { path, polls: 0 });
      const attach = options.attachTo;
      return {
        asset: asset({ id: assetId, status: 'queued', titleId: attach?.titleId ?? null }),
        duplicate: false,
        uploadId,
        resumed: Boolean(options.resume),
        partsSent: sent,
        partsSkipped: received,
      };
    } finally {
      this.inFlight--;
    }
  }

  async attach(assetId: string, attachment: Attachment) {
    this.attachments.push({ assetId, attachment });
    return asset({ id: assetId, status: 'ready', titleId: attachment.titleId });
  }

  async *transcodeEvents(assetId: string, signal: AbortSignal): AsyncGenerator<JobEventMessage> {
    const entry = this.assets.get(assetId);
    const script = entry ? this.options.events?.(entry.path) : undefined;
    if (!script) throw new Error('GET /events is not available');
    for (const fields of script) {
      if (signal.aborted) return;
      yield jobEvent({ assetId, ...fields });
    }
  }

  async getAsset(assetId: string): Promise<Asset> {
    this.assetReads.push(assetId);
    const entry = this.assets.get(assetId);
    if (!entry) return asset({ id: assetId, status: 'ready' });
    const steps = this.options.transcode?.(entry.path) ?? [{ status: 'ready' }];
    const step = steps[Math.min(entry.polls, steps.length - 1)]!;
    entry.polls++;
    return asset({ id: assetId, ...step });
  }

  async publish(titleId: string) {
    this.published.push(titleId);
    return 'published' as const;
  }
}

export function asset(fields: Partial<Asset> & { id: string }): Asset {
  return {
    status: 'queued',
    originalFilename: 'x.mp4',
    contentType: 'video/mp4',
    size: 10,
    sha256: null,
    titleId: null,
    episodeId: null,
    durationSeconds: null,
    width: null,
    height: null,
    videoCodec: null,
    audioCodec: null,
    renditions: [],
    hasPoster: false,
    hasThumbnails: false,
    errorCode: null,
    errorMessage: null,
    job: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

export function jobEvent(fields: Partial<JobEventMessage> & { assetId: string }): JobEventMessage {
  return {
    v: 1,
    type: 'job.progress',
    jobId: '00000000-0000-4000-8000-0000000000b1',
    attempt: 1,
    status: 'running',
    progress: 0,
    speed: null,
    etaSeconds: null,
    errorCode: null,
    errorMessage: null,
    at: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}
