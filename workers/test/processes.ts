import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpegBinaries } from '@aleflix/core';

// Also used by the API's process tests (api/test/child-processes.ts, ffmpeg-wrapper.ts).

/**
 * A stand-in for ffmpeg whose encode pass (the run with `-progress`) reads its input no faster
 * than real time (`-re`), so a clip of n seconds takes at least n seconds to transcode, with
 * progress reported all along. The other runs pass through. `exec`, so the encoder is the
 * process the worker spawned (and kills), not a shell around it. Point FFMPEG_PATH at `path`.
 */
export function createSlowFfmpeg(): { path: string; remove(): void } {
  const real = resolveFfmpegBinaries({ ...process.env, FFMPEG_PATH: undefined }).ffmpeg;
  const dir = mkdtempSync(join(tmpdir(), 'aleflix-workers-ffmpeg-slow-'));
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

/**
 * Pids of the live children of `parent` running `command` with `argument` among its
 * arguments (Linux /proc): how a process test finds the encoder a worker started (the
 * ffmpeg that reports `-progress`, unlike the probes and the sprite assembly).
 */
export function childProcesses(parent: number, command: string, argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readSafe(`/proc/${entry}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid …"; comm may itself hold spaces or parentheses.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(0, 2);
    if (name !== command || Number(ppid) !== parent || state === 'Z') continue;
    if (readSafe(`/proc/${entry}/cmdline`)?.split('\0').includes(argument)) pids.push(Number(entry));
  }
  return pids;
}

/** Whether `pid` still runs (a zombie does not count). */
export function isAlive(pid: number): boolean {
  const stat = readSafe(`/proc/${pid}/stat`);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function readSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
