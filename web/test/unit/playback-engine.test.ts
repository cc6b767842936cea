import { describe, expect, it } from 'vitest';
import { chooseEngine, qualityLevels } from '~/utils/playback-engine';

describe('chooseEngine', () => {
  it('prefers hls.js (MSE) for the quality menu, then native HLS (iOS), else nothing', () => {
    expect(chooseEngine({ mse: true, nativeHls: true })).toBe('hls.js');
    expect(chooseEngine({ mse: true, nativeHls: false })).toBe('hls.js');
    expect(chooseEngine({ mse: false, nativeHls: true })).toBe('native');
    expect(chooseEngine({ mse: false, nativeHls: false })).toBe('unsupported');
  });
});

describe('qualityLevels', () => {
  it('labels levels by height, best first, keeping the hls.js index', () => {
    expect(
      qualityLevels([{ height: 240, bitrate: 432_000 }, { height: 360, bitrate: 893_000 }, { bitrate: 64_000 }]),
    ).toEqual([
      { index: 1, height: 360, bitrate: 893_000, label: '360p' },
      { index: 0, height: 240, bitrate: 432_000, label: '240p' },
      { index: 2, height: 0, bitrate: 64_000, label: '64 kbps' },
    ]);
  });
});
