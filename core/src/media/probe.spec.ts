import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaErrorCode } from '../messages/messages.js';
import { resolveFfmpegBinaries } from './ffmpeg-binaries.js';
import { MediaError } from './media-error.js';
import { probe } from './probe.js';
import { generateSyntheticClip, type SyntheticClip } from './synthetic-media.js';

// Real ffprobe on real (generated) files: the cases the pure parser tests cannot prove,
// namely that ffprobe 5.1 reports them the way the parser expects.
const { ffmpeg } = resolveFfmpegBinaries();
const encoderHelp = execFileSync(ffmpeg, ['-hide_banner', '-h', 'encoder=libx264'], { encoding: 'utf8' });
const has10BitX264 = /yuv420p10le/.test(encoderHelp);

const dir = mkdtempSync(join(tmpdir(), 'aleflix-probe-'));
const file = (name: string) => join(dir, name);
const base: SyntheticClip = { durationSeconds: 1, width: 320, height: 180, frameRate: 30 };
const clips: Record<string, SyntheticClip> = {
  'landscape.mp4': base,
  'rotated.mp4': { ...base, rotation: 90 },
  'odd.mp4': { ...base, width: 321, height: 241, pixelFormat: 'yuv444p' },
  'silent.mp4': { ...base, audioChannels: 0 },
  'surround.mp4': { ...base, audioChannels: 6 },
  ...(has10BitX264 ? { 'ten-bit.mp4': { ...base, pixelFormat: 'yuv420p10le' } } : {}),
};

/** ffmpeg with space-separated options (none of these contain spaces) writing `output`. */
const makeFile = (options: string, output: string) =>
  execFileSync(ffmpeg, ['-v', 'error', ...options.split(' '), file(output)]);

beforeAll(async () => {
  const generated = Promise.all(Object.entries(clips).map(([name, clip]) => generateSyntheticClip(file(name), clip)));
  // Audio only, in an MP4 container: the upload most likely to be mistaken for a video.
  makeFile('-f lavfi -i sine=duration=1 -c:a aac', 'audio.mp4');
  // A single PNG frame: a "video" stream with no duration.
  makeFile('-f lavfi -i testsrc2=size=64x64 -frames:v 1', 'still.png');
  // A song with cover art: its only "video" stream is an attached picture.
  makeFile(
    `-f lavfi -i sine=duration=1 -i ${file('still.png')} -map 0 -map 1 -c:a libmp3lame -c:v copy -disposition:v attached_pic`,
    'song.mp3',
  );
  writeFileSync(file('notes.mp4'), 'these are meeting notes, not a video\n');
  await generated;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<MediaErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MediaError) return error.code;
    throw error;
  }
  throw new Error('expected a MediaError');
}

describe('probe (real ffprobe)', () => {
  it('describes a landscape clip with stereo audio', async () => {
    expect(await probe(file('landscape.mp4'))).toEqual({
      durationSeconds: expect.closeTo(1, 1),
      width: 320,
      height: 180,
      videoCodec: 'h264',
      audioCodec: 'aac',
      frameRate: 30,
      rotation: 0,
      bitDepth: 8,
      audioChannels: 2,
    });
  });

  it('reports a rotated clip as the portrait video it displays', async () => {
    expect(await probe(file('rotated.mp4'))).toMatchObject({ rotation: 90, width: 180, height: 320 });
  });

  it('reports odd dimensions as they are', async () => {
    expect(await probe(file('odd.mp4'))).toMatchObject({ width: 321, height: 241, bitDepth: 8 });
  });

  it('reports a silent clip without audio', async () => {
    expect(await probe(file('silent.mp4'))).toMatchObject({ audioCodec: null, audioChannels: 0 });
  });

  it('counts six channels in a 5.1 clip', async () => {
    expect(await probe(file('surround.mp4'))).toMatchObject({ audioCodec: 'aac', audioChannels: 6 });
  });

  it.skipIf(!has10BitX264)(
    'reads the bit depth of a 10-bit clip (skipped: this libx264 has no 10-bit support)',
    async () => {
      expect(await probe(file('ten-bit.mp4'))).toMatchObject({ bitDepth: 10 });
    },
  );

  it('rejects a text file named .mp4 as unreadable', async () => {
    expect(await codeOf(probe(file('notes.mp4')))).toBe('media_unreadable');
  });

  it('rejects an audio-only file as having no video stream, even with cover art', async () => {
    expect(await codeOf(probe(file('audio.mp4')))).toBe('media_no_video_stream');
    expect(await codeOf(probe(file('song.mp3')))).toBe('media_no_video_stream');
  });

  it('rejects a still image as having no duration', async () => {
    expect(await codeOf(probe(file('still.png')))).toBe('media_zero_duration');
  });

  it('applies the limits it is given', async () => {
    expect(await codeOf(probe(file('landscape.mp4'), { maxDurationSeconds: 0.5 }))).toBe('media_too_long');
    expect(await codeOf(probe(file('landscape.mp4'), { maxWidth: 160, maxHeight: 160 }))).toBe('media_too_large');
    // Rotated 180x320 fits a 320x180 limit: limits apply in either orientation.
    expect(await probe(file('rotated.mp4'), { maxWidth: 320, maxHeight: 180 })).toMatchObject({ height: 320 });
  });

  it('tells a missing file from an unreadable one', async () => {
    expect(await codeOf(probe(file('missing.mp4')))).toBe('media_source_missing');
    expect(await codeOf(probe(dir))).toBe('media_unreadable');
  });
});
