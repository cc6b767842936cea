import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller } from '~/utils/poller';

describe('poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every interval while there is something to wait for, then stops by itself', async () => {
    let remaining = 3;
    const run = vi.fn(async () => {
      remaining--;
    });
    const poller = createPoller({ run, intervalMs: 2000, shouldContinue: () => remaining > 0 });
    poller.start();
    await vi.advanceTimersByTimeAsync(1999);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(3);
    expect(poller.running).toBe(false);
  });

  it('keeps going after a failed run and stops when told', async () => {
    const run = vi.fn(async () => Promise.reject(new Error('503')));
    const poller = createPoller({ run, intervalMs: 1000, shouldContinue: () => true });
    poller.start();
    poller.start(); // idempotent
    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(3);
    poller.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('does not start when there is nothing to wait for', async () => {
    const run = vi.fn(async () => undefined);
    const poller = createPoller({ run, intervalMs: 1000, shouldContinue: () => false });
    poller.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).not.toHaveBeenCalled();
  });
});
