import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { SessionCache } from '../auth/session-cache.js';
import { isUniqueViolation } from '../database/db-errors.js';
import { UserEntity } from './user.entity.js';

@Injectable()
export class UsersRepository {
  private readonly repo: Repository<UserEntity>;

  constructor(
    dataSource: DataSource,
    private readonly sessionCache: SessionCache,
  ) {
    this.repo = dataSource.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /** Inserts; returns null when the email is already taken. */
  async insert(values: Omit<UserEntity, 'id' | 'createdAt' | 'updatedAt'>): Promise<UserEntity | null> {
    try {
      const result = await this.repo.insert(values);
      return this.repo.findOneByOrFail({ id: (result.identifiers[0] as { id: string }).id });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async update(
    id: string,
    changes: Partial<Pick<UserEntity, 'displayName' | 'role' | 'disabledAt' | 'passwordHash' | 'passwordChangedAt'>>,
  ): Promise<UserEntity | null> {
    await this.repo.update({ id }, changes);
    await this.sessionCache.invalidate();
    return this.findById(id);
  }

  /**
   * Keyset page ordered by creation time, then id. PostgreSQL keeps microseconds but the
   * cursor carries a JS Date (milliseconds), so both the order and the comparison use the
   * time truncated to milliseconds; comparing the raw column would repeat the last row of
   * every page (its microseconds make it "greater" than its own truncated cursor).
   */
  page(limit: number, after?: { createdAt: Date; id: string }): Promise<UserEntity[]> {
    const created = `date_trunc('milliseconds', u.created_at)`;
    const query = this.repo
      .createQueryBuilder('u')
      .orderBy(created, 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(limit + 1);
    if (after) query.where(`(${created}, u.id) > (:createdAt, :id)`, after);
    return query.getMany();
  }

  async deleteByEmail(email: string): Promise<void> {
    await this.repo.delete({ email });
    await this.sessionCache.invalidate();
  }
}
