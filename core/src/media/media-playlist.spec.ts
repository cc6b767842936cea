import { describe, expect, it } from 'vitest';
import { measureBitrates, parseMediaPlaylist } from './media-playlist.js';

describe('parseMediaPlaylist', () => {
  it('reads what ffmpeg writes for an fMP4 VOD rendition', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:4.000000,',
      'seg_00000.m4s',
      '#EXTINF:1.033333,',
      'seg_00001.m4s',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    expect(parseMediaPlaylist(text)).toEqual({
      initUri: 'init.mp4',
      segments: [
        { uri: 'seg_00000.m4s', durationSeconds: 4 },
        { uri: 'seg_00001.m4s', durationSeconds: 1.033333 },
      ],
      ended: true,
    });
  });

  it('notices an unfinished playlist and refuses what is not one', () => {
    expect(parseMediaPlaylist('#EXTM3U\n#EXTINF:4,\na.m4s\n').ended).toBe(false);
    expect(() => parseMediaPlaylist('hello')).toThrow(/Not an HLS playlist/);
  });
});

describe('measureBitrates', () => {
  it('averages over the whole duration and takes the peak of full segments', () => {
    expect(
      measureBitrates([
        { durationSeconds: 4, bytes: 500_000 }, // 1 Mbit/s
        { durationSeconds: 4, bytes: 1_000_000 }, // 2 Mbit/s
        { durationSeconds: 0.5, bytes: 250_000 }, // 4 Mbit/s, but too short to count as the peak
      ]),
    ).toEqual({ average: 1_647_059, peak: 2_000_000 });
  });

  it('uses a single short segment as it is, and has nothing to say about no segments', () => {
    expect(measureBitrates([{ durationSeconds: 0.5, bytes: 1000 }])).toEqual({ average: 16_000, peak: 16_000 });
    expect(measureBitrates([])).toBeNull();
  });
});
