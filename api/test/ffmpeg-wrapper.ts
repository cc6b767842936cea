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

// The slow stand-in (encodes at real-time speed) is shared with the workers' process tests.
export { createSlowFfmpeg } from '../../workers/test/processes.js';
