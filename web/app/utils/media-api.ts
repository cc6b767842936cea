// Playback and assets through the SDK (see sdk-untyped.ts). The shapes mirror the API's
// media.dto.ts (Playback, Asset, Rendition, Job).
import type { AleflixClient } from '@aleflix/sdk';
import { untypedRequest } from './sdk-untyped';

export interface Rendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
}

export interface Playback {
  assetId: string;
  /** Signed, expiring URL of the HLS master playlist. */
  url: string;
  expiresAt: string;
  posterUrl: string | null;
  /** WebVTT index of the seek-preview sprite. */
  thumbnailsUrl: string | null;
  durationSeconds: number | null;
  renditions: Rendition[];
}

export type AssetStatus = 'uploading' | 'queued' | 'processing' | 'ready' | 'failed' | 'deleted';

export interface AssetJob {
  id: string;
  status: string;
  progress: number;
  etaSeconds: number | null;
}

export interface Asset {
  id: string;
  status: AssetStatus;
  originalFilename: string;
  titleId: string | null;
  episodeId: string | null;
  durationSeconds: number | null;
  errorCode: string | null;
  job: AssetJob | null;
  createdAt: string;
  updatedAt: string;
}

export interface MediaApi {
  /** GET /media/stream/{id}: `id` is an asset, a movie (title id) or an episode. */
  stream(id: string, options?: { signal?: AbortSignal }): Promise<Playback>;
  /** GET /assets (editors and admins). */
  listAssets(query: { status?: AssetStatus; titleId?: string; limit?: number }): Promise<{ items: Asset[] }>;
}

export function mediaApi(client: Pick<AleflixClient, 'request'>): MediaApi {
  const request = untypedRequest(client);
  return {
    stream: async (id, options) =>
      (await request('get', '/media/stream/{id}', { params: { path: { id } }, signal: options?.signal }))
        .data as Playback,
    listAssets: async (query) => (await request('get', '/assets', { params: { query } })).data as { items: Asset[] },
  };
}

/** Assets still on their way to playable, newest first. */
export const IN_PROGRESS_STATUSES: readonly AssetStatus[] = ['uploading', 'queued', 'processing'];
