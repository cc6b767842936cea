import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fake-clock.js';
import { sha256Hex } from '../common/crypto.js';
import type { Role } from '../common/roles.js';
import type { AppConfig } from '../config/app-config.js';
import type { UserEntity } from '../users/user.entity.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { Authenticator } from './authenticator.service.js';
import type { SessionEntity } from './session.entity.js';
import type { SessionsRepository } from './sessions.repository.js';
import { TokensService } from './tokens.service.js';

const config = {
  env: { ACCESS_TOKEN_TTL_SECONDS: 900 },
  jwtSecret: new TextEncoder().encode('unit-test-secret-that-is-at-least-32-chars'),
} as unknown as AppConfig;

describe('Authenticator', () => {
  let clock: FakeClock;
  let tokens: TokensService;
  let users: UserEntity[];
  let sessions: SessionEntity[];
  let keys: ApiKeyEntity[];
  let touched: string[];
  let authenticator: Authenticator;

  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2030, 0, 1));
    tokens = new TokensService(config, clock);
    users = [];
    sessions = [];
    keys = [];
    touched = [];
    const usersRepo = { findById: async (id: string) => users.find((u) => u.id === id) ?? null };
    const sessionsRepo = {
      findWithUser: async (id: string) => {
        const session = sessions.find((s) => s.id === id);
        const user = session && users.find((u) => u.id === session.userId);
        return session && user ? { session, user } : null;
      },
    };
    const keysRepo = {
      findByHash: async (hash: string) => keys.find((k) => k.keyHash === hash) ?? null,
      touch: async (id: string) => void touched.push(id),
    };
    authenticator = new Authenticator(
      tokens,
      usersRepo as unknown as UsersRepository,
      sessionsRepo as unknown as SessionsRepository,
      keysRepo as unknown as ApiKeysRepository,
      clock,
    );
  });

  function addUser(role: Role): UserEntity {
    const now = clock.now();
    const user = {
      id: randomUUID(),
      email: `${role}-${users.length}@example.test`,
      displayName: 'x',
      passwordHash: 'x',
      role,
      disabledAt: null,
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    users.push(user);
    return user;
  }

  async function signIn(user: UserEntity): Promise<{ token: string; session: SessionEntity }> {
    const session = { id: randomUUID(), userId: user.id, revokedAt: null, revokedReason: null, createdAt: clock.now() };
    sessions.push(session);
    return { token: await tokens.sign(user.id, session.id), session };
  }

  function addKey(user: UserEntity, role: Role, extra: Partial<ApiKeyEntity> = {}): string {
    const key = `alx_${randomUUID()}`;
    keys.push({
      id: randomUUID(),
      userId: user.id,
      name: 'k',
      prefix: key.slice(0, 12),
      keyHash: sha256Hex(key),
      role,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      createdAt: clock.now(),
      ...extra,
    });
    return key;
  }

  it('returns undefined without credentials and a token principal for a bearer token', async () => {
    await expect(authenticator.authenticate(undefined, undefined)).resolves.toBeUndefined();
    const user = addUser('editor');
    const { token, session } = await signIn(user);
    await expect(authenticator.authenticate(`Bearer ${token}`, undefined)).resolves.toEqual({
      userId: user.id,
      email: user.email,
      role: 'editor',
      via: 'token',
      sessionId: session.id,
    });
    await expect(authenticator.authenticate(`bearer ${token}`, undefined)).resolves.toMatchObject({ userId: user.id });
  });

  it('rejects a malformed Authorization header', async () => {
    const { token } = await signIn(addUser('viewer'));
    for (const header of ['Basic abc', 'Bearer', 'Bearer ', token, `Token ${token}`, 'Bearer garbage']) {
      await expect(authenticator.authenticate(header, undefined), header).rejects.toMatchObject({
        code: 'token_invalid',
      });
    }
  });

  it('rejects the token of an ended session', async () => {
    const { token, session } = await signIn(addUser('viewer'));
    session.revokedAt = clock.now();
    await expect(authenticator.authenticate(`Bearer ${token}`, undefined)).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('reports a disabled account as account_disabled even though disabling ended its sessions', async () => {
    const user = addUser('editor');
    const { token, session } = await signIn(user);
    // What UsersService.update does when disabling: mark the user and revoke every session.
    user.disabledAt = clock.now();
    session.revokedAt = clock.now();
    await expect(authenticator.authenticate(`Bearer ${token}`, undefined)).rejects.toMatchObject({
      code: 'account_disabled',
      status: 403,
    });
  });

  it('rejects a token whose session belongs to another user', async () => {
    const alice = addUser('admin');
    const bob = addUser('viewer');
    const { session } = await signIn(bob);
    const forged = await tokens.sign(alice.id, session.id);
    await expect(authenticator.authenticate(`Bearer ${forged}`, undefined)).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('accepts API keys in either header, touches them, and caps their role at the owner’s current role', async () => {
    const owner = addUser('admin');
    const key = addKey(owner, 'admin');
    const viaBearer = await authenticator.authenticate(`Bearer ${key}`, undefined);
    const viaHeader = await authenticator.authenticate(undefined, key);
    expect(viaBearer).toEqual({
      userId: owner.id,
      email: owner.email,
      role: 'admin',
      via: 'api_key',
      apiKeyId: keys[0]!.id,
    });
    expect(viaHeader).toEqual(viaBearer);
    expect(touched).toEqual([keys[0]!.id, keys[0]!.id]);
    owner.role = 'editor';
    await expect(authenticator.authenticate(undefined, key)).resolves.toMatchObject({ role: 'editor' });
    owner.role = 'viewer';
    await expect(authenticator.authenticate(undefined, key)).resolves.toMatchObject({ role: 'viewer' });
    const viewerKey = addKey(addUser('admin'), 'viewer');
    await expect(authenticator.authenticate(undefined, viewerKey)).resolves.toMatchObject({ role: 'viewer' });
  });

  it('rejects unknown, revoked and expired keys, and keys of disabled owners', async () => {
    const owner = addUser('editor');
    await expect(authenticator.authenticate(undefined, 'alx_unknown')).rejects.toMatchObject({ code: 'token_invalid' });
    const revoked = addKey(owner, 'editor', { revokedAt: clock.now() });
    await expect(authenticator.authenticate(undefined, revoked)).rejects.toMatchObject({ code: 'token_invalid' });
    const expiring = addKey(owner, 'editor', { expiresAt: new Date(clock.now().getTime() + 1000) });
    await expect(authenticator.authenticate(undefined, expiring)).resolves.toMatchObject({ via: 'api_key' });
    clock.advance(1000);
    await expect(authenticator.authenticate(undefined, expiring)).rejects.toMatchObject({ code: 'token_expired' });
    const disabledOwner = addUser('editor');
    const key = addKey(disabledOwner, 'viewer');
    disabledOwner.disabledAt = clock.now();
    await expect(authenticator.authenticate(`Bearer ${key}`, undefined)).rejects.toMatchObject({
      code: 'account_disabled',
    });
    expect(touched).toEqual([keys[1]!.id]);
  });
});
