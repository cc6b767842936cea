import { Injectable } from '@nestjs/common';
import { transitionStatus } from '../database/status-transition.js';
import { DataSource, In, Not, type EntityManager, type Repository } from 'typeorm';
import { AssetEntity, type AssetStatus } from './asset.entity.js';

export interface AssetFilter {
  status?: AssetStatus;
  titleId?: string;
  includeDeleted?: boolean;
}

@Injectable()
export class AssetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  repo(manager?: EntityManager): Repository<AssetEntity> {
    return (manager ?? this.dataSource.manager).getRepository(AssetEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<AssetEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** An asset with this content hash that is stored (or being processed), for dedup. */
  findLiveBySha256(sha256: string): Promise<AssetEntity | null> {
    return this.repo().findOne({
      where: { sha256, status: Not(In(['deleted', 'failed', 'uploading'])) },
      order: { createdAt: 'ASC' },
    });
  }

  /** The newest ready asset attached to a title (movies) or an episode. */
  findReadyFor(where: { titleId?: string; episodeId?: string }): Promise<AssetEntity | null> {
    return this.repo().findOne({ where: { ...where, status: 'ready' }, order: { updatedAt: 'DESC' } });
  }

  /** The newest asset of a title or episode that is still on its way (uploading..processing). */
  findLatestFor(where: { titleId?: string; episodeId?: string }): Promise<AssetEntity | null> {
    return this.repo().findOne({
      where: { ...where, status: In(['uploading', 'queued', 'processing']) },
      order: { createdAt: 'DESC' },
    });
  }

  async page(filter: AssetFilter, limit: number, after?: { createdAt: string; id: string }): Promise<AssetEntity[]> {
    // Cursors carry milliseconds (JSON dates), so order and compare at that precision.
    const query = this.repo()
      .createQueryBuilder('a')
      .orderBy(`date_trunc('milliseconds', a.created_at)`, 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (filter.status) query.andWhere('a.status = :status', { status: filter.status });
    else if (!filter.includeDeleted) query.andWhere("a.status <> 'deleted'");
    if (filter.titleId) query.andWhere('a.title_id = :titleId', { titleId: filter.titleId });
    if (after)
      query.andWhere(
        `(date_trunc('milliseconds', a.created_at), a.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))`,
        after,
      );
    return query.getMany();
  }

  async update(id: string, changes: Partial<AssetEntity>, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, changes as never);
  }

  /** Conditional transition; false when the asset is not in one of `from`. */
  async transition(
    id: string,
    from: AssetStatus[],
    changes: Partial<AssetEntity>,
    manager?: EntityManager,
  ): Promise<boolean> {
    return transitionStatus(this.repo(manager), id, from, changes);
  }
}
