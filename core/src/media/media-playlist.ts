/** A rendition's media playlist, as much of it as we check and measure. */
export interface MediaPlaylist {
  /** URI of the EXT-X-MAP init segment, if any. */
  initUri: string | null;
  segments: Array<{ uri: string; durationSeconds: number }>;
  ended: boolean;
}

/** Reads the media playlist ffmpeg wrote (URIs relative to the playlist). */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('Not an HLS playlist (no #EXTM3U)');
  let initUri: string | null = null;
  const segments: MediaPlaylist['segments'] = [];
  let pendingDuration: number | null = null;
  let ended = false;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MAP:')) {
      initUri = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    } else if (line.startsWith('#EXTINF:')) {
      pendingDuration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (line && !line.startsWith('#') && pendingDuration !== null) {
      segments.push({ uri: line, durationSeconds: pendingDuration });
      pendingDuration = null;
    }
  }
  return { initUri, segments, ended };
}

export interface MeasuredBitrates {
  /** Total bits over total duration. */
  average: number;
  /** The highest per-segment bitrate: what BANDWIDTH must cover. */
  peak: number;
}

/**
 * Bitrates measured from segment sizes, the way Apple's validator checks BANDWIDTH and
 * AVERAGE-BANDWIDTH. Null when there is nothing to measure.
 */
export function measureBitrates(
  segments: ReadonlyArray<{ durationSeconds: number; bytes: number }>,
): MeasuredBitrates | null {
  const timed = segments.filter((segment) => segment.durationSeconds > 0);
  if (timed.length === 0) return null;
  const totalBits = timed.reduce((sum, segment) => sum + segment.bytes * 8, 0);
  const totalSeconds = timed.reduce((sum, segment) => sum + segment.durationSeconds, 0);
  // A very short last segment has a noisy rate (its size is mostly headers); it only
  // counts toward the peak when it is the only segment.
  const forPeak = timed.length > 1 ? timed.filter((segment) => segment.durationSeconds >= 1) : timed;
  const peak = Math.max(
    ...(forPeak.length ? forPeak : timed).map((segment) => (segment.bytes * 8) / segment.durationSeconds),
  );
  return { average: Math.round(totalBits / totalSeconds), peak: Math.round(peak) };
}
