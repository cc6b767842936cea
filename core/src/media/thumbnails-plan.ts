import type { MediaInfo } from '../messages/messages.js';
import { roundEven } from './ladder.js';

export interface PosterOptions {
  /** Where the frame is taken, as a fraction of the duration: past intros and black. */
  atFraction?: number;
  maxWidth?: number;
}

export interface PosterPlan {
  timeSeconds: number;
  width: number;
  height: number;
}

export interface SpriteOptions {
  /** Upper bound on tiles; the interval grows with the duration to respect it. */
  maxTiles?: number;
  /** Shortest interval between tiles, in whole seconds. */
  minIntervalSeconds?: number;
  tileWidth?: number;
  columns?: number;
}

export interface SpritePlan {
  /** Seconds between tiles: tile i shows the first frame at or after i × interval. */
  intervalSeconds: number;
  tileWidth: number;
  tileHeight: number;
  /** Tiles ffmpeg is allowed to write (the video may run past its probed duration). */
  maxTiles: number;
  maxColumns: number;
  /** Tiles expected from the probed duration; the sprite is laid out from the real count. */
  expectedCount: number;
}

/** Where the tiles ended up: a grid at most `maxColumns` wide, filled row by row. */
export interface SpriteLayout {
  intervalSeconds: number;
  tileWidth: number;
  tileHeight: number;
  count: number;
  columns: number;
  rows: number;
}

/** Display size scaled to `maxWidth` at most, even on both sides, aspect kept. */
function fitWidth(media: MediaInfo, maxWidth: number): { width: number; height: number } {
  const width = Math.min(roundEven(maxWidth), roundEven(media.width));
  return { width, height: roundEven((width * media.height) / media.width) };
}

export function planPoster(media: MediaInfo, options: PosterOptions = {}): PosterPlan {
  const atFraction = options.atFraction ?? 0.1;
  // Millisecond precision keeps the filter argument (and snapshots) short.
  const timeSeconds = Math.floor(media.durationSeconds * atFraction * 1000) / 1000;
  return { timeSeconds, ...fitWidth(media, options.maxWidth ?? 1280) };
}

export function planSprite(media: MediaInfo, options: SpriteOptions = {}): SpritePlan {
  const maxTiles = options.maxTiles ?? 100;
  const intervalSeconds = Math.max(options.minIntervalSeconds ?? 1, Math.ceil(media.durationSeconds / maxTiles));
  // The sprite filter takes the first frame at or after 0, N, 2N...; the last frame starts
  // one frame period before the end, so no tile is due in that final sliver.
  const lastFrameStart = Math.max(0, media.durationSeconds - 1 / media.frameRate);
  const tile = fitWidth(media, options.tileWidth ?? 160);
  return {
    intervalSeconds,
    tileWidth: tile.width,
    tileHeight: tile.height,
    maxTiles,
    maxColumns: options.columns ?? 10,
    expectedCount: Math.min(maxTiles, Math.floor(lastFrameStart / intervalSeconds) + 1),
  };
}

/**
 * The grid for the tiles ffmpeg actually wrote. Laid out from the real count rather than
 * the expected one, so the VTT can never point at a tile that does not exist.
 */
export function layoutSprite(plan: SpritePlan, count: number): SpriteLayout {
  if (!Number.isInteger(count) || count < 1) throw new Error(`A sprite needs at least one tile, got ${count}`);
  const columns = Math.min(plan.maxColumns, count);
  return {
    intervalSeconds: plan.intervalSeconds,
    tileWidth: plan.tileWidth,
    tileHeight: plan.tileHeight,
    count,
    columns,
    rows: Math.ceil(count / columns),
  };
}
