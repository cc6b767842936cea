// Which engine plays HLS. hls.js (Media Source Extensions) wherever it runs, because it gives
// the manual quality menu; the browser's own HLS (Safari on iOS, which has no MSE) otherwise.
// Chromium reports native HLS support too nowadays, but without a way to pick a rendition.

export type PlaybackEngine = 'hls.js' | 'native' | 'unsupported';

export function chooseEngine(support: { mse: boolean; nativeHls: boolean }): PlaybackEngine {
  if (support.mse) return 'hls.js';
  if (support.nativeHls) return 'native';
  return 'unsupported';
}

export interface QualityLevel {
  /** hls.js level index. */
  index: number;
  height: number;
  bitrate: number;
  label: string;
}

/** hls.js levels -> menu entries, best first; the label is "720p" (or the bitrate without a height). */
export function qualityLevels(
  levels: ReadonlyArray<{ height?: number; bitrate: number; name?: string }>,
): QualityLevel[] {
  return levels
    .map((level, index) => ({
      index,
      height: level.height ?? 0,
      bitrate: level.bitrate,
      label: level.height ? `${level.height}p` : level.name || `${Math.round(level.bitrate / 1000)} kbps`,
    }))
    .sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);
}
