import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EpisodeEntity } from './episode.entity.js';
import { SeasonEntity } from './season.entity.js';

@Injectable()
export class SeasonsRepository {
  constructor(private readonly dataSource: DataSource) {}

  listForTitle(titleId: string): Promise<SeasonEntity[]> {
    return this.dataSource.getRepository(SeasonEntity).find({
      where: { titleId },
      relations: { episodes: true },
      order: { number: 'ASC', episodes: { number: 'ASC' } },
    });
  }

  findSeason(titleId: string, number: number, manager: EntityManager): Promise<SeasonEntity | null> {
    return manager.getRepository(SeasonEntity).findOneBy({ titleId, number });
  }

  /** Inserts or updates by (title, number); returns the season and whether it is new. */
  async upsertSeason(
    titleId: string,
    number: number,
    values: Partial<Pick<SeasonEntity, 'name' | 'synopsis'>>,
    manager: EntityManager,
  ): Promise<{ season: SeasonEntity; created: boolean }> {
    const repo = manager.getRepository(SeasonEntity);
    const existing = await repo.findOneBy({ titleId, number });
    if (existing) {
      if (Object.keys(values).length > 0) await repo.update({ id: existing.id }, values);
      return { season: await repo.findOneByOrFail({ id: existing.id }), created: false };
    }
    const season = await repo.save(repo.create({ titleId, number, name: null, synopsis: '', ...values }));
    return { season, created: true };
  }

  async upsertEpisode(
    seasonId: string,
    number: number,
    values: Pick<EpisodeEntity, 'name'> & Partial<Pick<EpisodeEntity, 'synopsis' | 'externalId'>>,
    manager: EntityManager,
  ): Promise<{ episode: EpisodeEntity; created: boolean }> {
    const repo = manager.getRepository(EpisodeEntity);
    const existing = await repo.findOneBy({ seasonId, number });
    if (existing) {
      await repo.update({ id: existing.id }, values);
      return { episode: await repo.findOneByOrFail({ id: existing.id }), created: false };
    }
    const episode = await repo.save(repo.create({ seasonId, number, synopsis: '', externalId: null, ...values }));
    return { episode, created: true };
  }

  async deleteSeason(titleId: string, number: number, manager: EntityManager): Promise<boolean> {
    const result = await manager.getRepository(SeasonEntity).delete({ titleId, number });
    return (result.affected ?? 0) > 0;
  }

  async deleteEpisode(seasonId: string, number: number, manager: EntityManager): Promise<boolean> {
    const result = await manager.getRepository(EpisodeEntity).delete({ seasonId, number });
    return (result.affected ?? 0) > 0;
  }
}
