import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { EpisodeEntity } from '../catalog/episode.entity.js';
import { SeasonEntity } from '../catalog/season.entity.js';
import { TitleEntity } from '../catalog/title.entity.js';
import { ApiError } from '../common/api-error.js';
import { decodeTimeCursor, timePage } from '../common/paging.js';
import { canSeeDrafts } from '../common/roles.js';
import type { ListProgressQuery, SaveProgress, WatchProgressView } from './watch-progress.dto.js';
import { WatchProgressEntity } from './watch-progress.entity.js';
import { isUuid } from '../common/ids.js';

interface Media {
  title: TitleEntity;
  episode: (EpisodeEntity & { seasonNumber: number }) | null;
}

/** Resume points per user: one per movie or episode, listed for "continue watching". */
@Injectable()
export class WatchProgressService {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(WatchProgressEntity);
  }

  async save(principal: Principal, mediaId: string, input: SaveProgress): Promise<WatchProgressView> {
    const media = await this.resolve(principal, mediaId);
    const duration = input.durationSeconds ?? null;
    const position = duration ? Math.min(input.positionSeconds, duration) : input.positionSeconds;
    // Done once what is left is under 5 % of the whole, and never more than 30 s (credits).
    const completed = duration !== null && duration - position <= Math.max(1, Math.min(30, duration * 0.05));
    await this.repo.upsert(
      {
        userId: principal.userId,
        mediaId,
        titleId: media.title.id,
        episodeId: media.episode?.id ?? null,
        positionSeconds: position,
        durationSeconds: duration,
        completed,
      },
      { conflictPaths: ['userId', 'mediaId'] },
    );
    const saved = await this.get(principal, mediaId);
    if (!saved) throw ApiError.notFound('Progress');
    return saved;
  }

  /** The saved position, or null when there is none yet (not an error: most media is unwatched). */
  async get(principal: Principal, mediaId: string): Promise<WatchProgressView | null> {
    const media = await this.resolve(principal, mediaId);
    const row = await this.repo.findOneBy({ userId: principal.userId, mediaId });
    return row ? this.view(row, media) : null;
  }

  /** Unfinished items, most recently watched first. */
  async list(
    principal: Principal,
    query: ListProgressQuery,
  ): Promise<{ items: WatchProgressView[]; nextCursor: string | null }> {
    const after = decodeTimeCursor(query.cursor);
    const builder = this.repo
      .createQueryBuilder('p')
      .where('p.user_id = :userId AND p.completed = false', { userId: principal.userId })
      .orderBy(`date_trunc('milliseconds', p.updated_at)`, 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(query.limit + 1);
    if (after) {
      builder.andWhere(
        `(date_trunc('milliseconds', p.updated_at), p.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))`,
        after,
      );
    }
    const rows = await builder.getMany();
    const { page, nextCursor } = timePage(rows, query.limit, (row) => row.updatedAt);
    const items: WatchProgressView[] = [];
    for (const row of page) {
      const media = await this.resolve(principal, row.mediaId).catch(() => undefined);
      if (media) items.push(this.view(row, media));
    }
    return { items, nextCursor };
  }

  async remove(principal: Principal, mediaId: string): Promise<void> {
    if (!isUuid(mediaId)) return;
    await this.repo.delete({ userId: principal.userId, mediaId });
  }

  /** A movie (title id) or an episode (episode id) the caller may watch. */
  private async resolve(principal: Principal, mediaId: string): Promise<Media> {
    if (!isUuid(mediaId)) throw ApiError.notFound('Movie or episode');
    const episode = await this.dataSource.getRepository(EpisodeEntity).findOneBy({ id: mediaId });
    let media: Media | null = null;
    if (episode) {
      const season = await this.dataSource.getRepository(SeasonEntity).findOneBy({ id: episode.seasonId });
      const title = season ? await this.dataSource.getRepository(TitleEntity).findOneBy({ id: season.titleId }) : null;
      if (title && season) media = { title, episode: Object.assign(episode, { seasonNumber: season.number }) };
    } else {
      const title = await this.dataSource.getRepository(TitleEntity).findOneBy({ id: mediaId });
      if (title?.kind === 'movie') media = { title, episode: null };
    }
    if (!media || (!canSeeDrafts(principal.role) && media.title.status !== 'published')) {
      throw ApiError.notFound('Movie or episode');
    }
    return media;
  }

  private view(row: WatchProgressEntity, media: Media): WatchProgressView {
    return {
      mediaId: row.mediaId,
      titleId: row.titleId,
      episodeId: row.episodeId,
      positionSeconds: row.positionSeconds,
      durationSeconds: row.durationSeconds,
      completed: row.completed,
      updatedAt: row.updatedAt.toISOString(),
      title: {
        id: media.title.id,
        slug: media.title.slug,
        name: media.title.name,
        kind: media.title.kind,
        posterRef: media.title.posterRef,
      },
      episode: media.episode
        ? {
            id: media.episode.id,
            seasonNumber: media.episode.seasonNumber,
            number: media.episode.number,
            name: media.episode.name,
          }
        : null,
    };
  }
}
