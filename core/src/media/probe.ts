import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MediaInfo } from '../messages/messages.js';
import { resolveFfmpegBinaries, type FfmpegBinaries } from './ffmpeg-binaries.js';
import { MediaError } from './media-error.js';
import { parseProbeOutput, type FfprobeOutput, type ProbeLimits } from './probe-parse.js';
import { inSpan } from './tracing.js';

export interface ProbeOptions extends ProbeLimits {
  binaries?: FfmpegBinaries;
  /** ffprobe reads headers only; a minute means it is stuck on a pathological file. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * ffmpeg reads `file:` URLs literally: a local name that looks like an option (`-x.mp4`) or
 * a protocol (`http:x.mp4`, `concat:a|b`) cannot be misread, whatever the upload was named.
 */
export function ffmpegFileUrl(path: string): string {
  return `file:${resolve(path)}`;
}

function runFfprobe(binary: string, path: string, options: ProbeOptions): Promise<string> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ffmpegFileUrl(path)];
  return new Promise((resolvePromise, reject) => {
    execFile(
      binary,
      args,
      {
        timeout: options.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise(stdout);
        if (options.signal?.aborted) {
          return reject(new MediaError('transcode_cancelled', undefined, { cause: error }));
        }
        const detail = stderr.trim().split('\n').slice(-3).join(' | ') || error.message;
        reject(new MediaError('media_unreadable', `ffprobe could not read the file: ${detail}`, { cause: error }));
      },
    );
  });
}

/** Probes a local file and describes it as a MediaInfo, or rejects with a MediaError. */
export function probe(path: string, options: ProbeOptions = {}): Promise<MediaInfo> {
  return inSpan('probe', {}, async (span) => {
    const media = await probeFile(path, options);
    span.setAttributes({
      'aleflix.media.duration_seconds': media.durationSeconds,
      'aleflix.media.width': media.width,
      'aleflix.media.height': media.height,
      'aleflix.media.video_codec': media.videoCodec,
    });
    return media;
  });
}

async function probeFile(path: string, options: ProbeOptions): Promise<MediaInfo> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new MediaError('media_source_missing', `No file at ${path}`, { cause: error });
    throw new MediaError('media_unreadable', `Cannot read ${path}: ${error.message}`, { cause: error });
  });
  if (!stats.isFile() || stats.size === 0) {
    throw new MediaError('media_unreadable', `${path} is ${stats.isFile() ? 'empty' : 'not a file'}`);
  }
  const binaries = options.binaries ?? resolveFfmpegBinaries();
  const stdout = await runFfprobe(binaries.ffprobe, path, options);
  let output: FfprobeOutput;
  try {
    output = JSON.parse(stdout) as FfprobeOutput;
  } catch (error) {
    throw new MediaError('media_unreadable', 'ffprobe printed something that is not JSON', { cause: error });
  }
  return parseProbeOutput(output, options);
}
