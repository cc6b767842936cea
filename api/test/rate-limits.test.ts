import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseTargets, type InjectResult, type TestApp } from './http-harness.js';
import { createApiKey } from './identity-helpers.js';
import { expectProblem } from './problem-assertions.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './redis-test-support.js';

const IP_LIMIT = 8;
const PRINCIPAL_LIMIT = 5;

interface Variant {
  name: string;
  env(): Record<string, string>;
  cleanup(): Promise<void>;
}

const prefix = uniquePrefix('rate-limits');
const variants: Variant[] = [{ name: 'in-process counters', env: () => ({}), cleanup: async () => {} }];
const redisUrl = TEST_REDIS_URL;
if (redisUrl) {
  variants.push({
    name: 'Redis counters',
    env: () => ({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
    cleanup: () => deleteKeys(redisUrl, prefix),
  });
}

/** A request from a chosen client address, optionally with a bearer credential. */
async function from(t: TestApp, ip: string, url: string, token?: string, method = 'GET'): Promise<InjectResult> {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    remoteAddress: ip,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body,
    json: () => JSON.parse(response.body),
  };
}

describe.each(variants)('rate limits with $name', (variant) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(databaseTargets()[0]!, {
      ...variant.env(),
      RATE_LIMIT_IP_PER_MINUTE: String(IP_LIMIT),
      RATE_LIMIT_PER_MINUTE: String(PRINCIPAL_LIMIT),
    });
  });
  afterAll(async () => {
    await t?.close();
    await variant.cleanup();
  });

  it('reports RateLimit-* headers, then refuses a client IP over its limit with a 429 problem and Retry-After', async () => {
    const ip = '198.51.100.1';
    const first = await from(t, ip, '/titles');
    expect(first.status).toBe(401); // refused for credentials, but counted all the same
    expect(first.headers['ratelimit-limit']).toBe(String(IP_LIMIT));
    expect(first.headers['ratelimit-remaining']).toBe(String(IP_LIMIT - 1));
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(first.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    for (let i = 2; i <= IP_LIMIT; i++) expect((await from(t, ip, '/titles')).status).toBe(401);
    const refused = await from(t, ip, '/titles');
    const body = expectProblem(refused, 'rate_limited', '/titles');
    expect(body.detail).toMatch(/from this address/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    // Unknown routes count too; another address has its own budget.
    expectProblem(await from(t, ip, '/no-such-route'), 'rate_limited');
    expect((await from(t, '198.51.100.2', '/titles')).status).toBe(401);
  });

  it('never limits health probes or the metrics scrape', async () => {
    const ip = '198.51.100.3';
    for (let i = 0; i < IP_LIMIT + 3; i++) {
      expect((await from(t, ip, '/health/live')).status).toBe(200);
      expect((await from(t, ip, '/health/ready')).status).toBe(200);
      expect((await from(t, ip, '/metrics')).status).toBe(200);
    }
    expect((await from(t, ip, '/health/live')).headers['ratelimit-limit']).toBeUndefined();
  });

  it('limits each user across all of its tokens, and each API key on its own', async () => {
    const alice = await t.userWithRole('viewer');
    const aliceAgain = (await t.login(alice.email, alice.password)).accessToken;
    const bob = await t.userWithRole('viewer');
    const key = await createApiKey(t, alice.token);
    // Each request from its own address, so only the principal limit can refuse.
    let n = 0;
    const ip = () => `203.0.113.${++n}`;
    // Creating the key was alice's first request of the minute.
    for (let i = 0; i < PRINCIPAL_LIMIT - 2; i++)
      expect((await from(t, ip(), '/titles', alice.token)).status).toBe(200);
    const last = await from(t, ip(), '/titles', aliceAgain);
    expect(last.status).toBe(200);
    // The principal's budget is the tighter one here, so the headers report it.
    expect(last.headers['ratelimit-limit']).toBe(String(PRINCIPAL_LIMIT));
    expect(last.headers['ratelimit-remaining']).toBe('0');
    const refused = await from(t, ip(), '/titles', alice.token);
    expect(expectProblem(refused, 'rate_limited').detail).toMatch(/account or API key/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from(t, ip(), '/titles', aliceAgain)).status).toBe(429);
    expect((await from(t, ip(), '/titles', bob.token)).status).toBe(200);
    expect((await from(t, ip(), '/titles', key.key)).status).toBe(200);
  });

  it.runIf(variant.name === 'in-process counters')('opens a new window once the minute has passed', async () => {
    const ip = '198.51.100.9';
    for (let i = 0; i < IP_LIMIT; i++) await from(t, ip, '/titles');
    expect((await from(t, ip, '/titles')).status).toBe(429);
    t.clock.advance(60_000);
    expect((await from(t, ip, '/titles')).status).toBe(401);
  });

  it('counts refusals in /metrics', async () => {
    const samples = parsePrometheusText((await from(t, '198.51.100.200', '/metrics')).body);
    expect(sampleValue(samples, 'aleflix_rate_limited_requests_total', { scope: 'ip' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'aleflix_rate_limited_requests_total', { scope: 'principal' })).toBeGreaterThan(0);
  });
});

describe('rate limits while Redis cannot be reached', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    t = await createTestApp(databaseTargets()[0]!, {
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_IP_PER_MINUTE: '2',
      RATE_LIMIT_PER_MINUTE: '2',
    });
  });
  afterAll(() => t?.close());

  it('fail open: requests pass unlimited (no headers), and the failures are counted', async () => {
    const token = await t.adminToken();
    for (let i = 0; i < 6; i++) {
      const response = await from(t, '192.0.2.50', '/titles', token);
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
    const samples = parsePrometheusText((await from(t, '192.0.2.51', '/metrics')).body);
    expect(sampleValue(samples, 'aleflix_rate_limit_store_failures_total', { limiter: 'requests' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'aleflix_redis_circuit_open')).toBe(1);
  });

  it('sign-in limits still hold, counted in the process', async () => {
    let last: InjectResult | undefined;
    for (let i = 0; i < 12; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '192.0.2.60',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'nobody@aleflix.test', password: 'wrong-password-123' }),
      });
      last = {
        status: response.statusCode,
        headers: response.headers,
        body: response.body,
        json: () => JSON.parse(response.body),
      };
      if (last.status === 429) break;
    }
    // LOGIN_MAX_PER_ACCOUNT defaults to 10 failures.
    expectProblem(last!, 'rate_limited', '/auth/login');
  });
});
