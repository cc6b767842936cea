import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegNotFoundError, findOnPath, resolveFfmpegBinaries } from './ffmpeg-binaries.js';

const root = mkdtempSync(join(tmpdir(), 'aleflix-bin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fakeBinary(dir: string, name: string, executable = true): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

describe('resolveFfmpegBinaries', () => {
  const first = join(root, 'first');
  const second = join(root, 'second');
  const ffprobeOnly = fakeBinary(first, 'ffprobe');
  fakeBinary(first, 'ffmpeg', false);
  const ffmpegInSecond = fakeBinary(second, 'ffmpeg');
  fakeBinary(second, 'ffprobe');

  it('uses FFMPEG_PATH and FFPROBE_PATH when set', () => {
    const ffmpeg = fakeBinary(join(root, 'custom'), 'my-ffmpeg');
    const ffprobe = fakeBinary(join(root, 'custom'), 'my-ffprobe');
    expect(resolveFfmpegBinaries({ FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe, PATH: '' })).toEqual({
      ffmpeg,
      ffprobe,
    });
  });

  it('otherwise takes the first executable on PATH, skipping non-executable files', () => {
    expect(resolveFfmpegBinaries({ PATH: `${first}:${second}` })).toEqual({
      ffmpeg: ffmpegInSecond,
      ffprobe: ffprobeOnly,
    });
  });

  it('refuses a configured path that is not an executable instead of falling back', () => {
    expect(() => resolveFfmpegBinaries({ FFMPEG_PATH: join(root, 'nope'), PATH: second })).toThrow(
      /FFMPEG_PATH=.*nope is not an executable file/,
    );
  });

  it('says how to fix a missing binary', () => {
    const error = (() => {
      try {
        resolveFfmpegBinaries({ PATH: join(root, 'empty') }, () => null);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect(String(error)).toMatch(/ffmpeg not found: install it .* or set FFMPEG_PATH/);
  });

  it('falls back to the optional npm packages when PATH has no ffmpeg, and those run', () => {
    const resolved = resolveFfmpegBinaries({ PATH: join(root, 'empty') });
    expect(resolved.ffmpeg).toMatch(/node_modules\/@ffmpeg-installer\/[^/]+\/ffmpeg$/);
    expect(resolved.ffprobe).toMatch(/node_modules\/@ffprobe-installer\/[^/]+\/ffprobe$/);
    expect(execFileSync(resolved.ffmpeg, ['-version'], { encoding: 'utf8' })).toMatch(/^ffmpeg version/);
    expect(execFileSync(resolved.ffprobe, ['-version'], { encoding: 'utf8' })).toMatch(/^ffprobe version/);
  });

  it('prefers ffmpeg on PATH to the npm packages', () => {
    expect(resolveFfmpegBinaries({ PATH: second }).ffmpeg).toBe(ffmpegInSecond);
  });

  it('ignores empty and relative PATH entries (never the current directory)', () => {
    expect(findOnPath('ffmpeg', `:.:relative:${second}`)).toBe(ffmpegInSecond);
    expect(findOnPath('ffmpeg', undefined)).toBeNull();
  });
});
