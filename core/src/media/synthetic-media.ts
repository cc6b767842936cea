import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { resolveFfmpegBinaries } from './ffmpeg-binaries.js';

/**
 * Test pattern clips made by ffmpeg itself (testsrc2 + a sine tone): the media for tests,
 * benchmarks and smoke checks, so nothing is ever downloaded. Part of the public surface
 * because the benchmark (and a worker self-check) use it from the built package.
 */
export interface SyntheticClip {
  durationSeconds: number;
  width: number;
  height: number;
  frameRate: number;
  /** 0 for a silent clip. */
  audioChannels?: number;
  /** Clockwise rotation stored as metadata (the picture itself stays as coded). */
  rotation?: 0 | 90 | 180 | 270;
  /** `yuv420p10le` for a 10-bit clip. */
  pixelFormat?: string;
  /** libx264 preset for the clip itself; `ultrafast` keeps test setup quick. */
  preset?: string;
  /** Constant quality of the clip (lower is bigger and closer to a camera file). */
  crf?: number;
}

/** ffmpeg arguments that write the clip to `outputPath` (MP4, H.264 + AAC). */
export function syntheticClipArgs(outputPath: string, clip: SyntheticClip): string[] {
  const channels = clip.audioChannels ?? 2;
  // prettier-ignore
  const args = [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    // testsrc2 only draws even sizes; the scale gives odd ones (with a 4:4:4 pixelFormat).
    '-f', 'lavfi', '-i', `testsrc2=size=${clip.width + (clip.width % 2)}x${clip.height + (clip.height % 2)}:rate=${clip.frameRate}`,
    ...(channels > 0 ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-t', String(clip.durationSeconds),
    '-vf', `scale=${clip.width}:${clip.height}`,
    '-c:v', 'libx264', '-preset', clip.preset ?? 'ultrafast', '-crf', String(clip.crf ?? 23),
    '-pix_fmt', clip.pixelFormat ?? 'yuv420p',
  ];
  if (channels > 0) args.push('-c:a', 'aac', '-ac', String(channels), '-b:a', `${64 * channels}k`);
  args.push('-movflags', '+faststart', outputPath);
  return args;
}

/**
 * Arguments that copy `inputPath` to `outputPath` with a rotation in its metadata. A copy,
 * because ffmpeg 5.1 drops the `rotate` tag on encoded streams (`-display_rotation` only
 * arrived in 6.0). Its MP4 muxer stores the tag as a turn the other way round (rotate=90
 * reads back as a display matrix of +90°, which ffmpeg autorotates counter-clockwise), so
 * the tag written is the inverse of the clockwise rotation asked for.
 */
export function rotateMetadataArgs(inputPath: string, outputPath: string, rotation: 90 | 180 | 270): string[] {
  // prettier-ignore
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-i', inputPath, '-map', '0', '-c', 'copy',
    '-metadata:s:v:0', `rotate=${(360 - rotation) % 360}`,
    outputPath,
  ];
}

function runFfmpeg(args: string[]): Promise<void> {
  const { ffmpeg } = resolveFfmpegBinaries();
  return new Promise((resolve, reject) => {
    execFile(ffmpeg, args, { timeout: 600_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`ffmpeg ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

export async function generateSyntheticClip(outputPath: string, clip: SyntheticClip): Promise<void> {
  if (!clip.rotation) return runFfmpeg(syntheticClipArgs(outputPath, clip));
  const unrotated = `${outputPath}.unrotated.mp4`;
  try {
    await runFfmpeg(syntheticClipArgs(unrotated, clip));
    await runFfmpeg(rotateMetadataArgs(unrotated, outputPath, clip.rotation));
  } finally {
    await rm(unrotated, { force: true });
  }
}
