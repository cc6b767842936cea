import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpegBinaries } from '@aleflix/core';

/**
 * A stand-in for ffmpeg that runs the real one, except that while `crashEncodes()` is on,
 * the encode pass (the only run with `-progress`) dies of SIGSEGV before doing anything,
 * as a crashing encoder would. Probes and the other runs always pass through. Point
 * FFMPEG_PATH at `path`; the media core resolves it on every call.
 */
export interface FfmpegWrapper {
  path: string;
  crashEncodes(on: boolean): void;
  /** Encode passes that were made to crash so far. */
  crashes(): number;
  remove(): void;
}

export function createCrashingFfmpeg(): FfmpegWrapper {
  const real = resolveFfmpegBinaries({ ...process.env, FFMPEG_PATH: undefined }).ffmpeg;
  const dir = mkdtempSync(join(tmpdir(), 'aleflix-ffmpeg-wrapper-'));
  const path = join(dir, 'ffmpeg');
  const flag = join(dir, 'crash');
  const log = join(dir, 'crashes.log');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      // No core file in the work directory.
      'ulimit -c 0',
      'case " $* " in',
      `  *" -progress "*) if [ -e '${flag}' ]; then echo crash >> '${log}'; kill -SEGV $$; fi ;;`,
      'esac',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return {
    path,
    crashEncodes(on) {
      if (on) writeFileSync(flag, '');
      else rmSync(flag, { force: true });
    },
    crashes: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A stand-in for ffmpeg whose encode pass (the run with `-progress`) reads its input no faster
 * than real time (`-re`), so a clip of n seconds takes at least n seconds to transcode, with
 * progress reported all along. The other runs pass through. `exec`, so the encoder is the
 * process the worker spawned (and kills), not a shell around it.
 */
export function createSlowFfmpeg(): { path: string; remove(): void } {
  const real = resolveFfmpegBinaries({ ...process.env, FFMPEG_PATH: undefined }).ffmpeg;
  const dir = mkdtempSync(join(tmpdir(), 'aleflix-ffmpeg-slow-'));
  const path = join(dir, 'ffmpeg');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'case " $* " in',
      `  *" -progress "*) exec '${real}' -re "$@" ;;`,
      'esac',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
