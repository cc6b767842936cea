import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { AuditEntryEntity } from './audit-entry.entity.js';
import type { AuditTargetType } from './audit.dto.js';

export interface AuditFilter {
  actorId?: string;
  targetType?: AuditTargetType;
  targetId?: string;
  action?: string;
}

@Injectable()
export class AuditRepository {
  private readonly repo: Repository<AuditEntryEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditEntryEntity);
  }

  async insert(entry: Omit<AuditEntryEntity, 'id' | 'seq'>): Promise<void> {
    await this.repo.insert(entry);
  }

  /** Newest first, `limit + 1` rows so the caller can tell whether another page follows. */
  page(filter: AuditFilter, limit: number, beforeSeq?: string): Promise<AuditEntryEntity[]> {
    const query = this.repo
      .createQueryBuilder('a')
      .orderBy('a.seq', 'DESC')
      .limit(limit + 1);
    if (filter.actorId) query.andWhere('a.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.targetType) query.andWhere('a.target_type = :targetType', { targetType: filter.targetType });
    if (filter.targetId) query.andWhere('a.target_id = :targetId', { targetId: filter.targetId });
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    if (beforeSeq) query.andWhere('a.seq < :beforeSeq', { beforeSeq });
    return query.getMany();
  }
}
