import { describe, expect, it } from 'vitest';
import { finishedTail, isFinished, noProgressBackend, resumePosition, watchedFraction } from '~/utils/progress';
import { progressInput } from './fixtures';

describe('resume and finished rules', () => {
  it('resumes from a saved position past the first seconds and before the end', () => {
    expect(resumePosition({ positionSeconds: 754.2, durationSeconds: 5400 })).toBe(754.2);
    expect(resumePosition({ positionSeconds: 2.4, durationSeconds: 6 })).toBe(2.4);
    expect(resumePosition({ positionSeconds: 30, durationSeconds: null })).toBe(30);
  });

  it('starts over when barely started, finished, or nothing was saved', () => {
    expect(resumePosition(null)).toBeNull();
    expect(resumePosition({ positionSeconds: 1.5, durationSeconds: 5400 })).toBeNull();
    expect(resumePosition({ positionSeconds: 5390, durationSeconds: 5400 })).toBeNull();
    expect(resumePosition({ positionSeconds: 5.5, durationSeconds: 6 })).toBeNull();
    expect(resumePosition({ positionSeconds: Number.NaN, durationSeconds: 60 })).toBeNull();
  });

  it('counts the closing 10 % (between 1 and 30 s) as watched', () => {
    expect(finishedTail(6)).toBe(1);
    expect(finishedTail(120)).toBe(12);
    expect(finishedTail(7200)).toBe(30);
    expect(isFinished(5370, 5400)).toBe(true);
    expect(isFinished(5369, 5400)).toBe(false);
    expect(isFinished(100, null)).toBe(false);
  });

  it('reports the watched fraction for progress bars', () => {
    expect(watchedFraction({ positionSeconds: 30, durationSeconds: 120 })).toBe(0.25);
    expect(watchedFraction({ positionSeconds: 300, durationSeconds: 120 })).toBe(1);
    expect(watchedFraction({ positionSeconds: 30, durationSeconds: null })).toBe(0);
  });

  it('has a do-nothing backend for the server render', async () => {
    expect(await noProgressBackend.get('x')).toBeNull();
    expect(await noProgressBackend.continueWatching(5)).toEqual([]);
    expect((await noProgressBackend.put(progressInput('m', 10))).positionSeconds).toBe(10);
  });
});
