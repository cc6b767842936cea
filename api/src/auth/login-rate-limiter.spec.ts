import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fake-clock.js';
import { ApiError } from '../common/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { MemoryRateLimitStore } from '../rate-limit/memory-rate-limit.store.js';
import { LoginRateLimiter } from './login-rate-limiter.js';

const WINDOW_SECONDS = 60;

function setup() {
  const clock = new FakeClock(Date.UTC(2030, 0, 1));
  const config = {
    env: { LOGIN_MAX_PER_IP: 5, LOGIN_MAX_PER_ACCOUNT: 3, LOGIN_WINDOW_SECONDS: WINDOW_SECONDS },
  } as unknown as AppConfig;
  return { limiter: new LoginRateLimiter(config, clock), clock };
}

/** The ApiError `check` throws, or undefined when the attempt is allowed. */
async function refusal(limiter: LoginRateLimiter, ip: string, email: string): Promise<ApiError | undefined> {
  try {
    await limiter.check(ip, email);
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

async function fail(
  limiter: LoginRateLimiter,
  times: number,
  ip: (i: number) => string,
  email: (i: number) => string,
): Promise<void> {
  for (let i = 0; i < times; i++) await limiter.recordFailure(ip(i), email(i));
}

describe('LoginRateLimiter', () => {
  it('limits an account after LOGIN_MAX_PER_ACCOUNT failures, whatever the IP and email case', async () => {
    const { limiter } = setup();
    await fail(
      limiter,
      2,
      (i) => `10.0.0.${i}`,
      () => 'Alice@Example.test',
    );
    expect(await refusal(limiter, '10.0.0.99', 'alice@example.test')).toBeUndefined();
    await limiter.recordFailure('10.0.0.50', 'ALICE@example.test');
    const error = await refusal(limiter, '10.0.0.99', 'alice@example.test');
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    // Another account from the same IP is not affected.
    expect(await refusal(limiter, '10.0.0.99', 'bob@example.test')).toBeUndefined();
  });

  it('limits an IP after LOGIN_MAX_PER_IP failures across different accounts', async () => {
    const { limiter } = setup();
    await fail(
      limiter,
      4,
      () => '192.0.2.1',
      (i) => `user${i}@example.test`,
    );
    expect(await refusal(limiter, '192.0.2.1', 'fresh@example.test')).toBeUndefined();
    await limiter.recordFailure('192.0.2.1', 'user5@example.test');
    expect(await refusal(limiter, '192.0.2.1', 'fresh@example.test')).toMatchObject({ code: 'rate_limited' });
    expect(await refusal(limiter, '192.0.2.2', 'fresh@example.test')).toBeUndefined();
  });

  it('sends Retry-After with the whole seconds left in the window', async () => {
    const { limiter, clock } = setup();
    await fail(
      limiter,
      3,
      () => '198.51.100.1',
      () => 'carol@example.test',
    );
    expect((await refusal(limiter, '198.51.100.1', 'carol@example.test'))?.extras.headers).toEqual({
      'retry-after': String(WINDOW_SECONDS),
    });
    clock.advance(20_000);
    expect((await refusal(limiter, '198.51.100.1', 'carol@example.test'))?.extras.headers?.['retry-after']).toBe('40');
    clock.advance(500);
    // 39.5 s left is rounded up, never down to a time when the client would still be refused.
    expect((await refusal(limiter, '198.51.100.1', 'carol@example.test'))?.extras.headers?.['retry-after']).toBe('40');
    clock.advance(39_000);
    expect((await refusal(limiter, '198.51.100.1', 'carol@example.test'))?.extras.headers?.['retry-after']).toBe('1');
  });

  it('forgets failures once the fixed window has passed', async () => {
    const { limiter, clock } = setup();
    await limiter.recordFailure('203.0.113.1', 'dave@example.test');
    clock.advance(30_000);
    await fail(
      limiter,
      2,
      () => '203.0.113.1',
      () => 'dave@example.test',
    );
    expect(await refusal(limiter, '203.0.113.1', 'dave@example.test')).toMatchObject({ code: 'rate_limited' });
    // The window started at the first failure, so it ends 60 s after it, not after the last one.
    clock.advance(29_999);
    expect(await refusal(limiter, '203.0.113.1', 'dave@example.test')).toMatchObject({ code: 'rate_limited' });
    clock.advance(1);
    expect(await refusal(limiter, '203.0.113.1', 'dave@example.test')).toBeUndefined();
    // A new window starts from zero: two more failures are still under the limit of three.
    await fail(
      limiter,
      2,
      () => '203.0.113.1',
      () => 'dave@example.test',
    );
    expect(await refusal(limiter, '203.0.113.1', 'dave@example.test')).toBeUndefined();
  });

  it('clears the account counter on success but keeps the IP counter', async () => {
    const { limiter } = setup();
    await fail(
      limiter,
      2,
      () => '203.0.113.9',
      () => 'erin@example.test',
    );
    await limiter.recordSuccess('ERIN@example.test');
    await fail(
      limiter,
      2,
      () => '203.0.113.9',
      () => 'erin@example.test',
    );
    // Account: 2 since the success (under 3). IP: 4 (under 5).
    expect(await refusal(limiter, '203.0.113.9', 'erin@example.test')).toBeUndefined();
    await limiter.recordFailure('203.0.113.9', 'someone-else@example.test');
    // IP now at 5: refused although the account itself is under its limit.
    expect(await refusal(limiter, '203.0.113.9', 'erin@example.test')).toMatchObject({ code: 'rate_limited' });
    expect(await refusal(limiter, '203.0.113.10', 'erin@example.test')).toBeUndefined();
  });

  it('counts in its own process when the shared store fails, instead of letting guesses through', async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const config = {
      env: { LOGIN_MAX_PER_IP: 5, LOGIN_MAX_PER_ACCOUNT: 3, LOGIN_WINDOW_SECONDS: WINDOW_SECONDS },
    } as unknown as AppConfig;
    const broken = new (class extends MemoryRateLimitStore {
      override async hit(): Promise<never> {
        throw new Error('connection refused');
      }
      override async peek(): Promise<never> {
        throw new Error('connection refused');
      }
    })(clock);
    const limiter = new LoginRateLimiter(config, clock, broken);
    await fail(
      limiter,
      3,
      () => '198.51.100.7',
      () => 'frank@example.test',
    );
    expect(await refusal(limiter, '198.51.100.7', 'frank@example.test')).toMatchObject({ code: 'rate_limited' });
  });
});
