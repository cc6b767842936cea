/** One line of the master playlist: a rendition's media playlist and what it costs. */
export interface MasterVariant {
  /** URI of the media playlist, relative to the master playlist. */
  uri: string;
  /** Peak bits/s, audio included (what a player must sustain). */
  bandwidth: number;
  /** Average bits/s over the whole rendition, audio included. */
  averageBandwidth: number;
  width: number;
  height: number;
  /** RFC 6381 codecs, e.g. `avc1.640028,mp4a.40.2`. */
  codecs: string;
  frameRate: number;
}

/** HLS wants quoted strings free of quotes and line breaks; our values always are. */
function quoted(value: string): string {
  if (/["\r\n]/.test(value)) throw new Error(`Cannot quote ${JSON.stringify(value)} in a playlist`);
  return `"${value}"`;
}

/**
 * The master (multivariant) playlist. Version 7 because the renditions are fMP4 with
 * EXT-X-MAP; highest rendition first, since some players start with the first listed.
 * Pure text: the caller decides when to write it (last, so it never points at missing files).
 */
export function buildMasterPlaylist(variants: readonly MasterVariant[]): string {
  if (variants.length === 0) throw new Error('A master playlist needs at least one variant');
  const sorted = [...variants].sort((a, b) => b.width * b.height - a.width * a.height || b.bandwidth - a.bandwidth);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of sorted) {
    const attributes = [
      `BANDWIDTH=${Math.ceil(variant.bandwidth)}`,
      `AVERAGE-BANDWIDTH=${Math.ceil(variant.averageBandwidth)}`,
      `RESOLUTION=${variant.width}x${variant.height}`,
      `CODECS=${quoted(variant.codecs)}`,
      `FRAME-RATE=${variant.frameRate.toFixed(3)}`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, variant.uri);
  }
  return `${lines.join('\n')}\n`;
}
