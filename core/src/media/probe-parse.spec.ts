import { describe, expect, it } from 'vitest';
import { MediaError } from './media-error.js';
import {
  bitDepthOf,
  parseProbeOutput,
  parseRational,
  rotationOf,
  type FfprobeOutput,
  type FfprobeStream,
} from './probe-parse.js';

const video = (overrides: Partial<FfprobeStream> = {}): FfprobeStream => ({
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  pix_fmt: 'yuv420p',
  sample_aspect_ratio: '1:1',
  avg_frame_rate: '30/1',
  r_frame_rate: '30/1',
  ...overrides,
});
const audio = (overrides: Partial<FfprobeStream> = {}): FfprobeStream => ({
  codec_type: 'audio',
  codec_name: 'aac',
  channels: 2,
  ...overrides,
});
/** `duration: null` leaves the container without one. */
const output = (streams: FfprobeStream[], duration: string | null = '12.5'): FfprobeOutput => ({
  streams,
  format: duration === null ? {} : { duration },
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MediaError) return error.code;
    throw error;
  }
  throw new Error('expected a MediaError');
}

describe('parseProbeOutput', () => {
  it('describes an ordinary video with audio', () => {
    expect(parseProbeOutput(output([video(), audio()]))).toEqual({
      durationSeconds: 12.5,
      width: 1920,
      height: 1080,
      videoCodec: 'h264',
      audioCodec: 'aac',
      frameRate: 30,
      rotation: 0,
      bitDepth: 8,
      audioChannels: 2,
    });
  });

  it('reports a silent video with no audio codec and no channels', () => {
    const info = parseProbeOutput(output([video()]));
    expect(info.audioCodec).toBeNull();
    expect(info.audioChannels).toBe(0);
  });

  it('swaps width and height for quarter turns (display matrix, counter-clockwise in ffprobe)', () => {
    const rotated = (rotation: number) =>
      parseProbeOutput(output([video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation }] })]));
    expect(rotated(-90)).toMatchObject({ rotation: 90, width: 1080, height: 1920 });
    expect(rotated(90)).toMatchObject({ rotation: 270, width: 1080, height: 1920 });
    expect(rotated(180)).toMatchObject({ rotation: 180, width: 1920, height: 1080 });
    expect(rotated(-180)).toMatchObject({ rotation: 180 });
  });

  it('falls back to the legacy rotate tag (clockwise)', () => {
    expect(parseProbeOutput(output([video({ tags: { rotate: '90' } })]))).toMatchObject({
      rotation: 90,
      width: 1080,
      height: 1920,
    });
  });

  it('applies non-square pixels before rotating', () => {
    // DV-style anamorphic 720x480 with 32:27 pixels shows as 853x480.
    expect(parseProbeOutput(output([video({ width: 720, height: 480, sample_aspect_ratio: '32:27' })]))).toMatchObject({
      width: 853,
      height: 480,
    });
    expect(
      parseProbeOutput(
        output([video({ width: 720, height: 480, sample_aspect_ratio: '32:27', tags: { rotate: '270' } })]),
      ),
    ).toMatchObject({ width: 480, height: 853, rotation: 270 });
  });

  it('reads the bit depth from the pixel format', () => {
    expect(parseProbeOutput(output([video({ pix_fmt: 'yuv420p10le' })])).bitDepth).toBe(10);
  });

  it('prefers avg_frame_rate (variable frame rate phone footage) and falls back to r_frame_rate', () => {
    expect(parseProbeOutput(output([video({ avg_frame_rate: '2997/100', r_frame_rate: '90000/1' })])).frameRate).toBe(
      29.97,
    );
    expect(parseProbeOutput(output([video({ avg_frame_rate: '0/0', r_frame_rate: '30000/1001' })])).frameRate).toBe(
      29.97,
    );
    expect(codeOf(() => parseProbeOutput(output([video({ avg_frame_rate: '0/0', r_frame_rate: '0/0' })])))).toBe(
      'media_unreadable',
    );
  });

  it('counts the channels of the first audio stream', () => {
    expect(parseProbeOutput(output([video(), audio({ channels: 6 }), audio({ channels: 2 })])).audioChannels).toBe(6);
  });

  it('takes the stream duration when the container has none', () => {
    expect(parseProbeOutput(output([video({ duration: '3.5' })], null)).durationSeconds).toBe(3.5);
  });

  it('refuses files ffprobe found nothing in, or no video in', () => {
    expect(codeOf(() => parseProbeOutput({}))).toBe('media_unreadable');
    expect(codeOf(() => parseProbeOutput(output([audio()])))).toBe('media_no_video_stream');
    // Cover art of an audio file is a "video" stream with the attached_pic disposition.
    expect(codeOf(() => parseProbeOutput(output([audio(), video({ disposition: { attached_pic: 1 } })])))).toBe(
      'media_no_video_stream',
    );
    expect(codeOf(() => parseProbeOutput(output([video({ width: 0 })])))).toBe('media_unreadable');
  });

  it('refuses a video without a duration (a still image)', () => {
    expect(codeOf(() => parseProbeOutput(output([video()], null)))).toBe('media_zero_duration');
    expect(codeOf(() => parseProbeOutput(output([video()], '0.000000')))).toBe('media_zero_duration');
    expect(codeOf(() => parseProbeOutput(output([video()], 'N/A')))).toBe('media_zero_duration');
  });

  it('applies the duration limit', () => {
    expect(codeOf(() => parseProbeOutput(output([video()], '3601'), { maxDurationSeconds: 3600 }))).toBe(
      'media_too_long',
    );
    expect(parseProbeOutput(output([video()], '3600'), { maxDurationSeconds: 3600 }).durationSeconds).toBe(3600);
  });

  it('applies the size limit in either orientation', () => {
    const limits = { maxWidth: 1920, maxHeight: 1080 };
    expect(codeOf(() => parseProbeOutput(output([video({ width: 3840, height: 2160 })]), limits))).toBe(
      'media_too_large',
    );
    // A portrait 1080x1920 video is no bigger than a landscape 1920x1080 one.
    expect(parseProbeOutput(output([video({ width: 1080, height: 1920 })]), limits).height).toBe(1920);
    expect(codeOf(() => parseProbeOutput(output([video({ width: 1200, height: 1200 })]), limits))).toBe(
      'media_too_large',
    );
    expect(codeOf(() => parseProbeOutput(output([video({ width: 1921, height: 100 })]), { maxWidth: 1920 }))).toBe(
      'media_too_large',
    );
  });
});

describe('probe helpers', () => {
  it('parses rationals and rejects non-rates', () => {
    expect(parseRational('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRational('16:9')).toBeCloseTo(1.778, 3);
    expect(parseRational('25')).toBe(25);
    expect([parseRational('0/0'), parseRational('N/A'), parseRational(undefined), parseRational('1/0')]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('snaps rotations to quarter turns', () => {
    expect(rotationOf(video({ side_data_list: [{ rotation: -89.9 }] }))).toBe(90);
    expect(rotationOf(video({ tags: { rotate: '-90' } }))).toBe(270);
    expect(rotationOf(video({ tags: { rotate: 'sideways' } }))).toBe(0);
    expect(rotationOf(video())).toBe(0);
  });

  it('knows the bit depth of common pixel formats', () => {
    const depth = (pix_fmt: string, bits?: string) =>
      bitDepthOf(video({ pix_fmt, ...(bits ? { bits_per_raw_sample: bits } : {}) }));
    expect(depth('yuv420p')).toBe(8);
    expect(depth('yuvj420p')).toBe(8);
    expect(depth('nv12')).toBe(8);
    expect(depth('yuv420p10le')).toBe(10);
    expect(depth('yuv422p10be')).toBe(10);
    expect(depth('yuv444p12le')).toBe(12);
    expect(depth('p010le')).toBe(10);
    expect(depth('gray10le')).toBe(10);
    expect(depth('rgb48le')).toBe(16);
    expect(depth('something_new', '10')).toBe(10);
  });
});
