import { Injectable, Logger } from '@nestjs/common';
import { PasswordHasher } from '../auth/password.hasher.js';
import type { Principal } from '../auth/principal.js';
import { SessionsRepository } from '../auth/sessions.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { randomSecret } from '../common/crypto.js';
import { decodeTimeCursor, timePage } from '../common/paging.js';
import type { Role } from '../common/roles.js';
import type { ChangePassword, CreateUser, ListUsersQuery, UpdateUser, UserView } from './users.dto.js';
import { toUserView } from './users.mapper.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  private readonly logger = new Logger('Users');

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async get(id: string): Promise<UserView> {
    const user = await this.users.findById(id);
    if (!user) throw ApiError.notFound('User');
    return toUserView(user);
  }

  async list(query: ListUsersQuery): Promise<{ items: UserView[]; nextCursor: string | null }> {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.users.page(
      query.limit,
      after ? { createdAt: new Date(after.at), id: after.id } : undefined,
    );
    const { page, nextCursor } = timePage(rows, query.limit, (user) => user.createdAt);
    return { items: page.map(toUserView), nextCursor };
  }

  async create(input: CreateUser): Promise<UserView> {
    // Checked first so a taken email costs no password hash and no failed INSERT (which the
    // database logger prints with its parameters, hash included); the unique index still
    // settles races below.
    if (await this.users.findByEmail(input.email))
      throw new ApiError('email_taken', `${input.email} is already registered`);
    const user = await this.users.insert({
      email: input.email,
      displayName: input.displayName ?? input.email.split('@')[0] ?? input.email,
      passwordHash: await this.hasher.hash(input.password),
      role: input.role,
      disabledAt: null,
      passwordChangedAt: this.clock.now(),
    });
    if (!user) throw new ApiError('email_taken', `${input.email} is already registered`);
    const view = toUserView(user);
    await this.audit.record({ action: 'user.create', targetType: 'user', targetId: user.id, after: view });
    return view;
  }

  /** Admin changes; disabling also ends every session so access stops at once. */
  async update(actor: Principal, id: string, input: UpdateUser): Promise<UserView> {
    const user = await this.users.findById(id);
    if (!user) throw ApiError.notFound('User');
    if (id === actor.userId && (input.disabled === true || (input.role && input.role !== 'admin'))) {
      throw new ApiError('conflict', 'Admins cannot disable or demote themselves');
    }
    const now = this.clock.now();
    const changes: Parameters<UsersRepository['update']>[1] = {};
    if (input.displayName !== undefined) changes.displayName = input.displayName;
    if (input.role !== undefined) changes.role = input.role;
    if (input.disabled !== undefined) changes.disabledAt = input.disabled ? (user.disabledAt ?? now) : null;
    const updated = await this.users.update(id, changes);
    if (input.disabled) await this.sessions.revokeAllForUser(id, 'disabled', now);
    const view = toUserView(updated ?? user);
    await this.audit.record({
      action: 'user.update',
      targetType: 'user',
      targetId: id,
      before: toUserView(user),
      after: view,
    });
    return view;
  }

  /** Requires the current password; signs out every other session. */
  async changePassword(actor: Principal, input: ChangePassword): Promise<void> {
    const user = await this.users.findById(actor.userId);
    if (!user) throw ApiError.notFound('User');
    if (!(await this.hasher.verify(user.passwordHash, input.currentPassword))) {
      throw new ApiError('invalid_credentials', 'Current password is incorrect');
    }
    const now = this.clock.now();
    await this.users.update(user.id, {
      passwordHash: await this.hasher.hash(input.newPassword),
      passwordChangedAt: now,
    });
    await this.sessions.revokeAllForUser(user.id, 'password_changed', now, actor.sessionId);
    // Who and when only: a password has no before and after worth keeping.
    await this.audit.record({ action: 'user.password_change', targetType: 'user', targetId: user.id });
  }

  /**
   * First start: creates the admin account when there are no users. Returns the generated
   * password when none was configured, so the caller can print it once.
   */
  async ensureAdmin(
    email: string,
    configuredPassword: string | undefined,
  ): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.users.count()) > 0) return { created: false };
    const password = configuredPassword ?? randomSecret(18);
    const role: Role = 'admin';
    await this.create({ email: email.toLowerCase(), password, role, displayName: 'Administrator' });
    this.logger.log(`Created the first admin account ${email}`);
    return configuredPassword ? { created: true } : { created: true, generatedPassword: password };
  }

  /** Undoes `ensureAdmin` after a failed first start: removes the admin if it is the only user. */
  async undoFirstAdmin(email: string): Promise<void> {
    if ((await this.users.count()) !== 1) return;
    await this.users.deleteByEmail(email.toLowerCase());
  }
}
