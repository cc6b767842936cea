import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../messages/messages.js';
import { DEFAULT_RUNGS, outputFrameRate, planLadder, roundEven } from './ladder.js';

function media(overrides: Partial<MediaInfo> = {}): MediaInfo {
  return {
    durationSeconds: 60,
    width: 1920,
    height: 1080,
    videoCodec: 'h264',
    audioCodec: 'aac',
    frameRate: 30,
    rotation: 0,
    bitDepth: 8,
    audioChannels: 2,
    ...overrides,
  };
}

const sizes = (plan: ReturnType<typeof planLadder>) =>
  plan.rungs.map((rung) => `${rung.name} ${rung.width}x${rung.height}`);

describe('planLadder', () => {
  it('gives a 1080p30 source the whole ladder with the usual 16:9 sizes, highest first', () => {
    const plan = planLadder(media());
    expect(sizes(plan)).toEqual(['1080p 1920x1080', '720p 1280x720', '480p 854x480', '360p 640x360', '240p 426x240']);
    expect(plan.frameRate).toBe(30);
    expect(plan.frameRateReduced).toBe(false);
    expect(plan.audio).toEqual({ bitrate: 128_000, channels: 2 });
  });

  it('sizes bitrates at 0.1 bits per pixel, capped per rung, with maxrate and bufsize from the target', () => {
    const plan = planLadder(media());
    expect(plan.rungs.map((rung) => [rung.name, rung.videoBitrate, rung.maxrate, rung.bufsize])).toEqual([
      ['1080p', 5_000_000, 6_000_000, 10_000_000], // 6.2 Mbit/s by bpp, capped at 5000k
      ['720p', 2_765_000, 3_318_000, 5_530_000],
      ['480p', 1_230_000, 1_476_000, 2_460_000],
      ['360p', 691_000, 829_000, 1_382_000],
      ['240p', 307_000, 368_000, 614_000],
    ]);
    for (const rung of plan.rungs) {
      const cap = DEFAULT_RUNGS.find((preset) => preset.name === rung.name)!.maxVideoBitrate;
      expect(rung.videoBitrate).toBeLessThanOrEqual(cap);
    }
  });

  it('never goes above the source: a 640x360 source gets 360p and 240p', () => {
    expect(sizes(planLadder(media({ width: 640, height: 360 })))).toEqual(['360p 640x360', '240p 426x240']);
  });

  it('starts at 1080p for a 4K source', () => {
    expect(sizes(planLadder(media({ width: 3840, height: 2160 })))[0]).toBe('1080p 1920x1080');
  });

  it('turns the boxes for portrait sources: a 1080x1920 phone video is 1080p', () => {
    expect(sizes(planLadder(media({ width: 1080, height: 1920 })))).toEqual([
      '1080p 1080x1920',
      '720p 720x1280',
      '480p 480x854',
      '360p 360x640',
      '240p 240x426',
    ]);
  });

  it('plans from the displayed size: a rotated source is planned as the portrait video it shows', () => {
    // probe() reports width/height after rotation, so a 1280x720 file rotated 90° arrives as 720x1280.
    const plan = planLadder(media({ width: 720, height: 1280, rotation: 90 }));
    expect(sizes(plan)).toEqual(['720p 720x1280', '480p 480x854', '360p 360x640', '240p 240x426']);
  });

  it('rounds odd sources to even sizes without upscaling', () => {
    expect(sizes(planLadder(media({ width: 321, height: 241 })))).toEqual(['240p 320x240']);
    expect(sizes(planLadder(media({ width: 1921, height: 1081 })))[0]).toBe('1080p 1920x1080');
  });

  it('encodes a source below 240p at its own (even) size under the smallest rung name', () => {
    expect(sizes(planLadder(media({ width: 160, height: 120 })))).toEqual(['240p 160x120']);
    expect(sizes(planLadder(media({ width: 99, height: 75 })))).toEqual(['240p 98x74']);
    expect(sizes(planLadder(media({ width: 1, height: 1 })))).toEqual(['240p 2x2']);
  });

  it('keeps a rung for a source a few pixels short of it (cropped edges), at the source size', () => {
    expect(sizes(planLadder(media({ width: 1916, height: 1076 })))[0]).toBe('1080p 1916x1076');
    // ...but not for one clearly below it.
    expect(sizes(planLadder(media({ width: 1600, height: 900 })))[0]).toBe('720p 1280x720');
  });

  it('gives a scope (2.4:1) film full-width rungs rather than full-height ones', () => {
    expect(sizes(planLadder(media({ width: 1920, height: 800 })))).toEqual([
      '1080p 1920x800',
      '720p 1280x534',
      '480p 854x356',
      '360p 640x266',
      '240p 426x178',
    ]);
  });

  it('computes 60 fps bitrates as if 30 fps, and keeps the 60 fps output', () => {
    const at60 = planLadder(media({ frameRate: 60 }));
    const at30 = planLadder(media({ frameRate: 30 }));
    expect(at60.frameRate).toBe(60);
    expect(at60.rungs.map((rung) => rung.videoBitrate)).toEqual(at30.rungs.map((rung) => rung.videoBitrate));
  });

  it('uses the real rate below 30 fps (NTSC 29.97, film 24)', () => {
    expect(planLadder(media({ frameRate: 29.97 })).rungs[1]!.videoBitrate).toBe(2_762_000);
    expect(planLadder(media({ frameRate: 24 })).rungs[1]!.videoBitrate).toBe(2_212_000);
  });

  it('halves high frame rates instead of encoding them', () => {
    const plan = planLadder(media({ frameRate: 120 }));
    expect(plan.frameRate).toBe(60);
    expect(plan.frameRateReduced).toBe(true);
    expect(outputFrameRate(100, 60)).toBe(50);
    expect(outputFrameRate(144, 60)).toBe(48);
    expect(outputFrameRate(59.94, 60)).toBe(59.94);
  });

  it('plans no audio for a silent source, mono at half the stereo bitrate, and downmixes surround to stereo', () => {
    expect(planLadder(media({ audioCodec: null, audioChannels: 0 })).audio).toBeNull();
    expect(planLadder(media({ audioChannels: 1 })).audio).toEqual({ bitrate: 64_000, channels: 1 });
    expect(planLadder(media({ audioChannels: 6 })).audio).toEqual({ bitrate: 128_000, channels: 2 });
  });

  it('accepts custom rungs in any order and refuses an empty list', () => {
    const plan = planLadder(media(), {
      rungs: [
        { name: '240p', size: 240, maxVideoBitrate: 300_000 },
        { name: '720p', size: 720, maxVideoBitrate: 2_000_000 },
      ],
    });
    expect(sizes(plan)).toEqual(['720p 1280x720', '240p 426x240']);
    expect(plan.rungs[0]!.videoBitrate).toBe(2_000_000);
    expect(() => planLadder(media(), { rungs: [] })).toThrow(/no rungs/);
  });

  it('always returns even sizes within the source, keeping the aspect ratio', () => {
    const sources = [
      [1920, 1080],
      [1280, 720],
      [720, 1280],
      [1440, 1080],
      [1080, 1080],
      [853, 481],
      [3840, 1600],
      [500, 2000],
      [245, 137],
    ] as const;
    for (const [width, height] of sources) {
      const plan = planLadder(media({ width, height }));
      expect(plan.rungs.length).toBeGreaterThan(0);
      for (const rung of plan.rungs) {
        expect(rung.width % 2, `${width}x${height} → ${rung.width}`).toBe(0);
        expect(rung.height % 2).toBe(0);
        expect(rung.width).toBeLessThanOrEqual(Math.max(2, width));
        expect(rung.height).toBeLessThanOrEqual(Math.max(2, height));
        // Even rounding moves each side by at most one pixel.
        const aspectError = Math.abs(rung.width / rung.height - width / height) / (width / height);
        expect(aspectError).toBeLessThan(2 / Math.min(rung.width, rung.height) + 0.001);
      }
    }
  });
});

describe('roundEven', () => {
  it('rounds to the nearest even number, at least 2', () => {
    expect([853.33, 426.67, 533.33, 0.4, 3].map(roundEven)).toEqual([854, 426, 534, 2, 4]);
  });
});
