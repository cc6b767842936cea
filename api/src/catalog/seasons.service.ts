import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../common/api-error.js';
import { isUniqueViolation } from '../database/db-errors.js';
import { SeasonsRepository } from './seasons.repository.js';
import type { TitleEntity } from './title.entity.js';
import type { TitleDetailView, UpsertEpisode, UpsertSeason } from './titles.dto.js';
import { TitlesRepository } from './titles.repository.js';
import { TitlesService, type Tagged } from './titles.service.js';

/**
 * Seasons and episodes are addressed by their numbers, so ingest tools can PUT them
 * idempotently. Every change bumps the parent title's version (its ETag covers them).
 */
@Injectable()
export class SeasonsService {
  constructor(
    private readonly titlesService: TitlesService,
    private readonly titles: TitlesRepository,
    private readonly seasons: SeasonsRepository,
    private readonly audit: AuditService,
  ) {}

  async upsertSeason(
    ref: string,
    number: number,
    input: UpsertSeason,
  ): Promise<Tagged<TitleDetailView> & { created: boolean }> {
    const title = await this.seriesTitle(ref);
    const before = seasonIn(await this.reload(title.id), number);
    const created = await this.titles.transaction(async (manager) => {
      const result = await this.seasons.upsertSeason(title.id, number, input, manager);
      await this.titles.touch(title.id, manager);
      return result.created;
    });
    await this.titlesService.changed();
    const after = await this.reload(title.id);
    await this.audit.record({
      action: 'season.upsert',
      targetType: 'season',
      targetId: `${title.id}/${number}`,
      before,
      after: seasonIn(after, number),
    });
    return { ...after, created };
  }

  async upsertEpisode(
    ref: string,
    seasonNumber: number,
    episodeNumber: number,
    input: UpsertEpisode,
  ): Promise<Tagged<TitleDetailView> & { created: boolean }> {
    const title = await this.seriesTitle(ref);
    const before = episodeIn(await this.reload(title.id), seasonNumber, episodeNumber);
    try {
      const created = await this.titles.transaction(async (manager) => {
        const { season } = await this.seasons.upsertSeason(title.id, seasonNumber, {}, manager);
        const result = await this.seasons.upsertEpisode(season.id, episodeNumber, input, manager);
        await this.titles.touch(title.id, manager);
        return result.created;
      });
      await this.titlesService.changed();
      const after = await this.reload(title.id);
      await this.audit.record({
        action: 'episode.upsert',
        targetType: 'episode',
        targetId: `${title.id}/${seasonNumber}/${episodeNumber}`,
        before,
        after: episodeIn(after, seasonNumber, episodeNumber),
      });
      return { ...after, created };
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ApiError('external_id_taken', 'Another episode already has this externalId');
      throw error;
    }
  }

  async deleteSeason(ref: string, number: number): Promise<void> {
    const title = await this.seriesTitle(ref);
    const before = seasonIn(await this.reload(title.id), number);
    await this.inTitle(title, (manager) => this.seasons.deleteSeason(title.id, number, manager), 'Season');
    await this.audit.record({
      action: 'season.delete',
      targetType: 'season',
      targetId: `${title.id}/${number}`,
      before,
    });
  }

  async deleteEpisode(ref: string, seasonNumber: number, episodeNumber: number): Promise<void> {
    const title = await this.seriesTitle(ref);
    const before = episodeIn(await this.reload(title.id), seasonNumber, episodeNumber);
    await this.inTitle(
      title,
      async (manager) => {
        const season = await this.seasons.findSeason(title.id, seasonNumber, manager);
        return season ? this.seasons.deleteEpisode(season.id, episodeNumber, manager) : false;
      },
      'Episode',
    );
    await this.audit.record({
      action: 'episode.delete',
      targetType: 'episode',
      targetId: `${title.id}/${seasonNumber}/${episodeNumber}`,
      before,
    });
  }

  private async inTitle(
    title: TitleEntity,
    work: (manager: EntityManager) => Promise<boolean>,
    what: string,
  ): Promise<void> {
    const found = await this.titles.transaction(async (manager) => {
      const deleted = await work(manager);
      if (deleted) await this.titles.touch(title.id, manager);
      return deleted;
    });
    if (!found) throw ApiError.notFound(what);
    await this.titlesService.changed();
  }

  private async seriesTitle(ref: string): Promise<TitleEntity> {
    const title = await this.titlesService.resolve(ref);
    if (title.kind !== 'series') throw new ApiError('conflict', 'Only series have seasons and episodes');
    return title;
  }

  private async reload(id: string): Promise<Tagged<TitleDetailView>> {
    const title = await this.titles.findById(id);
    if (!title) throw ApiError.notFound('Title');
    return this.titlesService.detail(title);
  }
}

type SeasonView = TitleDetailView['seasons'][number];

/** A season as the title page shows it (episodes included), or null when there is none. */
function seasonIn(detail: Tagged<TitleDetailView>, number: number): SeasonView | null {
  return detail.title.seasons.find((season) => season.number === number) ?? null;
}

function episodeIn(
  detail: Tagged<TitleDetailView>,
  seasonNumber: number,
  episodeNumber: number,
): SeasonView['episodes'][number] | null {
  return seasonIn(detail, seasonNumber)?.episodes.find((episode) => episode.number === episodeNumber) ?? null;
}
