import { Injectable } from '@nestjs/common';
import { transitionStatus } from '../database/status-transition.js';
import { DataSource, LessThan, type EntityManager, type Repository } from 'typeorm';
import { JobEntity, type JobStatus } from './job.entity.js';

@Injectable()
export class JobsRepository {
  constructor(private readonly dataSource: DataSource) {}

  repo(manager?: EntityManager): Repository<JobEntity> {
    return (manager ?? this.dataSource.manager).getRepository(JobEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<JobEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  latestForAsset(assetId: string, manager?: EntityManager): Promise<JobEntity | null> {
    return this.repo(manager).findOne({ where: { assetId }, order: { attempt: 'DESC' } });
  }

  /** The latest job of each asset, in one query. */
  async latestForAssets(assetIds: readonly string[]): Promise<Map<string, JobEntity>> {
    if (assetIds.length === 0) return new Map();
    const jobs = await this.repo()
      .createQueryBuilder('j')
      .distinctOn(['j.asset_id'])
      .where('j.asset_id IN (:...assetIds)', { assetIds })
      .orderBy('j.asset_id')
      .addOrderBy('j.attempt', 'DESC')
      .getMany();
    return new Map(jobs.map((job) => [job.assetId, job]));
  }

  insert(values: Pick<JobEntity, 'assetId' | 'attempt' | 'outputPrefix'>, manager?: EntityManager): Promise<JobEntity> {
    const repo = this.repo(manager);
    return repo.save(repo.create({ ...values, status: 'queued', progress: 0 }));
  }

  async page(
    filter: { assetId?: string; status?: JobStatus },
    limit: number,
    after?: { createdAt: string; id: string },
  ): Promise<JobEntity[]> {
    const query = this.repo()
      .createQueryBuilder('j')
      .orderBy(`date_trunc('milliseconds', j.created_at)`, 'DESC')
      .addOrderBy('j.id', 'DESC')
      .limit(limit + 1);
    if (filter.assetId) query.andWhere('j.asset_id = :assetId', { assetId: filter.assetId });
    if (filter.status) query.andWhere('j.status = :status', { status: filter.status });
    if (after)
      query.andWhere(
        `(date_trunc('milliseconds', j.created_at), j.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))`,
        after,
      );
    return query.getMany();
  }

  /**
   * The running and queued jobs (running first, then newest first), at most `limit`. One
   * statement, so one snapshot: a job that starts while this reads is listed once, as queued
   * or as running, never missed between a read of each status.
   */
  inFlight(limit: number): Promise<JobEntity[]> {
    return this.repo()
      .createQueryBuilder('j')
      .where('j.status IN (:...statuses)', { statuses: ['running', 'queued'] satisfies JobStatus[] })
      .orderBy(`CASE WHEN j.status = 'running' THEN 0 ELSE 1 END`)
      .addOrderBy('j.created_at', 'DESC')
      .addOrderBy('j.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** Conditional update: only while the job is in one of `from` (terminal states stick). */
  async transition(
    id: string,
    from: JobStatus[],
    changes: Partial<JobEntity>,
    manager?: EntityManager,
  ): Promise<boolean> {
    return transitionStatus(this.repo(manager), id, from, changes);
  }

  /** Jobs queued for longer than `olderThan` (their message may have been lost). */
  staleQueued(olderThan: Date): Promise<JobEntity[]> {
    return this.repo().find({ where: { status: 'queued', updatedAt: LessThan(olderThan) }, take: 100 });
  }
}
