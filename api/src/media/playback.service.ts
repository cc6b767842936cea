import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ObjectStorage } from '@aleflix/core';
import { DataSource } from 'typeorm';
import type { Readable } from 'node:stream';
import type { Principal } from '../auth/principal.js';
import { CacheService } from '../cache/cache.service.js';
import { EpisodeEntity } from '../catalog/episode.entity.js';
import { TitleEntity } from '../catalog/title.entity.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { canSeeDrafts } from '../common/roles.js';
import { AppConfig } from '../config/app-config.js';
import type { AssetEntity } from './asset.entity.js';
import { AssetsRepository } from './assets.repository.js';
import { JobsRepository } from './jobs.repository.js';
import type { PlaybackView } from './media.dto.js';
import { OBJECT_STORAGE } from './media.tokens.js';
import { PlaybackSigner } from './playback-signer.js';
import { isUuid } from '../common/ids.js';

const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\/){0,4}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
/** The longest a SigV4 presigned URL may live. */
const MAX_PRESIGN_SECONDS = 7 * 86_400;

export const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  ts: 'video/mp2t',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
};

/**
 * What playback reads of an asset, as plain JSON so it can be cached. Only ready assets are
 * cached: their rows change only through writes that invalidate the playback namespace,
 * while an asset in progress (status, progress) is read fresh every time.
 */
type PlayableAsset = Pick<
  AssetEntity,
  | 'id'
  | 'status'
  | 'titleId'
  | 'outputPrefix'
  | 'masterPlaylist'
  | 'posterKey'
  | 'thumbnailsVttKey'
  | 'durationSeconds'
  | 'renditions'
>;

/** An id resolved to the asset it plays, with whether viewers may play it (its title is published). */
interface Resolution {
  asset: PlayableAsset;
  titlePublished: boolean;
}

export type ServedFile =
  /** A text file rewritten for this request (a playlist, or the thumbnail track on S3): never cached for good. */
  | { kind: 'text'; body: string; contentType: string }
  | { kind: 'stream'; body: Readable; contentType: string; size: number; range?: { start: number; end: number } }
  | { kind: 'redirect'; url: string };

/** Playback: who may play what, signed URLs, and serving HLS files from storage. */
@Injectable()
export class PlaybackService {
  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly assets: AssetsRepository,
    private readonly jobs: JobsRepository,
    private readonly dataSource: DataSource,
    private readonly signer: PlaybackSigner,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() private readonly cache?: CacheService,
  ) {}

  /** `id` is an asset, a title (movies: its newest ready asset) or an episode. */
  async stream(principal: Principal, id: string, baseUrl: string): Promise<PlaybackView> {
    if (!isUuid(id)) throw new ApiError('not_playable', 'Expected an asset, title or episode id');
    const { asset, titlePublished } = await this.cached(
      `stream:${id.toLowerCase()}`,
      () => this.resolve(id),
      (found) => found.asset.status === 'ready',
    );
    // Viewers play only what is attached to a published title.
    if (!canSeeDrafts(principal.role) && !titlePublished) throw new ApiError('not_playable');
    const renditions = asset.renditions.map(({ name, width, height, bandwidth, codecs }) => ({
      name,
      width,
      height,
      bandwidth,
      codecs,
    }));
    if (asset.status !== 'ready' || !asset.masterPlaylist) {
      const job = await this.jobs.latestForAsset(asset.id);
      return {
        assetId: asset.id,
        status: asset.status,
        progress: job && (job.status === 'running' || job.status === 'queued') ? job.progress : null,
        url: null,
        expiresAt: null,
        posterUrl: null,
        thumbnailsUrl: null,
        durationSeconds: asset.durationSeconds,
        renditions,
      };
    }
    const { token, expiresAt } = this.signer.sign(asset.id, this.config.env.PLAYBACK_URL_TTL_SECONDS);
    const root = `${(this.config.env.PUBLIC_URL ?? baseUrl).replace(/\/$/, '')}/media/hls/${asset.id}/${token}/`;
    return {
      assetId: asset.id,
      status: asset.status,
      progress: null,
      url: root + asset.masterPlaylist,
      expiresAt: expiresAt.toISOString(),
      posterUrl: asset.posterKey ? root + asset.posterKey : null,
      thumbnailsUrl: asset.thumbnailsVttKey ? root + asset.thumbnailsVttKey : null,
      durationSeconds: asset.durationSeconds,
      renditions,
    };
  }

  /** Serves one file under a signed playback path. */
  async serve(assetId: string, token: string, path: string, range: string | undefined): Promise<ServedFile> {
    const presignSeconds = storageUrlLifetimeSeconds(this.signer.verify(assetId, token), this.clock.now());
    if (!SAFE_PATH.test(path) || path.split('/').some((segment) => segment === '..' || segment === '.')) {
      throw ApiError.notFound('File');
    }
    // Read for every segment a player fetches: cached while the asset is ready.
    const asset = await this.cached(
      `asset:${assetId.toLowerCase()}`,
      async () => {
        const row = await this.assets.findById(assetId);
        return row ? playable(row) : null;
      },
      (found) => found?.status === 'ready',
    );
    if (!asset || asset.status !== 'ready' || !asset.outputPrefix) throw ApiError.notFound('File');
    const extension = path.split('.').pop() ?? '';
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) throw ApiError.notFound('File');
    const key = asset.outputPrefix + path;
    if (extension === 'm3u8') {
      const text = await this.readText(key);
      return {
        kind: 'text',
        contentType,
        body: this.storage.kind === 's3' ? await this.presignUris(text, key, presignSeconds) : text,
      };
    }
    if (extension === 'vtt' && this.storage.kind === 's3') {
      // Served like a playlist rather than redirected: a player resolves the sprite's relative
      // URL against the URL it read the track from, which after a redirect is the presigned
      // .vtt URL, and the sprite's URL resolved from there carries no signature (403).
      const base = key.slice(0, key.lastIndexOf('/') + 1);
      const text = await this.readText(key);
      return {
        kind: 'text',
        contentType,
        body: await presignThumbnailUris(text, (path) => this.storage.presignGet(base + path, presignSeconds)),
      };
    }
    if (this.storage.kind === 's3') {
      const url = await this.storage.presignGet(key, presignSeconds);
      if (url) return { kind: 'redirect', url };
    }
    const info = await this.storage.head(key);
    if (!info) throw ApiError.notFound('File');
    const parsed = parseRange(range, info.size);
    const body = await this.storage.get(key, parsed ? { start: parsed.start, end: parsed.end } : undefined);
    return { kind: 'stream', body, contentType, size: info.size, ...(parsed ? { range: parsed } : {}) };
  }

  private cached<T>(key: string, load: () => Promise<T>, when: (value: T) => boolean): Promise<T> {
    return this.cache ? this.cache.wrap('playback', key, load, { when }) : load();
  }

  private async resolve(id: string): Promise<Resolution> {
    let asset = await this.assets.findById(id);
    if (!asset) {
      const episode = await this.dataSource.getRepository(EpisodeEntity).findOneBy({ id });
      const where = episode ? { episodeId: episode.id } : { titleId: id };
      // The newest ready asset; else the newest one in progress, to report its status.
      asset = (await this.assets.findReadyFor(where)) ?? (await this.assets.findLatestFor(where));
    }
    if (!asset || asset.status === 'deleted' || asset.status === 'failed') throw new ApiError('not_playable');
    const title = asset.titleId
      ? await this.dataSource.getRepository(TitleEntity).findOneBy({ id: asset.titleId })
      : null;
    return { asset: playable(asset), titlePublished: title?.status === 'published' };
  }

  private async readText(key: string): Promise<string> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.storage.get(key)) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    } catch {
      throw ApiError.notFound('File');
    }
  }

  /** For S3, every URI in a playlist becomes a presigned URL of the object it names. */
  private async presignUris(playlist: string, playlistKey: string, presignSeconds: number): Promise<string> {
    const base = playlistKey.slice(0, playlistKey.lastIndexOf('/') + 1);
    const sign = async (uri: string) => {
      if (/^[a-z]+:/i.test(uri) || uri.endsWith('.m3u8')) return uri;
      return (await this.storage.presignGet(base + uri, presignSeconds)) ?? uri;
    };
    const lines = await Promise.all(
      playlist.split('\n').map(async (line) => {
        if (line.startsWith('#')) {
          const match = /URI="([^"]+)"/.exec(line);
          return match ? line.replace(match[0], `URI="${await sign(match[1]!)}"`) : line;
        }
        return line.trim() ? sign(line.trim()) : line;
      }),
    );
    return lines.join('\n');
  }
}

/**
 * Rewrites the image references of a thumbnail track (cue payloads such as
 * `sprite.jpg#xywh=0,0,160,90`) with `presign(path)`, the absolute URL of the object `path`
 * names relative to the track, keeping the `#xywh=` fragment. Absolute URLs, text payloads
 * (anything with whitespace) and the header, NOTE and STYLE blocks stay as they are; a path
 * that cannot be signed is left relative. Each distinct path is signed once: every cue of a
 * film points into the same few sprites.
 */
export async function presignThumbnailUris(
  vtt: string,
  presign: (path: string) => Promise<string | null | undefined>,
): Promise<string> {
  const signed = new Map<string, Promise<string | null | undefined>>();
  const lines: Array<string | Promise<string>> = [];
  // A cue's payload is what follows its timing line ("-->", which no other block may hold) up to a blank line.
  let inPayload = false;
  for (const raw of vtt.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const payload = inPayload && line.trim() !== '';
    inPayload = line.trim() !== '' && (inPayload || line.includes('-->'));
    const hash = line.indexOf('#');
    const path = hash < 0 ? line : line.slice(0, hash);
    if (!payload || !path || /\s/.test(line) || /^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/')) {
      lines.push(raw);
      continue;
    }
    let url = signed.get(path);
    if (!url) signed.set(path, (url = presign(path)));
    lines.push(url.then((absolute) => (absolute ? absolute + raw.slice(path.length) : raw)));
  }
  return (await Promise.all(lines)).join('\n');
}

function playable(asset: AssetEntity): PlayableAsset {
  return {
    id: asset.id,
    status: asset.status,
    titleId: asset.titleId,
    outputPrefix: asset.outputPrefix,
    masterPlaylist: asset.masterPlaylist,
    posterKey: asset.posterKey,
    thumbnailsVttKey: asset.thumbnailsVttKey,
    durationSeconds: asset.durationSeconds,
    renditions: asset.renditions,
  };
}

/**
 * How long the storage URLs handed out under a playback URL live: as long as the playback URL
 * itself. A player loads a VOD playlist once and fetches its segments for as long as the
 * video plays, so a shorter life (it was a fixed hour) breaks every longer film on S3 midway.
 */
export function storageUrlLifetimeSeconds(playbackExpiresAt: Date, now: Date): number {
  const remaining = Math.ceil((playbackExpiresAt.getTime() - now.getTime()) / 1000);
  return Math.min(Math.max(remaining, 1), MAX_PRESIGN_SECONDS);
}

/** A single `bytes=a-b` range (the only kind players send); undefined when absent. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size)
    throw new ApiError('range_not_satisfiable', `Range ${header} is outside the file (${size} bytes)`, {
      headers: { 'content-range': `bytes */${size}` },
    });
  return { start, end };
}
