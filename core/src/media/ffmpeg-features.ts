import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface FfmpegFeatures {
  /**
   * `-fps_mode` (ffmpeg ≥ 5.1) sets the frame-rate mode per output. Older builds, like the
   * 2018 one of the npm package, only know the global `-vsync`.
   */
  fpsMode: boolean;
}

const known = new Map<string, Promise<FfmpegFeatures>>();

/** What this ffmpeg binary understands, asked once per binary and process. */
export function ffmpegFeatures(binary: string): Promise<FfmpegFeatures> {
  let features = known.get(binary);
  if (!features) {
    features = detect(binary);
    known.set(binary, features);
    // A failed probe (binary replaced, out of processes) is asked again next time.
    features.catch(() => known.delete(binary));
  }
  return features;
}

async function detect(binary: string): Promise<FfmpegFeatures> {
  const { stdout } = await promisify(execFile)(binary, ['-hide_banner', '-h', 'long'], {
    maxBuffer: 8 * 1024 * 1024,
  });
  return { fpsMode: /^-fps_mode\b/m.test(stdout) };
}
