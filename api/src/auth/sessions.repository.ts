import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SessionCache } from './session-cache.js';
import { SessionEntity } from './session.entity.js';

export interface SessionWithUser {
  session: SessionEntity;
  user: UserEntity;
}

export interface RefreshTokenRecord {
  token: RefreshTokenEntity;
  session: SessionEntity;
}

@Injectable()
export class SessionsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: SessionCache,
  ) {}

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
    await this.cache.invalidate();
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
    await this.cache.invalidate();
  }

  /** A session with its user, from the short-lived cache or in one query. */
  findWithUser(id: string): SessionWithUser | null | Promise<SessionWithUser | null> {
    return this.cache.get(id, (sessionId) => this.loadWithUser(sessionId));
  }

  private async loadWithUser(id: string): Promise<SessionWithUser | null> {
    // Plain SQL on purpose: this runs on every authenticated request, and TypeORM's
    // relation loading costs several times the query itself.
    const rows: SessionUserRow[] = await this.dataSource.query(
      `SELECT s.id, s.user_id, s.revoked_at, s.revoked_reason, s.created_at,
              u.email, u.display_name, u.password_hash, u.role, u.disabled_at, u.password_changed_at,
              u.created_at AS user_created_at, u.updated_at AS user_updated_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const user = Object.assign(new UserEntity(), {
      id: row.user_id,
      email: row.email,
      displayName: row.display_name,
      passwordHash: row.password_hash,
      role: row.role,
      disabledAt: toDate(row.disabled_at),
      passwordChangedAt: toDate(row.password_changed_at) ?? new Date(0),
      createdAt: toDate(row.user_created_at) ?? new Date(0),
      updatedAt: toDate(row.user_updated_at) ?? new Date(0),
    });
    const session = Object.assign(new SessionEntity(), {
      id: row.id,
      userId: row.user_id,
      revokedAt: toDate(row.revoked_at),
      revokedReason: row.revoked_reason,
      createdAt: toDate(row.created_at) ?? new Date(0),
    });
    return { session, user };
  }

  findSession(id: string): Promise<SessionEntity | null> {
    return this.dataSource.getRepository(SessionEntity).findOneBy({ id });
  }
}

interface SessionUserRow {
  id: string;
  user_id: string;
  revoked_at: Date | string | null;
  revoked_reason: string | null;
  created_at: Date | string;
  email: string;
  display_name: string;
  password_hash: string;
  role: UserEntity['role'];
  disabled_at: Date | string | null;
  password_changed_at: Date | string;
  user_created_at: Date | string;
  user_updated_at: Date | string;
}

function toDate(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}
