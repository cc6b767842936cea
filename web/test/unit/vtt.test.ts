import { describe, expect, it } from 'vitest';
import { cueAt, parseThumbnailVtt, parseTimestamp } from '~/utils/vtt';

// As the API's transcoder writes it.
const VTT = `WEBVTT

00:00:00.000 --> 00:00:01.000
sprite.jpg#xywh=0,0,160,90

00:00:01.000 --> 00:00:02.000
sprite.jpg#xywh=160,0,160,90

00:00:02.000 --> 00:00:03.000
sprite.jpg#xywh=320,0,160,90
`;
const BASE = 'http://127.0.0.1:3000/media/hls/asset/123.sig/thumbnails.vtt';

describe('parseThumbnailVtt', () => {
  it('reads every tile with its time range and resolves the sprite against the signed VTT URL', () => {
    const cues = parseThumbnailVtt(VTT, BASE);
    expect(cues).toHaveLength(3);
    expect(cues[1]).toEqual({
      start: 1,
      end: 2,
      url: 'http://127.0.0.1:3000/media/hls/asset/123.sig/sprite.jpg',
      x: 160,
      y: 0,
      width: 160,
      height: 90,
    });
  });

  it('accepts CRLF, hours, cue identifiers and absolute sprite URLs; skips malformed cues', () => {
    const text =
      'WEBVTT\r\n\r\n1\r\n01:00:00.500 --> 01:00:01.500\r\nhttps://cdn.example/s.jpg#xywh=0,90,160,90\r\n\r\n' +
      '00:02.000 --> 00:03.000\r\nsprite.jpg#xywh=1,2,3\r\n\r\n00:03.000 --> 00:04.000\r\nno-fragment.jpg\r\n';
    const cues = parseThumbnailVtt(text, BASE);
    expect(cues).toEqual([
      { start: 3600.5, end: 3601.5, url: 'https://cdn.example/s.jpg', x: 0, y: 90, width: 160, height: 90 },
    ]);
  });

  it('returns nothing for a file that is not WebVTT', () => {
    expect(parseThumbnailVtt('<html>', BASE)).toEqual([]);
  });

  it('parses timestamps', () => {
    expect(parseTimestamp('00:01.250')).toBe(1.25);
    expect(parseTimestamp('01:02:03.000')).toBe(3723);
  });
});

describe('cueAt', () => {
  const cues = parseThumbnailVtt(VTT, BASE);
  it('finds the tile showing at a time', () => {
    expect(cueAt(cues, 0)?.x).toBe(0);
    expect(cueAt(cues, 1.999)?.x).toBe(160);
    expect(cueAt(cues, 2)?.x).toBe(320);
  });
  it('shows the last tile at the very end and nothing far past it or with no cues', () => {
    expect(cueAt(cues, 3)?.x).toBe(320);
    expect(cueAt(cues, 10)).toBeNull();
    expect(cueAt([], 1)).toBeNull();
  });
});
