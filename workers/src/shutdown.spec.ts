import { describe, expect, it } from 'vitest';
import { workerDrainMs } from './shutdown.js';

describe('workerDrainMs', () => {
  it('keeps 5 s of a long grace back for aborting and releasing', () => {
    expect(workerDrainMs(30_000)).toBe(25_000);
    expect(workerDrainMs(20_000)).toBe(15_000);
  });

  it('keeps a quarter of a short grace back', () => {
    expect(workerDrainMs(10_000)).toBe(7_500);
    expect(workerDrainMs(3_000)).toBe(2_250);
    expect(workerDrainMs(1)).toBe(1);
  });
});
