import type { SpriteLayout } from './thumbnails-plan.js';

/** WebVTT timestamps are `hh:mm:ss.ttt`; hours are always written, players accept it. */
export function formatVttTime(seconds: number): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const totalSeconds = (totalMs - ms) / 1000;
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}

/**
 * The thumbnail track players (hls.js UIs, Video.js, Plyr) read for scrub previews: one cue
 * per tile, pointing into the sprite with a media fragment. Cues are back to back from 0
 * to the end, so every instant of the video has a preview.
 */
export function buildThumbnailsVtt(sprite: SpriteLayout, durationSeconds: number, spriteUri: string): string {
  const lines = ['WEBVTT', ''];
  for (let i = 0; i < sprite.count; i++) {
    const start = i * sprite.intervalSeconds;
    // A tile past the probed end (the video outlasted its container's duration) has no time to cover.
    if (start >= durationSeconds) break;
    const end = i === sprite.count - 1 ? durationSeconds : Math.min((i + 1) * sprite.intervalSeconds, durationSeconds);
    const x = (i % sprite.columns) * sprite.tileWidth;
    const y = Math.floor(i / sprite.columns) * sprite.tileHeight;
    lines.push(
      `${formatVttTime(start)} --> ${formatVttTime(end)}`,
      `${spriteUri}#xywh=${x},${y},${sprite.tileWidth},${sprite.tileHeight}`,
      '',
    );
  }
  return lines.join('\n');
}
