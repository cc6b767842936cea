import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../messages/messages.js';
import { layoutSprite, planPoster, planSprite } from './thumbnails-plan.js';

const media = (overrides: Partial<MediaInfo> = {}): MediaInfo => ({
  durationSeconds: 20,
  width: 1920,
  height: 1080,
  videoCodec: 'h264',
  audioCodec: 'aac',
  frameRate: 30,
  rotation: 0,
  bitDepth: 8,
  audioChannels: 2,
  ...overrides,
});

describe('planPoster', () => {
  it('takes the frame at 10 % of the duration, at most 1280 wide', () => {
    expect(planPoster(media())).toEqual({ timeSeconds: 2, width: 1280, height: 720 });
    expect(planPoster(media({ durationSeconds: 4.321 }))).toMatchObject({ timeSeconds: 0.432 });
  });

  it('keeps small and portrait sources at their size', () => {
    expect(planPoster(media({ width: 640, height: 360 }))).toMatchObject({ width: 640, height: 360 });
    expect(planPoster(media({ width: 1080, height: 1920 }))).toMatchObject({ width: 1080, height: 1920 });
    expect(planPoster(media({ width: 321, height: 241 }))).toMatchObject({ width: 322, height: 242 });
  });
});

describe('planSprite', () => {
  it('takes one tile a second for short videos', () => {
    expect(planSprite(media({ durationSeconds: 4 }))).toEqual({
      intervalSeconds: 1,
      tileWidth: 160,
      tileHeight: 90,
      maxTiles: 100,
      maxColumns: 10,
      expectedCount: 4,
    });
  });

  it('spreads at most 100 tiles over long videos', () => {
    const twoHours = planSprite(media({ durationSeconds: 7200 }));
    expect(twoHours.intervalSeconds).toBe(72);
    expect(twoHours.expectedCount).toBe(100);
    expect(planSprite(media({ durationSeconds: 100.5 }))).toMatchObject({ intervalSeconds: 2, expectedCount: 51 });
  });

  it('expects no tile in the last frame period (its frame started before the tile was due)', () => {
    expect(planSprite(media({ durationSeconds: 4.02 })).expectedCount).toBe(4);
    expect(planSprite(media({ durationSeconds: 4.5 })).expectedCount).toBe(5);
    expect(planSprite(media({ durationSeconds: 0.2 })).expectedCount).toBe(1);
  });

  it('keeps the display aspect ratio in tiles', () => {
    expect(planSprite(media({ width: 1080, height: 1920 }))).toMatchObject({ tileWidth: 160, tileHeight: 284 });
    expect(planSprite(media({ width: 100, height: 100 }))).toMatchObject({ tileWidth: 100, tileHeight: 100 });
  });
});

describe('layoutSprite', () => {
  it('fills rows of at most ten tiles', () => {
    const plan = planSprite(media());
    expect(layoutSprite(plan, 4)).toMatchObject({ count: 4, columns: 4, rows: 1 });
    expect(layoutSprite(plan, 10)).toMatchObject({ columns: 10, rows: 1 });
    expect(layoutSprite(plan, 31)).toMatchObject({ columns: 10, rows: 4 });
    expect(() => layoutSprite(plan, 0)).toThrow(/at least one tile/);
  });
});
