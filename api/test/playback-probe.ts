import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  /** Frames ffprobe actually decoded (with -count_frames): proof that every segment was fetched and played. */
  nb_read_frames?: string;
}

/**
 * Plays an HLS URL with ffprobe over real HTTP, decoding every frame of the first video
 * stream, the way a player would fetch it (master, rendition playlist, init segment,
 * segments). Asynchronous on purpose: the API under test answers from this same process.
 */
export async function probePlayback(url: string): Promise<{ video: ProbedStream; audio: ProbedStream | undefined }> {
  const probe = async (args: string[]) =>
    JSON.parse(
      (await run('ffprobe', ['-v', 'error', ...args, '-of', 'json', url], { timeout: 60_000, maxBuffer: 8 << 20 }))
        .stdout,
    ) as { streams: ProbedStream[] };
  const [counted, all] = await Promise.all([
    probe([
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=codec_type,codec_name,width,height,nb_read_frames',
    ]),
    probe(['-show_entries', 'stream=codec_type,codec_name']),
  ]);
  const video = counted.streams[0];
  if (!video) throw new Error(`no video stream in ${url}`);
  return { video, audio: all.streams.find((stream) => stream.codec_type === 'audio') };
}
