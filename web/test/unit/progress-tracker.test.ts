import { describe, expect, it, vi } from 'vitest';
import { createProgressTracker } from '~/utils/progress-tracker';

function setup() {
  let now = 0;
  const save = vi.fn();
  const tracker = createProgressTracker({ save, intervalMs: 10_000, now: () => now });
  return { tracker, save, advance: (ms: number) => (now += ms) };
}

describe('progress tracker', () => {
  it('saves about every 10 s while playing', () => {
    const { tracker, save, advance } = setup();
    for (let second = 1; second <= 25; second++) {
      advance(1000);
      tracker.timeUpdate(second, 600, true);
    }
    expect(save.mock.calls).toEqual([
      [10, 600],
      [20, 600],
    ]);
  });

  it('does not save on time updates while paused, but does on flush (pause, leave)', () => {
    const { tracker, save, advance } = setup();
    advance(30_000);
    tracker.timeUpdate(42, 600, false);
    expect(save).not.toHaveBeenCalled();
    tracker.flush();
    expect(save).toHaveBeenCalledWith(42, 600);
    expect(tracker.lastSaved).toBe(42);
  });

  it('skips saves that would not change anything', () => {
    const { tracker, save } = setup();
    tracker.flush(); // nothing seen yet
    tracker.timeUpdate(12, null, false);
    tracker.flush();
    tracker.timeUpdate(12.2, null, false);
    tracker.flush();
    tracker.timeUpdate(13, Number.NaN, false);
    tracker.flush();
    expect(save.mock.calls).toEqual([
      [12, null],
      [13, null],
    ]);
  });

  it('ignores non-finite positions and swallows failing saves', async () => {
    const save = vi.fn(async () => Promise.reject(new Error('offline')));
    const tracker = createProgressTracker({ save });
    tracker.timeUpdate(Number.NaN, 10, true);
    tracker.flush();
    expect(save).not.toHaveBeenCalled();
    tracker.timeUpdate(5, 10, false);
    expect(() => tracker.flush()).not.toThrow();
    await Promise.resolve();
    expect(save).toHaveBeenCalledOnce();
  });
});
