import { randomUUID } from 'node:crypto';
import { RecordingAudit } from '../../test/fake-audit.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fake-clock.js';
import { sha256Hex } from '../common/crypto.js';
import type { Role } from '../common/roles.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import type { Principal } from './principal.js';

/** In-memory stand-in for the repository methods the service uses. */
class FakeApiKeys {
  readonly rows: ApiKeyEntity[] = [];
  constructor(private readonly clock: FakeClock) {}

  async insert(values: Pick<ApiKeyEntity, 'userId' | 'name' | 'prefix' | 'keyHash' | 'role' | 'expiresAt'>) {
    const row: ApiKeyEntity = {
      ...values,
      id: randomUUID(),
      lastUsedAt: null,
      revokedAt: null,
      createdAt: this.clock.now(),
    };
    this.rows.push(row);
    return { ...row };
  }
  async findById(id: string) {
    return this.rows.find((r) => r.id === id) ?? null;
  }
  async listForUser(userId: string) {
    return this.rows.filter((r) => r.userId === userId);
  }
  async listAll() {
    return [...this.rows];
  }
  async revoke(id: string, now: Date) {
    const row = this.rows.find((r) => r.id === id);
    if (row && !row.revokedAt) row.revokedAt = now;
  }
}

function setup() {
  const clock = new FakeClock(Date.UTC(2030, 5, 1));
  const repo = new FakeApiKeys(clock);
  const audit = new RecordingAudit();
  return {
    service: new ApiKeysService(repo as unknown as ApiKeysRepository, clock, audit.asService()),
    repo,
    clock,
    audit,
  };
}

function principal(role: Role, userId = randomUUID()): Principal {
  return { userId, email: `${role}@example.test`, role, via: 'token', sessionId: randomUUID() };
}

describe('ApiKeysService', () => {
  it('creates a key with the creator role by default, storing only its hash', async () => {
    const { service, repo, clock } = setup();
    const editor = principal('editor');
    const created = await service.create(editor, { name: 'ci' });
    expect(created.key).toMatch(/^alx_[A-Za-z0-9_-]{40,}$/);
    expect(created).toMatchObject({
      name: 'ci',
      role: 'editor',
      userId: editor.userId,
      prefix: created.key.slice(0, 12),
    });
    expect(created).toMatchObject({
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      createdAt: clock.now().toISOString(),
    });
    expect(repo.rows).toHaveLength(1);
    expect(repo.rows[0]!.keyHash).toBe(sha256Hex(created.key));
    expect(JSON.stringify(repo.rows[0])).not.toContain(created.key);
    expect(created).not.toHaveProperty('keyHash');
  });

  it('sets expiresAt expiresInDays after now', async () => {
    const { service, clock } = setup();
    const created = await service.create(principal('viewer'), { name: 'short', expiresInDays: 7 });
    expect(created.expiresAt).toBe(new Date(clock.now().getTime() + 7 * 86_400_000).toISOString());
  });

  it('takes an exact expiresAt in the future, and refuses one in the past or beyond 10 years', async () => {
    const { service, clock } = setup();
    const soon = new Date(clock.now().getTime() + 2_000).toISOString();
    expect((await service.create(principal('viewer'), { name: 'soon', expiresAt: soon })).expiresAt).toBe(soon);
    for (const at of [clock.now(), new Date(clock.now().getTime() + 3651 * 86_400_000)]) {
      await expect(
        service.create(principal('viewer'), { name: 'bad', expiresAt: at.toISOString() }),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        extras: { errors: [{ field: 'expiresAt' }] },
      });
    }
  });

  it.each([
    ['viewer', 'editor'],
    ['viewer', 'admin'],
    ['editor', 'admin'],
  ] as const)('refuses a %s creating an %s key (forbidden) and stores nothing', async (creator, requested) => {
    const { service, repo } = setup();
    await expect(service.create(principal(creator), { name: 'up', role: requested })).rejects.toMatchObject({
      code: 'forbidden',
      status: 403,
    });
    expect(repo.rows).toHaveLength(0);
  });

  it.each([
    ['admin', 'viewer'],
    ['admin', 'admin'],
    ['editor', 'viewer'],
  ] as const)('lets a %s create a %s key', async (creator, requested) => {
    const { service } = setup();
    await expect(service.create(principal(creator), { name: 'ok', role: requested })).resolves.toMatchObject({
      role: requested,
    });
  });

  it('lists only your own keys, unless you are an admin', async () => {
    const { service } = setup();
    const alice = principal('editor');
    const bob = principal('viewer');
    const admin = principal('admin');
    const aliceKey = await service.create(alice, { name: 'alice' });
    const bobKey = await service.create(bob, { name: 'bob' });
    const adminKey = await service.create(admin, { name: 'admin' });
    expect((await service.list(alice)).map((k) => k.id)).toEqual([aliceKey.id]);
    expect((await service.list(bob)).map((k) => k.id)).toEqual([bobKey.id]);
    expect((await service.list(admin)).map((k) => k.id).sort()).toEqual([aliceKey.id, bobKey.id, adminKey.id].sort());
    for (const view of await service.list(admin)) expect(view).not.toHaveProperty('key');
  });

  it('answers not_found when a non-admin revokes somebody else’s key, and leaves it alone', async () => {
    const { service, repo } = setup();
    const owner = principal('editor');
    const other = principal('editor');
    const key = await service.create(owner, { name: 'mine' });
    await expect(service.revoke(other, key.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    expect(repo.rows[0]!.revokedAt).toBeNull();
  });

  it('answers not_found for an unknown key', async () => {
    const { service } = setup();
    await expect(service.revoke(principal('admin'), randomUUID())).rejects.toMatchObject({ code: 'not_found' });
  });

  it('revokes your own key, and lets an admin revoke anybody’s', async () => {
    const { service, repo, clock } = setup();
    const owner = principal('viewer');
    const own = await service.create(owner, { name: 'own' });
    const other = await service.create(principal('viewer'), { name: 'other' });
    clock.advance(5_000);
    await service.revoke(owner, own.id);
    await service.revoke(principal('admin'), other.id);
    expect(repo.rows.map((r) => r.revokedAt)).toEqual([clock.now(), clock.now()]);
  });
});
