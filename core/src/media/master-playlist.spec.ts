import { describe, expect, it } from 'vitest';
import { buildMasterPlaylist, type MasterVariant } from './master-playlist.js';

const variant = (overrides: Partial<MasterVariant>): MasterVariant => ({
  uri: '720p/index.m3u8',
  bandwidth: 3_446_000,
  averageBandwidth: 2_512_345.4,
  width: 1280,
  height: 720,
  codecs: 'avc1.64001F,mp4a.40.2',
  frameRate: 30,
  ...overrides,
});

describe('buildMasterPlaylist', () => {
  it('lists every rendition, highest first, with the attributes players choose by', () => {
    const text = buildMasterPlaylist([
      variant({
        uri: '360p/index.m3u8',
        width: 640,
        height: 360,
        bandwidth: 957_000,
        averageBandwidth: 700_000,
        codecs: 'avc1.64001E,mp4a.40.2',
      }),
      variant({}),
      variant({
        uri: '1080p/index.m3u8',
        width: 1920,
        height: 1080,
        bandwidth: 6_128_000,
        averageBandwidth: 4_900_000,
        codecs: 'avc1.640028,mp4a.40.2',
        frameRate: 29.97,
      }),
    ]);
    expect(text).toMatchInlineSnapshot(`
      "#EXTM3U
      #EXT-X-VERSION:7
      #EXT-X-INDEPENDENT-SEGMENTS
      #EXT-X-STREAM-INF:BANDWIDTH=6128000,AVERAGE-BANDWIDTH=4900000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970
      1080p/index.m3u8
      #EXT-X-STREAM-INF:BANDWIDTH=3446000,AVERAGE-BANDWIDTH=2512346,RESOLUTION=1280x720,CODECS="avc1.64001F,mp4a.40.2",FRAME-RATE=30.000
      720p/index.m3u8
      #EXT-X-STREAM-INF:BANDWIDTH=957000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.64001E,mp4a.40.2",FRAME-RATE=30.000
      360p/index.m3u8
      "
    `);
  });

  it('has video-only CODECS for a silent video', () => {
    expect(buildMasterPlaylist([variant({ codecs: 'avc1.64001F' })])).toContain('CODECS="avc1.64001F",');
  });

  it('orders portrait renditions by size too', () => {
    const text = buildMasterPlaylist([
      variant({ uri: 'b', width: 240, height: 426, bandwidth: 1 }),
      variant({ uri: 'a', width: 720, height: 1280, bandwidth: 2 }),
    ]);
    expect(text.split('\n').filter((line) => !line.startsWith('#') && line)).toEqual(['a', 'b']);
  });

  it('refuses an empty ladder and values that would break the attribute list', () => {
    expect(() => buildMasterPlaylist([])).toThrow(/at least one/);
    expect(() => buildMasterPlaylist([variant({ codecs: 'avc1"' })])).toThrow(/Cannot quote/);
  });
});
