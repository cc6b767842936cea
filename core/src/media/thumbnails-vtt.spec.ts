import { describe, expect, it } from 'vitest';
import { buildThumbnailsVtt, formatVttTime } from './thumbnails-vtt.js';

const layout = { intervalSeconds: 2, tileWidth: 160, tileHeight: 90, count: 12, columns: 10, rows: 2 };

describe('buildThumbnailsVtt', () => {
  it('has one cue per tile, back to back, pointing into the grid row by row', () => {
    const vtt = buildThumbnailsVtt(layout, 23.5, 'sprite.jpg');
    const cues = vtt.trimEnd().split('\n\n').slice(1);
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    expect(cues).toHaveLength(12);
    expect(cues[0]).toBe('00:00:00.000 --> 00:00:02.000\nsprite.jpg#xywh=0,0,160,90');
    expect(cues[9]).toBe('00:00:18.000 --> 00:00:20.000\nsprite.jpg#xywh=1440,0,160,90');
    expect(cues[10]).toBe('00:00:20.000 --> 00:00:22.000\nsprite.jpg#xywh=0,90,160,90');
    // The last cue runs to the end of the video.
    expect(cues[11]).toBe('00:00:22.000 --> 00:00:23.500\nsprite.jpg#xywh=160,90,160,90');
  });

  it('drops tiles that start after the probed end', () => {
    const vtt = buildThumbnailsVtt({ ...layout, count: 3 }, 4, 'sprite.jpg');
    expect(vtt).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nsprite.jpg#xywh=0,0,160,90\n\n' +
        '00:00:02.000 --> 00:00:04.000\nsprite.jpg#xywh=160,0,160,90\n',
    );
  });
});

describe('formatVttTime', () => {
  it('writes hh:mm:ss.ttt', () => {
    expect([0, 1.5, 61.0004, 3600 * 2 + 59.9996, -1].map(formatVttTime)).toEqual([
      '00:00:00.000',
      '00:00:01.500',
      '00:01:01.000',
      '02:01:00.000',
      '00:00:00.000',
    ]);
  });
});
