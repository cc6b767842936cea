import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './problem-assertions.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';

interface AuditEntry {
  id: string;
  at: string;
  actor: { userId: string | null; email: string | null; role: string | null; apiKeyId: string | null };
  action: string;
  targetType: string;
  targetId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

describe.each(databaseTargets())('audit log on $name', (target) => {
  let t: TestApp;
  let admin: string;
  let editor: { token: string; id: string; email: string };

  const audit = async (query: Record<string, string> = {}) => {
    const response = await t.request('GET', '/audit', { token: admin, query });
    expect(response.status, response.body).toBe(200);
    return response.json<{ items: AuditEntry[]; nextCursor: string | null }>();
  };

  beforeAll(async () => {
    t = await createTestApp(target);
    admin = await t.adminToken();
    editor = await t.userWithRole('editor');
  });
  afterAll(() => t?.close());

  it('records who changed a title, when, in which request, and the title before and after', async () => {
    const created = await t.request('POST', '/titles', {
      token: editor.token,
      body: { kind: 'movie', name: 'Audit Me', year: 1999 },
    });
    expect(created.status).toBe(201);
    const id = created.json<{ id: string }>().id;
    const updated = await t.request('PATCH', `/titles/${id}`, {
      token: editor.token,
      headers: { 'if-match': String(created.headers.etag), 'x-request-id': 'audit-req-1' },
      body: { year: 2000 },
    });
    expect(updated.status).toBe(200);

    const { items } = await audit({ targetType: 'title', targetId: id });
    expect(items.map((entry) => entry.action)).toEqual(['title.update', 'title.create']);
    const [update, create] = items;
    expect(update).toMatchObject({
      actor: { userId: editor.id, email: editor.email, role: 'editor', apiKeyId: null },
      targetType: 'title',
      targetId: id,
      before: { name: 'Audit Me', year: 1999 },
      after: { name: 'Audit Me', year: 2000 },
      requestId: 'audit-req-1',
    });
    expect(create).toMatchObject({ before: null, after: { id, year: 1999 } });
    expect(Date.parse(update!.at)).toBeGreaterThanOrEqual(Date.parse(create!.at));
  });

  it('records nothing for a refused change', async () => {
    const created = await t.request('POST', '/titles', { token: admin, body: { kind: 'movie', name: 'Stale' } });
    const id = created.json<{ id: string }>().id;
    const before = (await audit({ targetId: id })).items.length;
    const stale = await t.request('PATCH', `/titles/${id}`, {
      token: editor.token,
      headers: { 'if-match': '"v99"' },
      body: { year: 2001 },
    });
    expectProblem(stale, 'precondition_failed');
    const invalid = await t.request('PATCH', `/titles/${id}`, { token: editor.token, body: { year: 'soon' } });
    expectProblem(invalid, 'validation_failed');
    expect((await audit({ targetId: id })).items).toHaveLength(before);
  });

  it('records admin actions on users and API keys, never a secret', async () => {
    const viewer = await t.userWithRole('viewer');
    const changed = await t.request('PATCH', `/users/${viewer.id}`, { token: admin, body: { disabled: true } });
    expect(changed.status).toBe(200);
    const key = await t.request('POST', '/auth/api-keys', { token: editor.token, body: { name: 'audit-key' } });
    expect(key.status).toBe(201);
    const { key: secret, id: keyId } = key.json<{ key: string; id: string }>();
    const revoked = await t.request('DELETE', `/auth/api-keys/${keyId}`, { token: editor.token });
    expect(revoked.status).toBe(204);

    const userEntries = (await audit({ targetId: viewer.id })).items;
    expect(userEntries.map((e) => e.action)).toEqual(['user.update', 'user.create']);
    expect(userEntries[0]).toMatchObject({ before: { disabled: false }, after: { disabled: true } });
    const keyEntries = (await audit({ targetType: 'api_key', targetId: keyId })).items;
    expect(keyEntries.map((e) => e.action)).toEqual(['api_key.revoke', 'api_key.create']);
    expect(keyEntries[0]!.after).toMatchObject({ revokedAt: expect.any(String) });
    const everything = JSON.stringify((await audit({ limit: '100' })).items);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(viewer.password);
    expect(everything).not.toMatch(/passwordHash|argon2/);
  });

  it('filters by actor and action, and pages newest first without gaps or repeats', async () => {
    for (let n = 0; n < 5; n += 1) {
      await t.request('POST', '/titles', { token: editor.token, body: { kind: 'movie', name: `Paged ${n}` } });
    }
    const mine = await audit({ actorId: editor.id, action: 'title.create', limit: '100' });
    expect(mine.items.length).toBeGreaterThanOrEqual(6);
    expect(mine.items.every((e) => e.actor.userId === editor.id && e.action === 'title.create')).toBe(true);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await audit({
        actorId: editor.id,
        action: 'title.create',
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(mine.items.map((e) => e.id));
  });

  it('is for admins only, and validates its filters', async () => {
    expectProblem(await t.request('GET', '/audit', { token: editor.token }), 'forbidden');
    expectProblem(await t.request('GET', '/audit'), 'authentication_required');
    expectProblem(await t.request('GET', '/audit', { token: admin, query: { actorId: 'nope' } }), 'validation_failed');
    expectProblem(await t.request('GET', '/audit', { token: admin, query: { targetType: 'x' } }), 'validation_failed');
    expectProblem(await t.request('GET', '/audit', { token: admin, query: { cursor: 'garbage' } }), 'invalid_cursor');
  });
});
