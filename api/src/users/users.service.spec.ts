import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { RecordingAudit } from '../../test/fake-audit.js';
import { FakeClock } from '../../test/fake-clock.js';
import type { PasswordHasher } from '../auth/password.hasher.js';
import type { Principal } from '../auth/principal.js';
import type { SessionsRepository } from '../auth/sessions.repository.js';
import type { UserEntity } from './user.entity.js';
import type { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

class FakeUsers {
  readonly rows: UserEntity[] = [];
  /** Simulates a concurrent insert of the same email winning the race. */
  loseNextInsert = false;
  constructor(private readonly clock: FakeClock) {}
  async findById(id: string) {
    return this.rows.find((u) => u.id === id) ?? null;
  }
  async findByEmail(email: string) {
    return this.rows.find((u) => u.email === email.toLowerCase()) ?? null;
  }
  async insert(values: Omit<UserEntity, 'id' | 'createdAt' | 'updatedAt'>) {
    if (this.loseNextInsert || this.rows.some((u) => u.email === values.email)) return null;
    const user = { ...values, id: randomUUID(), createdAt: this.clock.now(), updatedAt: this.clock.now() };
    this.rows.push(user);
    return user;
  }
  async update(id: string, changes: Partial<UserEntity>) {
    const user = this.rows.find((u) => u.id === id);
    if (user) Object.assign(user, changes);
    return user ?? null;
  }
}

describe('UsersService', () => {
  let clock: FakeClock;
  let users: FakeUsers;
  let revocations: Array<{ userId: string; reason: string; except?: string }>;
  let hashed: string[];
  let service: UsersService;

  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2030, 0, 1));
    users = new FakeUsers(clock);
    revocations = [];
    hashed = [];
    const sessions = {
      revokeAllForUser: async (userId: string, reason: string, _now: Date, except?: string) =>
        void revocations.push({ userId, reason, ...(except ? { except } : {}) }),
    };
    const hasher = {
      hash: async (password: string) => (hashed.push(password), `hashed:${password}`),
      verify: async (hash: string | undefined, password: string) => hash === `hashed:${password}`,
    };
    service = new UsersService(
      users as unknown as UsersRepository,
      sessions as unknown as SessionsRepository,
      hasher as unknown as PasswordHasher,
      clock,
      new RecordingAudit().asService(),
    );
  });

  const admin = (userId: string): Principal => ({
    userId,
    email: 'a@x.test',
    role: 'admin',
    via: 'token',
    sessionId: randomUUID(),
  });

  it('refuses a taken email with email_taken before hashing the password', async () => {
    await service.create({ email: 'taken@x.test', password: 'first-password', role: 'viewer' });
    await expect(
      service.create({ email: 'taken@x.test', password: 'second-password', role: 'viewer' }),
    ).rejects.toMatchObject({
      code: 'email_taken',
      status: 409,
    });
    expect(hashed).toEqual(['first-password']);
  });

  it('still answers email_taken when a concurrent insert wins the race', async () => {
    users.loseNextInsert = true;
    await expect(
      service.create({ email: 'race@x.test', password: 'a-password-123', role: 'viewer' }),
    ).rejects.toMatchObject({
      code: 'email_taken',
    });
  });

  it('refuses an admin demoting or disabling themselves, and changes nothing', async () => {
    const me = await service.create({ email: 'me@x.test', password: 'a-password-123', role: 'admin' });
    for (const input of [
      { role: 'editor' as const },
      { disabled: true },
      { role: 'viewer' as const, displayName: 'X' },
    ]) {
      await expect(service.update(admin(me.id), me.id, input)).rejects.toMatchObject({ code: 'conflict', status: 409 });
    }
    expect(users.rows[0]).toMatchObject({ role: 'admin', disabledAt: null, displayName: 'me' });
    expect(revocations).toEqual([]);
  });

  it('disabling ends every session and keeps the first disabledAt; enabling clears it', async () => {
    const actor = await service.create({ email: 'boss@x.test', password: 'a-password-123', role: 'admin' });
    const user = await service.create({ email: 'u@x.test', password: 'a-password-123', role: 'editor' });
    const firstDisabledAt = clock.now();
    await expect(service.update(admin(actor.id), user.id, { disabled: true })).resolves.toMatchObject({
      disabled: true,
    });
    expect(revocations).toEqual([{ userId: user.id, reason: 'disabled' }]);
    clock.advance(60_000);
    await service.update(admin(actor.id), user.id, { disabled: true });
    expect(users.rows[1]!.disabledAt).toEqual(firstDisabledAt);
    await expect(service.update(admin(actor.id), user.id, { disabled: false })).resolves.toMatchObject({
      disabled: false,
    });
    expect(revocations).toHaveLength(2);
  });

  it('answers not_found for an unknown user', async () => {
    await expect(service.update(admin(randomUUID()), randomUUID(), { role: 'viewer' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(service.get(randomUUID())).rejects.toMatchObject({ code: 'not_found' });
  });

  it('changes the password only with the current one, ending the other sessions', async () => {
    const user = await service.create({ email: 'pw@x.test', password: 'old-password-1', role: 'viewer' });
    const principal: Principal = {
      userId: user.id,
      email: user.email,
      role: 'viewer',
      via: 'token',
      sessionId: randomUUID(),
    };
    await expect(
      service.changePassword(principal, { currentPassword: 'wrong', newPassword: 'new-password-1' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
      status: 401,
    });
    expect(revocations).toEqual([]);
    clock.advance(1000);
    await service.changePassword(principal, { currentPassword: 'old-password-1', newPassword: 'new-password-1' });
    expect(users.rows[0]).toMatchObject({ passwordHash: 'hashed:new-password-1', passwordChangedAt: clock.now() });
    expect(revocations).toEqual([{ userId: user.id, reason: 'password_changed', except: principal.sessionId }]);
  });

  it('refuses a cursor that does not decode to a position with invalid_cursor', async () => {
    const wrongShape = Buffer.from(JSON.stringify({ c: '2030-01-01T00:00:00.000Z', i: 'not-a-uuid' })).toString(
      'base64url',
    );
    for (const cursor of ['%%%', 'e30', wrongShape]) {
      await expect(service.list({ limit: 10, cursor })).rejects.toMatchObject({ code: 'invalid_cursor', status: 400 });
    }
  });
});
