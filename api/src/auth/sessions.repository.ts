import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { UserEntity } from '../users/user.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SessionEntity } from './session.entity.js';

export interface RefreshTokenRecord {
  token: RefreshTokenEntity;
  session: SessionEntity;
}

@Injectable()
export class SessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Opens a session with its first refresh token, atomically. */
  createWithToken(userId: string, tokenHash: string, expiresAt: Date): Promise<SessionEntity> {
    return this.dataSource.transaction(async (manager) => {
      const session = await manager.save(
        manager.create(SessionEntity, { userId, revokedAt: null, revokedReason: null }),
      );
      await manager.insert(RefreshTokenEntity, { sessionId: session.id, tokenHash, expiresAt, rotatedAt: null });
      return session;
    });
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const token = await this.dataSource.getRepository(RefreshTokenEntity).findOne({
      where: { tokenHash },
      relations: { session: true },
    });
    if (!token?.session) return null;
    return { token, session: token.session };
  }

  /**
   * Marks `tokenId` used and stores its successor in one transaction. Returns false when
   * the token was already used: two concurrent refreshes cannot both succeed.
   */
  rotate(tokenId: string, sessionId: string, nextHash: string, expiresAt: Date, now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(RefreshTokenEntity, { id: tokenId, rotatedAt: IsNull() }, { rotatedAt: now });
      if (!result.affected) return false;
      await manager.insert(RefreshTokenEntity, { sessionId, tokenHash: nextHash, expiresAt, rotatedAt: null });
      return true;
    });
  }

  async revoke(sessionId: string, reason: string, now: Date): Promise<void> {
    await this.dataSource
      .getRepository(SessionEntity)
      .update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
  }

  async revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<void> {
    const query = this.dataSource
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: now, revokedReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId });
    await query.execute();
  }

  /** A session with its user, in one query. */
  async findWithUser(id: string): Promise<{ session: SessionEntity; user: UserEntity } | null> {
    const session = await this.dataSource
      .getRepository(SessionEntity)
      .findOne({ where: { id }, relations: { user: true } });
    return session?.user ? { session, user: session.user } : null;
  }

  findSession(id: string): Promise<SessionEntity | null> {
    return this.dataSource.getRepository(SessionEntity).findOneBy({ id });
  }
}
