import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, LessThan, Or, type Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity.js';
import { SessionCache } from './session-cache.js';

@Injectable()
export class ApiKeysRepository {
  private readonly repo: Repository<ApiKeyEntity>;

  constructor(
    dataSource: DataSource,
    private readonly sessionCache: SessionCache,
  ) {
    this.repo = dataSource.getRepository(ApiKeyEntity);
  }

  insert(
    values: Pick<ApiKeyEntity, 'userId' | 'name' | 'prefix' | 'keyHash' | 'role' | 'expiresAt'>,
  ): Promise<ApiKeyEntity> {
    return this.repo.save(this.repo.create({ ...values, lastUsedAt: null, revokedAt: null }));
  }

  findByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOneBy({ keyHash });
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOneBy({ id });
  }

  listForUser(userId: string): Promise<ApiKeyEntity[]> {
    return this.repo.find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  listAll(): Promise<ApiKeyEntity[]> {
    return this.repo.find({ order: { createdAt: 'DESC' } });
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: now });
    // Keys are not cached, but whoever listens for credential changes (open WebSockets) must hear of it.
    await this.sessionCache.invalidate();
  }

  /** Writes last-used at most once per `resolutionMs`, so busy keys do not write per request. */
  async touch(id: string, now: Date, resolutionMs: number): Promise<void> {
    const staleBefore = new Date(now.getTime() - resolutionMs);
    await this.repo.update({ id, lastUsedAt: Or(IsNull(), LessThan(staleBefore)) }, { lastUsedAt: now });
  }
}
