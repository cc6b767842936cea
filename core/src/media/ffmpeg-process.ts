import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { MediaError } from './media-error.js';
import { FfmpegProgressParser, type FfmpegProgressBlock } from './progress.js';

export interface RunFfmpegOptions {
  binary: string;
  args: readonly string[];
  cwd: string;
  /** Aborting kills ffmpeg and rejects with `transcode_cancelled`. */
  signal?: AbortSignal;
  /** Kills ffmpeg and rejects with `transcode_timeout` after this long. */
  timeoutMs: number;
  /** Each `-progress` block, as ffmpeg writes it (about twice a second). */
  onProgress?: (block: FfmpegProgressBlock) => void;
}

/** Keeps the last lines of a stream without holding all of it (ffmpeg can be chatty). */
class TailBuffer {
  private text = '';
  constructor(private readonly maxChars = 8192) {}
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString()).slice(-this.maxChars);
  }
  lastLines(count: number): string {
    return this.text.trim().split('\n').slice(-count).join('\n');
  }
}

/**
 * The signal that ended ffmpeg without us asking, if any: reported by node (`killedBy`), or
 * as the exit status 128 + n that a shell or container runtime in between reports for a
 * child killed by signal n. ffmpeg's own error exits are 1 (or 255 when interrupted).
 */
function crashSignal(code: number | null, killedBy: NodeJS.Signals | null): string | undefined {
  if (code === null) return killedBy ?? 'a signal';
  if (code <= 128 || code >= 128 + 32) return undefined;
  const number = code - 128;
  const name = Object.entries(constants.signals).find(([, value]) => value === number)?.[0];
  return name ?? `signal ${number}`;
}

/**
 * Runs ffmpeg to completion. Rejects with a MediaError: `transcode_cancelled` on abort,
 * `transcode_timeout`, `transcode_crashed` when a signal we did not send ended it (a
 * segfault, the kernel's OOM killer), or `transcode_failed` with the end of stderr (where
 * ffmpeg says what went wrong). SIGKILL rather than SIGTERM: the outputs of a stopped run
 * are deleted anyway, so there is nothing for ffmpeg to finish writing.
 */
export function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new MediaError('transcode_cancelled'));

  return new Promise((resolve, reject) => {
    const child = spawn(options.binary, options.args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = new TailBuffer();
    const parser = new FfmpegProgressParser();
    let stoppedBecause: MediaError | null = null;

    const stop = (reason: MediaError) => {
      if (stoppedBecause) return;
      stoppedBecause = reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop(new MediaError('transcode_cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        stop(new MediaError('transcode_timeout', `ffmpeg ran longer than ${Math.round(options.timeoutMs / 1000)} s`)),
      options.timeoutMs,
    );

    child.stdout.on('data', (chunk: Buffer) => {
      for (const block of parser.push(chunk)) options.onProgress?.(block);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let settled = false;
    const settle = (error: MediaError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };

    child.on('error', (error) => {
      settle(
        stoppedBecause ??
          new MediaError('transcode_failed', `Could not run ffmpeg: ${error.message}`, { cause: error }),
      );
    });
    // After a kill, settle as soon as the process is gone: 'close' also waits for its pipes,
    // which anything it spawned could hold open.
    child.on('exit', () => {
      if (!stoppedBecause) return;
      child.stdout.destroy();
      child.stderr.destroy();
      settle(stoppedBecause);
    });
    child.on('close', (code, killedBy) => {
      if (stoppedBecause) return settle(stoppedBecause);
      if (code === 0) return settle(null);
      const crash = crashSignal(code, killedBy);
      const how = crash
        ? code === null
          ? `was killed by ${crash}`
          : `exited with code ${code} (${crash})`
        : `exited with code ${code}`;
      const tail = stderr.lastLines(10);
      settle(
        new MediaError(crash ? 'transcode_crashed' : 'transcode_failed', `ffmpeg ${how}${tail ? `:\n${tail}` : ''}`),
      );
    });
  });
}
