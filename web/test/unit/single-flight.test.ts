import { describe, expect, it } from 'vitest';
import { createSingleFlight, processSingleFlight } from '../../shared/single-flight';

describe('createSingleFlight', () => {
  it('runs the work once for concurrent callers with the same key', async () => {
    const flight = createSingleFlight<string>({ ttlMs: 1000 });
    let calls = 0;
    const work = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `pair-${calls}`;
    };
    const results = await Promise.all([
      flight.run('token', work),
      flight.run('token', work),
      flight.run('token', work),
    ]);
    expect(results).toEqual(['pair-1', 'pair-1', 'pair-1']);
    expect(calls).toBe(1);
  });

  it('replays the result within the ttl and runs again after it', async () => {
    let clock = 0;
    const flight = createSingleFlight<number>({ ttlMs: 100, now: () => clock });
    let calls = 0;
    const work = async () => ++calls;
    expect(await flight.run('a', work)).toBe(1);
    clock = 99;
    expect(await flight.run('a', work)).toBe(1);
    clock = 100;
    expect(await flight.run('a', work)).toBe(2);
    expect(await flight.run('b', work)).toBe(3);
  });

  it('does not remember failures', async () => {
    const flight = createSingleFlight<string>({ ttlMs: 1000 });
    await expect(flight.run('k', async () => Promise.reject(new Error('401')))).rejects.toThrow('401');
    await expect(flight.run('k', async () => 'ok')).resolves.toBe('ok');
  });

  it('stays bounded when flooded with distinct keys', async () => {
    const flight = createSingleFlight<number>({ ttlMs: 60_000, maxEntries: 3 });
    for (let index = 0; index < 10; index++) await flight.run(`k${index}`, async () => index);
    expect(flight.size).toBeLessThanOrEqual(3);
  });
});

describe('processSingleFlight', () => {
  it('hands out one instance per name for the whole process', () => {
    expect(processSingleFlight('test-a', 10)).toBe(processSingleFlight('test-a', 10));
    expect(processSingleFlight('test-a', 10)).not.toBe(processSingleFlight('test-b', 10));
  });
});
