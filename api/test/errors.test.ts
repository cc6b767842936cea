import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseTargets, type RequestOptions, type TestApp } from './http-harness.js';
import { expectProblem } from './problem-assertions.js';

const BODY_LIMIT = 2048;
const JSON_TYPE = { 'content-type': 'application/json' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(databaseTargets())('errors over HTTP on $name', (target) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp(target, { BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  const login = (options: RequestOptions) => t.request('POST', '/auth/login', options);

  describe('bodies', () => {
    it('rejects malformed JSON as invalid_json', async () => {
      const body = expectProblem(
        await login({ rawBody: '{"email": "a@b.c", ', headers: JSON_TYPE }),
        'invalid_json',
        '/auth/login',
      );
      expect(body.detail).toEqual(expect.any(String));
    });

    it.each([
      ['empty', ''],
      ['only whitespace', '  \n '],
    ])('rejects an %s JSON body as invalid_json', async (_label, rawBody) => {
      expectProblem(await login({ rawBody, headers: JSON_TYPE }), 'invalid_json');
    });

    it('rejects wrong types with the offending fields', async () => {
      const body = expectProblem(await login({ body: { email: 42, password: ['x'] } }), 'validation_failed');
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { field: 'email', message: expect.stringContaining('string') },
          { field: 'password', message: expect.stringContaining('string') },
        ]),
      );
    });

    it.each([
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"a@b.c"'],
      ['a number', '1e999'],
    ])('rejects %s where an object is expected', async (_label, rawBody) => {
      const body = expectProblem(await login({ rawBody, headers: JSON_TYPE }), 'validation_failed');
      expect(body.errors).toEqual([{ field: '(root)', message: expect.any(String) }]);
    });

    it('rejects unknown fields', async () => {
      const body = expectProblem(
        await login({ body: { email: 'a@b.c', password: 'x', isAdmin: true } }),
        'validation_failed',
      );
      expect(body.errors).toEqual([{ field: '(root)', message: expect.stringContaining('isAdmin') }]);
    });

    it('names nested fields by their path', async () => {
      const body = expectProblem(
        await t.request('POST', '/users', {
          token: admin,
          body: { email: 'nested@aleflix.test', password: 'long-enough-password', role: 'owner' },
        }),
        'validation_failed',
      );
      expect(body.errors).toEqual([{ field: 'role', message: expect.any(String) }]);
    });

    it('rejects a body over BODY_LIMIT_BYTES with 413', async () => {
      const rawBody = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(BODY_LIMIT) });
      expectProblem(await login({ rawBody, headers: JSON_TYPE }), 'payload_too_large', '/auth/login');
      // Just under the limit is parsed and validated as usual.
      const fits = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(BODY_LIMIT - 100) });
      expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(BODY_LIMIT);
      expectProblem(await login({ rawBody: fits, headers: JSON_TYPE }), 'validation_failed');
    });

    it.each([
      ['text/plain', '{"email":"a@b.c","password":"x"}'],
      ['text/plain; charset=utf-8', 'hello'],
      ['application/x-www-form-urlencoded', 'email=a%40b.c&password=x'],
      ['application/xml', '<login/>'],
    ])('rejects a %s body as unsupported_media_type', async (contentType, rawBody) => {
      expectProblem(
        await login({ rawBody, headers: { 'content-type': contentType } }),
        'unsupported_media_type',
        '/auth/login',
      );
    });

    it('rejects a body without a content type as unsupported_media_type', async () => {
      expectProblem(await login({ rawBody: '{"email":"a@b.c","password":"x"}' }), 'unsupported_media_type');
    });
  });

  describe('prototype pollution', () => {
    it.each([
      ['__proto__ at the top', '{"__proto__":{"isAdmin":true},"email":"a@b.c","password":"x"}'],
      ['__proto__ nested', '{"email":"a@b.c","password":"x","x":{"__proto__":{"isAdmin":true}}}'],
      ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}},"email":"a@b.c","password":"x"}'],
      [
        'constructor.prototype in an array',
        '{"email":"a@b.c","password":"x","x":[{"constructor":{"prototype":{"y":1}}}]}',
      ],
    ])('rejects %s with 400', async (_label, rawBody) => {
      const response = await login({ rawBody, headers: JSON_TYPE });
      expect(response.status).toBe(400);
      expectProblem(response, response.json().code);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('does not let a polluted body through to a handler that writes', async () => {
      const rawBody = JSON.stringify({
        email: 'proto@aleflix.test',
        password: 'long-enough-password',
        role: 'viewer',
      }).replace('{', '{"__proto__":{"role":"admin"},');
      const response = await t.request('POST', '/users', { token: admin, rawBody, headers: JSON_TYPE });
      expect(response.status).toBe(400);
      expectProblem(response, response.json().code);
      const list = await t.request('GET', '/users', { token: admin });
      expect(list.json().items.map((u: { email: string }) => u.email)).not.toContain('proto@aleflix.test');
    });
  });

  describe('values the database cannot store', () => {
    it('rejects U+0000 in a body field as validation_failed, not 500', async () => {
      const body = expectProblem(await login({ body: { email: 'a\u0000@b.c', password: 'x' } }), 'validation_failed');
      expect(body.errors).toEqual([{ field: 'email', message: expect.stringContaining('U+0000') }]);
    });

    it('rejects U+0000 in a nested field and in a query parameter', async () => {
      const created = expectProblem(
        await t.request('POST', '/users', {
          token: admin,
          body: {
            email: 'nul@aleflix.test',
            password: 'long-enough-password',
            role: 'viewer',
            displayName: 'a\u0000b',
          },
        }),
        'validation_failed',
      );
      expect(created.errors).toEqual([{ field: 'displayName', message: expect.stringContaining('U+0000') }]);
      const listed = expectProblem(
        await t.request('GET', '/users', { token: admin, query: { cursor: 'abc\u0000' } }),
        'validation_failed',
      );
      expect(listed.errors).toEqual([{ field: 'cursor', message: expect.stringContaining('U+0000') }]);
    });
  });

  describe('routes', () => {
    it('answers an unknown route with route_not_found', async () => {
      expectProblem(await t.request('GET', '/no/such/route'), 'route_not_found', '/no/such/route');
      expectProblem(await t.request('DELETE', '/health/live'), 'route_not_found', '/health/live');
    });

    it('keeps the query string out of instance', async () => {
      expectProblem(await t.request('GET', '/no/such/route?token=secret'), 'route_not_found', '/no/such/route');
    });

    it('answers a malformed URL with a problem, not a bare Fastify error', async () => {
      const body = expectProblem(await t.request('GET', '/health/%zz'), 'validation_failed');
      expect(body.instance).toBe('/health/%zz');
    });
  });

  describe('request ids', () => {
    it('echoes a well-formed incoming x-request-id on success and on error', async () => {
      const ok = await t.request('GET', '/health/live', { headers: { 'x-request-id': 'trace-42.abc_DEF' } });
      expect(ok.status).toBe(200);
      expect(ok.headers['x-request-id']).toBe('trace-42.abc_DEF');
      const failed = expectProblem(
        await t.request('GET', '/nowhere', { headers: { 'x-request-id': 'trace-43' } }),
        'route_not_found',
      );
      expect(failed.requestId).toBe('trace-43');
    });

    it('generates a request id when none is sent', async () => {
      const response = await t.request('GET', '/health/live');
      expect(response.headers['x-request-id']).toMatch(UUID);
    });

    it.each([
      ['too long', 'a'.repeat(129)],
      ['with spaces', 'id with spaces'],
      ['with markup', '<script>alert(1)</script>'],
      ['with a quote', 'abc"def'],
    ])('replaces an incoming x-request-id that is %s', async (_label, hostile) => {
      const failed = expectProblem(
        await t.request('GET', '/nowhere', { headers: { 'x-request-id': hostile } }),
        'route_not_found',
      );
      expect(failed.requestId).toMatch(UUID);
      const ok = await t.request('GET', '/health/live', { headers: { 'x-request-id': hostile } });
      expect(ok.headers['x-request-id']).toMatch(UUID);
      expect(ok.headers['x-request-id']).not.toBe(failed.requestId);
    });

    it('accepts an id of exactly 128 characters', async () => {
      const id = 'b'.repeat(128);
      expect(
        (await t.request('GET', '/health/live', { headers: { 'x-request-id': id } })).headers['x-request-id'],
      ).toBe(id);
    });
  });

  it('answers every hostile request with a 4xx problem, never a 5xx', async () => {
    const hostile: Array<[string, string, RequestOptions]> = [
      ['POST', '/auth/login', { rawBody: '{', headers: JSON_TYPE }],
      ['POST', '/auth/login', { rawBody: '['.repeat(1000) + ']'.repeat(1000), headers: JSON_TYPE }],
      ['POST', '/auth/login', { body: { email: { $ne: null }, password: { $ne: null } } }],
      ['POST', '/auth/login', { body: { email: 'x'.repeat(1000), password: 'y' } }],
      ['POST', '/auth/login', { body: { email: '\ud800@b.c', password: '\u0000' } }],
      ['POST', '/auth/refresh', { body: { refreshToken: '\u0000' } }],
      [
        'POST',
        '/auth/refresh',
        { rawBody: 'refreshToken=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      ],
      ['POST', '/auth/logout', { rawBody: '{"refreshToken":', headers: JSON_TYPE }],
      ['GET', '/auth/me', { headers: { authorization: `Bearer ${'x'.repeat(4000)}` } }],
      ['GET', '/auth/me', { headers: { authorization: 'Bearer a.b.c' } }],
      ['GET', '/auth/me', { headers: { 'x-api-key': 'alx_\u00e9' } }],
      ['GET', '/users/not-a-uuid', { token: admin }],
      ['GET', '/users/%00', { token: admin }],
      ['GET', '/users', { token: admin, query: { limit: '1e308' } }],
      ['GET', '/users', { token: admin, query: { cursor: 'not-a-cursor' } }],
      ['PATCH', '/users/00000000-0000-0000-0000-000000000000', { token: admin, body: { role: 'root' } }],
      [
        'POST',
        '/users',
        { token: admin, body: { email: 'ADMIN@aleflix.test', password: 'long-enough-password', role: 'viewer' } },
      ],
      ['GET', '/%', {}],
    ];
    for (const [method, url, options] of hostile) {
      const response = await t.request(method, url, options);
      expect(response.status, `${method} ${url}: ${response.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${url}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
      expectProblem(response, response.json().code);
    }
  });
});
