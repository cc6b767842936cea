import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsOrigins } from '../src/common/http-security.js';
import { parseEnv } from '../src/config/app-config.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';

const VIEWER_ORIGIN = 'https://watch.example.com';

describe.each(databaseTargets().slice(0, 1))('HTTP security on $name', (target) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(target, { CORS_ORIGINS: `${VIEWER_ORIGIN}, http://localhost:3001` });
  });
  afterAll(() => t?.close());

  it('sends security headers on API responses and on problems', async () => {
    for (const response of [await t.request('GET', '/health/live'), await t.request('GET', '/titles')]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['x-frame-options']).toBe('DENY');
      // Nothing the API returns is a page that runs anything: the policy allows nothing.
      expect(response.headers['content-security-policy']).toBe(
        "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
      );
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      // Headers that only an HTML document heeds are left to the docs page.
      for (const documentOnly of ['x-xss-protection', 'x-download-options', 'origin-agent-cluster'])
        expect(response.headers[documentOnly]).toBeUndefined();
      // Media and posters are fetched by players on other origins.
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    }
  });

  it('keeps Swagger UI working under the policy: its scripts are files, none inline', async () => {
    const docs = await t.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(docs.headers['x-xss-protection']).toBe('0');
    const policy = String(docs.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    const asset = docs.body.match(/src="\.\/(docs\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    const script = await t.request('GET', `/${asset}`);
    expect(script.status).toBe(200);
    expect(String(script.headers['content-security-policy'])).toBe(policy);
    const scripts = [...docs.body.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src="\.\/docs\//);
      expect(inline!.trim()).toBe('');
    }
  });

  it('answers a preflight from an allowed origin with what a browser client needs', async () => {
    const response = await t.request('OPTIONS', '/titles', {
      headers: {
        origin: VIEWER_ORIGIN,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, if-match, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(VIEWER_ORIGIN);
    expect(String(response.headers['access-control-allow-methods'])).toContain('PATCH');
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/authorization.*if-match/);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('lets an allowed origin read ETag and x-request-id, and gives other origins nothing', async () => {
    const token = await t.adminToken();
    const allowed = await t.request('GET', '/titles', { token, headers: { origin: 'http://localhost:3001' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3001');
    expect(String(allowed.headers['access-control-expose-headers'])).toMatch(/etag.*x-request-id/);

    const foreign = await t.request('GET', '/titles', { token, headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(200);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS configuration', () => {
  it('reads a comma-separated list of origins', () => {
    expect(corsOrigins(' https://a.example ,http://localhost:3001,, ')).toEqual([
      'https://a.example',
      'http://localhost:3001',
    ]);
    expect(corsOrigins(undefined)).toEqual([]);
  });

  it('refuses values that are not origins at start-up, naming the variable', () => {
    expect(() => parseEnv({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => parseEnv({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
    expect(parseEnv({ CORS_ORIGINS: 'https://a.example' }).CORS_ORIGINS).toBe('https://a.example');
  });
});
