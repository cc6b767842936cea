import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';

describe.each(databaseTargets())('smoke on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(target);
  });
  afterAll(() => t.close());

  it('signs in the seeded admin and reads /auth/me', async () => {
    const token = await t.adminToken();
    const me = await t.request('GET', '/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.json().user.role).toBe('admin');
  });
});
