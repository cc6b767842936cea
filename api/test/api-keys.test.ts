import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyListSchema, CreatedApiKeySchema } from '../src/auth/auth.dto.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { adminToken, createApiKey, createUser, expectProblem, patchUser } from './identity-helpers.js';

const DAY_MS = 86_400_000;

describe.each(databaseTargets())('API keys on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(target);
  });
  afterAll(() => t?.close());

  const me = (headers: Record<string, string>) => t.request('GET', '/auth/me', { headers });
  const listKeys = async (token: string) => {
    const response = await t.request('GET', '/auth/api-keys', { token });
    expect(response.status, response.body).toBe(200);
    return { body: response.body, items: ApiKeyListSchema.parse(response.json()).items };
  };

  describe('POST /auth/api-keys', () => {
    it('returns the secret once, with the alx_ prefix; listings never show it', async () => {
      const user = await createUser(t, 'editor');
      const response = await t.request('POST', '/auth/api-keys', {
        token: user.accessToken,
        body: { name: '  deploy bot  ' },
      });
      expect(response.status, response.body).toBe(201);
      const created = CreatedApiKeySchema.parse(response.json());
      expect(created).toMatchObject({
        name: 'deploy bot',
        role: 'editor',
        userId: user.id,
        lastUsedAt: null,
        expiresAt: null,
        revokedAt: null,
      });
      expect(created.key).toMatch(/^alx_[A-Za-z0-9_-]{40,}$/);
      expect(created.prefix).toBe(created.key.slice(0, created.prefix.length));
      expect(created.prefix.length).toBeLessThan(created.key.length / 2);

      const { body, items } = await listKeys(user.accessToken);
      const { key: secret, ...view } = created;
      expect(items).toEqual([view]);
      expect(items[0]).not.toHaveProperty('key');
      expect(body).not.toContain(secret);
      expect(body).not.toContain(secret.slice(created.prefix.length));
      // Nor does the admin's list of everybody's keys.
      expect((await listKeys(await adminToken(t))).body).not.toContain(secret);
    });

    it('gives every key a different secret', async () => {
      const user = await createUser(t);
      const a = await createApiKey(t, user.accessToken, { name: 'same' });
      const b = await createApiKey(t, user.accessToken, { name: 'same' });
      expect(a.key).not.toBe(b.key);
    });

    it('refuses a role above the creator’s with 403 forbidden', async () => {
      const viewer = await createUser(t, 'viewer');
      const editor = await createUser(t, 'editor');
      expectProblem(
        await t.request('POST', '/auth/api-keys', { token: viewer.accessToken, body: { name: 'x', role: 'admin' } }),
        403,
        'forbidden',
      );
      expectProblem(
        await t.request('POST', '/auth/api-keys', { token: viewer.accessToken, body: { name: 'x', role: 'editor' } }),
        403,
        'forbidden',
      );
      expectProblem(
        await t.request('POST', '/auth/api-keys', { token: editor.accessToken, body: { name: 'x', role: 'admin' } }),
        403,
        'forbidden',
      );
      expect((await listKeys(viewer.accessToken)).items).toEqual([]);
      expect((await listKeys(editor.accessToken)).items).toEqual([]);
      // Lower or equal roles are fine.
      expect((await createApiKey(t, editor.accessToken, { role: 'viewer' })).role).toBe('viewer');
      expect((await createApiKey(t, editor.accessToken, { role: 'editor' })).role).toBe('editor');
    });

    it('bounds a key created with a lower-role key to that lower role', async () => {
      const admin = await createUser(t, 'admin');
      const viewerKey = await createApiKey(t, admin.accessToken, { role: 'viewer' });
      const response = await t.request('POST', '/auth/api-keys', {
        headers: { 'x-api-key': viewerKey.key },
        body: { name: 'escalate', role: 'admin' },
      });
      expectProblem(response, 403, 'forbidden');
    });

    it('validates the body: 400 validation_failed', async () => {
      const user = await createUser(t);
      for (const body of [
        {},
        { name: '' },
        { name: 'x', role: 'root' },
        { name: 'x', expiresInDays: 0 },
        { name: 'x', expiresInDays: 1.5 },
        { name: 'x', expiresAt: 'tomorrow' },
        { name: 'x', expiresAt: '2020-01-01T00:00:00Z' },
        { name: 'x', expiresInDays: 1, expiresAt: '2099-01-01T00:00:00Z' },
        { name: 'x', extra: 1 },
      ]) {
        const problem = expectProblem(
          await t.request('POST', '/auth/api-keys', { token: user.accessToken, body }),
          400,
          'validation_failed',
        );
        expect(problem.errors?.length).toBeGreaterThan(0);
      }
    });

    it('requires credentials: 401 authentication_required', async () => {
      expectProblem(
        await t.request('POST', '/auth/api-keys', { body: { name: 'anon' } }),
        401,
        'authentication_required',
      );
      expectProblem(await t.request('GET', '/auth/api-keys'), 401, 'authentication_required');
    });
  });

  describe('using a key', () => {
    it('works as "Authorization: Bearer alx_…" and as X-API-Key', async () => {
      const user = await createUser(t, 'editor');
      const key = await createApiKey(t, user.accessToken);
      const variants: Array<Record<string, string>> = [
        { authorization: `Bearer ${key.key}` },
        { 'x-api-key': key.key },
      ];
      for (const headers of variants) {
        const response = await me(headers);
        expect(response.status, response.body).toBe(200);
        expect(response.json()).toMatchObject({
          via: 'api_key',
          apiKeyId: key.id,
          role: 'editor',
          user: { id: user.id },
        });
      }
    });

    it('records lastUsedAt when used', async () => {
      const user = await createUser(t);
      const key = await createApiKey(t, user.accessToken);
      expect((await listKeys(user.accessToken)).items[0]!.lastUsedAt).toBeNull();
      t.clock.advance(1000);
      const usedAt = t.clock.now().toISOString();
      expect((await me({ 'x-api-key': key.key })).status).toBe(200);
      const [view] = (await listKeys(user.accessToken)).items;
      expect(view!.lastUsedAt).toBe(usedAt);
      // Busy keys are not written on every request: within a minute the value stays.
      t.clock.advance(30_000);
      expect((await me({ 'x-api-key': key.key })).status).toBe(200);
      expect((await listKeys(user.accessToken)).items[0]!.lastUsedAt).toBe(usedAt);
      // It is updated again once the last write is more than a minute old.
      t.clock.advance(2 * 60_000);
      expect((await me({ authorization: `Bearer ${key.key}` })).status).toBe(200);
      expect((await listKeys(user.accessToken)).items[0]!.lastUsedAt).toBe(t.clock.now().toISOString());
    });

    it('rejects an unknown key with 401 token_invalid', async () => {
      expectProblem(await me({ 'x-api-key': 'alx_thisKeyWasNeverIssued' }), 401, 'token_invalid');
      expectProblem(await me({ authorization: 'Bearer alx_thisKeyWasNeverIssued' }), 401, 'token_invalid');
    });

    it('rejects an expired key with 401 token_expired', async () => {
      const user = await createUser(t);
      const response = await t.request('POST', '/auth/api-keys', {
        token: user.accessToken,
        body: { name: 'temp', expiresInDays: 1 },
      });
      expect(response.status).toBe(201);
      const { key, expiresAt } = response.json();
      expect(Date.parse(expiresAt)).toBe(t.clock.now().getTime() + DAY_MS);
      t.clock.advance(DAY_MS - 1000);
      expect((await me({ 'x-api-key': key })).status).toBe(200);
      t.clock.advance(1000);
      expectProblem(await me({ 'x-api-key': key }), 401, 'token_expired');
      expectProblem(await me({ authorization: `Bearer ${key}` }), 401, 'token_expired');
    });

    it('never grants more than the owner’s current role after a demotion', async () => {
      const owner = await createUser(t, 'admin');
      const key = await createApiKey(t, owner.accessToken, { role: 'admin' });
      expect((await t.request('GET', '/users', { headers: { 'x-api-key': key.key } })).status).toBe(200);

      expect((await patchUser(t, owner.id, { role: 'editor' })).status).toBe(200);
      expectProblem(await t.request('GET', '/users', { headers: { 'x-api-key': key.key } }), 403, 'forbidden');
      expect((await me({ 'x-api-key': key.key })).json()).toMatchObject({ role: 'editor', via: 'api_key' });
      // The demoted owner cannot mint an admin key either.
      expectProblem(
        await t.request('POST', '/auth/api-keys', {
          headers: { 'x-api-key': key.key },
          body: { name: 'x', role: 'admin' },
        }),
        403,
        'forbidden',
      );

      expect((await patchUser(t, owner.id, { role: 'viewer' })).status).toBe(200);
      expect((await me({ 'x-api-key': key.key })).json().role).toBe('viewer');

      // The key itself was never changed: promoting the owner back restores it.
      expect((await patchUser(t, owner.id, { role: 'admin' })).status).toBe(200);
      expect((await t.request('GET', '/users', { headers: { 'x-api-key': key.key } })).status).toBe(200);
    });
  });

  describe('GET /auth/api-keys', () => {
    it('lists your own keys only; admins see everybody’s', async () => {
      const alice = await createUser(t, 'editor', 'alice');
      const bob = await createUser(t, 'viewer', 'bob');
      const aliceKey = await createApiKey(t, alice.accessToken, { name: 'alice key' });
      const bobKey = await createApiKey(t, bob.accessToken, { name: 'bob key' });
      expect((await listKeys(alice.accessToken)).items.map((k) => k.id)).toEqual([aliceKey.id]);
      expect((await listKeys(bob.accessToken)).items.map((k) => k.id)).toEqual([bobKey.id]);
      const all = (await listKeys(await adminToken(t))).items.map((k) => k.id);
      expect(all).toEqual(expect.arrayContaining([aliceKey.id, bobKey.id]));
    });

    it('works with an API key as the credential', async () => {
      const user = await createUser(t);
      const key = await createApiKey(t, user.accessToken);
      const response = await t.request('GET', '/auth/api-keys', { headers: { 'x-api-key': key.key } });
      expect(response.status).toBe(200);
      expect(response.json().items.map((k: { id: string }) => k.id)).toEqual([key.id]);
    });
  });

  describe('DELETE /auth/api-keys/:id', () => {
    it('revokes your own key: it is rejected afterwards and listed as revoked', async () => {
      const user = await createUser(t);
      const key = await createApiKey(t, user.accessToken);
      expect((await me({ 'x-api-key': key.key })).status).toBe(200);
      const response = await t.request('DELETE', `/auth/api-keys/${key.id}`, { token: user.accessToken });
      expect(response.status).toBe(204);
      expect(response.body).toBe('');
      expectProblem(await me({ 'x-api-key': key.key }), 401, 'token_invalid');
      expectProblem(await me({ authorization: `Bearer ${key.key}` }), 401, 'token_invalid');
      const revokedAt = t.clock.now().toISOString();
      expect((await listKeys(user.accessToken)).items[0]!.revokedAt).toBe(revokedAt);
      // Revoking again is harmless and keeps the original time.
      t.clock.advance(5000);
      expect((await t.request('DELETE', `/auth/api-keys/${key.id}`, { token: user.accessToken })).status).toBe(204);
      expect((await listKeys(user.accessToken)).items[0]!.revokedAt).toBe(revokedAt);
    });

    it('answers 404 not_found for somebody else’s key and leaves it working', async () => {
      const owner = await createUser(t, 'editor');
      const intruder = await createUser(t, 'editor');
      const key = await createApiKey(t, owner.accessToken);
      expectProblem(
        await t.request('DELETE', `/auth/api-keys/${key.id}`, { token: intruder.accessToken }),
        404,
        'not_found',
      );
      expect((await me({ 'x-api-key': key.key })).status).toBe(200);
    });

    it('lets an admin revoke anybody’s key', async () => {
      const owner = await createUser(t);
      const key = await createApiKey(t, owner.accessToken);
      expect((await t.request('DELETE', `/auth/api-keys/${key.id}`, { token: await adminToken(t) })).status).toBe(204);
      expectProblem(await me({ 'x-api-key': key.key }), 401, 'token_invalid');
    });

    it('answers 404 not_found for an unknown id and 400 validation_failed for a malformed one', async () => {
      const user = await createUser(t);
      expectProblem(
        await t.request('DELETE', `/auth/api-keys/${randomUUID()}`, { token: user.accessToken }),
        404,
        'not_found',
      );
      expectProblem(
        await t.request('DELETE', '/auth/api-keys/not-a-uuid', { token: user.accessToken }),
        400,
        'validation_failed',
      );
    });
  });
});
