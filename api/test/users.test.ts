import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserListSchema, UserSchema } from '../src/users/users.dto.js';
import { ADMIN_EMAIL, createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { adminToken, createApiKey, createUser, expectProblem, patchUser, uniqueEmail } from './identity-helpers.js';

describe.each(databaseTargets())('users on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(target);
  });
  afterAll(() => t?.close());

  const asAdmin = async (
    method: string,
    url: string,
    options: { body?: unknown; query?: Record<string, string> } = {},
  ) => t.request(method, url, { token: await adminToken(t), ...options });

  /** Every user id in the database. */
  async function allIdsFromDatabase(): Promise<string[]> {
    const rows: Array<{ id: string }> = await t.dataSource.query(`SELECT id FROM users`);
    return rows.map((r) => r.id);
  }

  describe('GET /users', () => {
    it('lists users for admins', async () => {
      const user = await createUser(t, 'editor');
      const response = await asAdmin('GET', '/users');
      expect(response.status, response.body).toBe(200);
      const list = UserListSchema.parse(response.json());
      expect(list.items.map((u) => u.email)).toEqual(expect.arrayContaining([ADMIN_EMAIL, user.email]));
      expect(list.items.find((u) => u.id === user.id)).toMatchObject({ role: 'editor', disabled: false });
      expect(response.body).not.toMatch(/password/i);
    });

    it('is forbidden to viewers and editors (403 forbidden) and to anonymous callers (401)', async () => {
      const viewer = await createUser(t, 'viewer');
      const editor = await createUser(t, 'editor');
      expectProblem(await t.request('GET', '/users', { token: viewer.accessToken }), 403, 'forbidden');
      expectProblem(await t.request('GET', '/users', { token: editor.accessToken }), 403, 'forbidden');
      expectProblem(await t.request('GET', '/users'), 401, 'authentication_required');
    });

    it('pages with limit and cursor through every user exactly once', async () => {
      // Several users created in quick succession, as a bulk import would.
      for (let i = 0; i < 5; i++) await createUser(t, 'viewer', `page${i}`);
      const inDatabase = await allIdsFromDatabase();
      expect(inDatabase.length).toBeGreaterThanOrEqual(6);
      // The reference order: everything on one page.
      const single = UserListSchema.parse((await asAdmin('GET', '/users', { query: { limit: '100' } })).json());
      expect(single.nextCursor).toBeNull();
      const expected = single.items.map((u) => u.id);
      expect([...expected].sort()).toEqual([...inDatabase].sort());
      const createdAts = single.items.map((u) => u.createdAt);
      expect(createdAts).toEqual([...createdAts].sort());

      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const response = await asAdmin('GET', '/users', { query: { limit: '2', ...(cursor ? { cursor } : {}) } });
        expect(response.status, response.body).toBe(200);
        const list = UserListSchema.parse(response.json());
        expect(list.items.length).toBeLessThanOrEqual(2);
        seen.push(...list.items.map((u) => u.id));
        if (!list.nextCursor) break;
        cursor = list.nextCursor;
      }
      expect(seen).toEqual(expected);
    });

    it('clamps a huge limit to 100 instead of failing', async () => {
      // Enough users to fill a page of 100, written directly (hashing 100 passwords is slow).
      const existing = (await allIdsFromDatabase()).length;
      const missing = Math.max(0, 101 - existing);
      for (let i = 0; i < missing; i++) {
        await t.dataSource.query(
          `INSERT INTO users (email, display_name, password_hash, role, password_changed_at) VALUES ($1, 'Bulk', 'not-a-hash', 'viewer', now())`,
          [uniqueEmail('bulk')],
        );
      }
      const response = await asAdmin('GET', '/users', { query: { limit: '10000000' } });
      expect(response.status, response.body).toBe(200);
      const list = UserListSchema.parse(response.json());
      expect(list.items).toHaveLength(100);
      expect(list.nextCursor).toEqual(expect.any(String));
      const defaultPage = UserListSchema.parse((await asAdmin('GET', '/users')).json());
      expect(defaultPage.items).toHaveLength(50);
    });

    it('refuses a limit below 1 or not a number with 400 validation_failed', async () => {
      for (const limit of ['0', '-5', 'abc', '2.5']) {
        const problem = expectProblem(await asAdmin('GET', '/users', { query: { limit } }), 400, 'validation_failed');
        expect(problem.errors?.map((e) => e.field)).toEqual(['limit']);
      }
    });

    it('refuses a malformed or foreign cursor with 400 invalid_cursor', async () => {
      const foreign = Buffer.from(JSON.stringify({ page: 2 })).toString('base64url');
      const badDate = Buffer.from(JSON.stringify({ c: 'yesterday', i: randomUUID() })).toString('base64url');
      for (const cursor of ['not-a-cursor', '!!!', foreign, badDate]) {
        expectProblem(await asAdmin('GET', '/users', { query: { cursor } }), 400, 'invalid_cursor');
      }
    });
  });

  describe('POST /users', () => {
    it('creates a user (201) with a lower-cased email and viewer as the default role', async () => {
      const email = uniqueEmail('New.Person').replace('new.person', 'New.Person');
      const response = await asAdmin('POST', '/users', { body: { email, password: 'a-long-enough-password' } });
      expect(response.status, response.body).toBe(201);
      const user = UserSchema.parse(response.json());
      expect(user).toMatchObject({
        email: email.toLowerCase(),
        role: 'viewer',
        disabled: false,
        displayName: email.toLowerCase().split('@')[0],
      });
      expect(response.body).not.toMatch(/password/i);
      expect(
        (await t.request('POST', '/auth/login', { body: { email, password: 'a-long-enough-password' } })).status,
      ).toBe(200);
      const fetched = await asAdmin('GET', `/users/${user.id}`);
      expect(fetched.json()).toEqual(user);
    });

    it('refuses a taken email, whatever its case, with 409 email_taken', async () => {
      const user = await createUser(t);
      expectProblem(
        await asAdmin('POST', '/users', { body: { email: user.email, password: 'another-long-password' } }),
        409,
        'email_taken',
      );
      expectProblem(
        await asAdmin('POST', '/users', {
          body: { email: user.email.toUpperCase(), password: 'another-long-password' },
        }),
        409,
        'email_taken',
      );
      expectProblem(
        await asAdmin('POST', '/users', {
          body: { email: ADMIN_EMAIL.toUpperCase(), password: 'another-long-password' },
        }),
        409,
        'email_taken',
      );
    });

    it('refuses a short password with 400 validation_failed on the password field', async () => {
      const problem = expectProblem(
        await asAdmin('POST', '/users', { body: { email: uniqueEmail(), password: 'short' } }),
        400,
        'validation_failed',
      );
      expect(problem.errors).toEqual([{ field: 'password', message: expect.stringContaining('12') }]);
    });

    it('refuses a bad email, an unknown role or unknown fields with 400 validation_failed', async () => {
      for (const body of [
        { email: 'not-an-email', password: 'a-long-enough-password' },
        { email: uniqueEmail(), password: 'a-long-enough-password', role: 'superuser' },
        { email: uniqueEmail(), password: 'a-long-enough-password', isAdmin: true },
      ]) {
        expectProblem(await asAdmin('POST', '/users', { body }), 400, 'validation_failed');
      }
    });

    it('is forbidden to non-admins', async () => {
      const editor = await createUser(t, 'editor');
      const body = { email: uniqueEmail(), password: 'a-long-enough-password', role: 'admin' };
      expectProblem(await t.request('POST', '/users', { token: editor.accessToken, body }), 403, 'forbidden');
    });
  });

  describe('GET /users/:id', () => {
    it('returns a user to admins', async () => {
      const user = await createUser(t, 'editor');
      const response = await asAdmin('GET', `/users/${user.id}`);
      expect(response.status).toBe(200);
      expect(UserSchema.parse(response.json())).toMatchObject({ id: user.id, email: user.email, role: 'editor' });
    });

    it('answers 400 validation_failed for a non-uuid and 404 not_found for an unknown uuid', async () => {
      expectProblem(await asAdmin('GET', '/users/12345'), 400, 'validation_failed');
      expectProblem(await asAdmin('GET', `/users/${randomUUID()}`), 404, 'not_found');
    });

    it('is forbidden to non-admins, even for their own id', async () => {
      const viewer = await createUser(t);
      expectProblem(await t.request('GET', `/users/${viewer.id}`, { token: viewer.accessToken }), 403, 'forbidden');
    });
  });

  describe('PATCH /users/:id', () => {
    it('changes the role, effective at once for existing tokens', async () => {
      const user = await createUser(t, 'viewer');
      const response = await patchUser(t, user.id, { role: 'editor', displayName: '  Promoted  ' });
      expect(response.status, response.body).toBe(200);
      expect(UserSchema.parse(response.json())).toMatchObject({ id: user.id, role: 'editor', displayName: 'Promoted' });
      expect((await t.request('GET', '/auth/me', { token: user.accessToken })).json()).toMatchObject({
        role: 'editor',
      });
      expect((await patchUser(t, user.id, { role: 'admin' })).status).toBe(200);
      expect((await t.request('GET', '/users', { token: user.accessToken })).status).toBe(200);
    });

    it('accepts an empty change and returns the user unchanged', async () => {
      const user = await createUser(t, 'editor');
      const response = await patchUser(t, user.id, {});
      expect(response.status, response.body).toBe(200);
      expect(response.json()).toMatchObject({ id: user.id, role: 'editor', disabled: false });
    });

    it('disabling locks the user out at once: tokens, refresh, login and API keys; re-enabling restores login', async () => {
      const user = await createUser(t, 'editor');
      const key = await createApiKey(t, user.accessToken);
      expect((await t.request('GET', '/auth/me', { token: user.accessToken })).status).toBe(200);

      const disabled = await patchUser(t, user.id, { disabled: true });
      expect(disabled.status, disabled.body).toBe(200);
      expect(disabled.json().disabled).toBe(true);

      expectProblem(await t.request('GET', '/auth/me', { token: user.accessToken }), 403, 'account_disabled');
      expectProblem(await t.request('GET', '/auth/me', { headers: { 'x-api-key': key.key } }), 403, 'account_disabled');
      expectProblem(
        await t.request('GET', '/auth/me', { headers: { authorization: `Bearer ${key.key}` } }),
        403,
        'account_disabled',
      );
      expectProblem(
        await t.request('POST', '/auth/login', { body: { email: user.email, password: user.password } }),
        403,
        'account_disabled',
      );
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }),
        403,
        'account_disabled',
      );
      // Disabling twice keeps it disabled.
      expect((await patchUser(t, user.id, { disabled: true })).json().disabled).toBe(true);

      const enabled = await patchUser(t, user.id, { disabled: false });
      expect(enabled.status).toBe(200);
      expect(enabled.json().disabled).toBe(false);
      const login = await t.request('POST', '/auth/login', { body: { email: user.email, password: user.password } });
      expect(login.status, login.body).toBe(200);
      expect((await t.request('GET', '/auth/me', { token: login.json().accessToken })).status).toBe(200);
      // The sessions ended by disabling stay ended; the API key was only suspended.
      expectProblem(await t.request('GET', '/auth/me', { token: user.accessToken }), 401, 'token_invalid');
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }),
        401,
        'token_invalid',
      );
      expect((await t.request('GET', '/auth/me', { headers: { 'x-api-key': key.key } })).status).toBe(200);
    });

    it('refuses an admin demoting or disabling themselves with 409 conflict', async () => {
      const admin = await createUser(t, 'admin');
      for (const body of [{ role: 'editor' }, { role: 'viewer' }, { disabled: true }]) {
        expectProblem(
          await t.request('PATCH', `/users/${admin.id}`, { token: admin.accessToken, body }),
          409,
          'conflict',
        );
      }
      // Nothing changed, and harmless self-edits are allowed.
      const self = await t.request('PATCH', `/users/${admin.id}`, {
        token: admin.accessToken,
        body: { displayName: 'Me', role: 'admin', disabled: false },
      });
      expect(self.status, self.body).toBe(200);
      expect(self.json()).toMatchObject({ role: 'admin', disabled: false, displayName: 'Me' });
      expect((await t.request('GET', '/users', { token: admin.accessToken })).status).toBe(200);
    });

    it('answers 404 for an unknown user, 400 for a bad id or body, 403 for non-admins', async () => {
      expectProblem(await patchUser(t, randomUUID(), { role: 'viewer' }), 404, 'not_found');
      expectProblem(await asAdmin('PATCH', '/users/nope', { body: { role: 'viewer' } }), 400, 'validation_failed');
      const user = await createUser(t, 'editor');
      expectProblem(await patchUser(t, user.id, { role: 'owner' }), 400, 'validation_failed');
      expectProblem(await patchUser(t, user.id, { email: 'x@y.test' }), 400, 'validation_failed');
      expectProblem(await patchUser(t, user.id, { disabled: 'yes' }), 400, 'validation_failed');
      expectProblem(
        await t.request('PATCH', `/users/${user.id}`, { token: user.accessToken, body: { role: 'admin' } }),
        403,
        'forbidden',
      );
      expect((await asAdmin('GET', `/users/${user.id}`)).json().role).toBe('editor');
    });
  });

  describe('POST /users/me/password', () => {
    it('refuses a wrong current password with 401 invalid_credentials', async () => {
      const user = await createUser(t);
      const response = await t.request('POST', '/users/me/password', {
        token: user.accessToken,
        body: { currentPassword: `${user.password}-wrong`, newPassword: 'a-brand-new-password' },
      });
      expectProblem(response, 401, 'invalid_credentials');
      expect(
        (await t.request('POST', '/auth/login', { body: { email: user.email, password: user.password } })).status,
      ).toBe(200);
    });

    it('refuses a short new password with 400 validation_failed', async () => {
      const user = await createUser(t);
      const problem = expectProblem(
        await t.request('POST', '/users/me/password', {
          token: user.accessToken,
          body: { currentPassword: user.password, newPassword: 'short' },
        }),
        400,
        'validation_failed',
      );
      expect(problem.errors?.map((e) => e.field)).toEqual(['newPassword']);
    });

    it('changes the password and ends every other session, keeping the current one', async () => {
      const user = await createUser(t, 'editor');
      const other = await t.login(user.email, user.password);
      const newPassword = 'a-brand-new-password';
      const response = await t.request('POST', '/users/me/password', {
        token: user.accessToken,
        body: { currentPassword: user.password, newPassword },
      });
      expect(response.status, response.body).toBe(204);

      expectProblem(
        await t.request('POST', '/auth/login', { body: { email: user.email, password: user.password } }),
        401,
        'invalid_credentials',
      );
      expect(
        (await t.request('POST', '/auth/login', { body: { email: user.email, password: newPassword } })).status,
      ).toBe(200);

      expectProblem(await t.request('GET', '/auth/me', { token: other.accessToken }), 401, 'token_invalid');
      expectProblem(
        await t.request('POST', '/auth/refresh', { body: { refreshToken: other.refreshToken } }),
        401,
        'token_invalid',
      );

      expect((await t.request('GET', '/auth/me', { token: user.accessToken })).status).toBe(200);
      const refreshed = await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(refreshed.status, refreshed.body).toBe(200);
    });

    it('requires credentials', async () => {
      const response = await t.request('POST', '/users/me/password', {
        body: { currentPassword: 'x', newPassword: 'a-brand-new-password' },
      });
      expectProblem(response, 401, 'authentication_required');
    });
  });
});
