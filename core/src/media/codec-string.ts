/**
 * RFC 6381 codec strings for the master playlist's CODECS attribute. Players use them to
 * skip renditions they cannot decode, so they must describe the bytes actually written.
 */

/** What ffmpeg's native AAC encoder writes by default: MPEG-4 AAC-LC. */
export const AAC_LC_CODEC = 'mp4a.40.2';

const AVCC = [0x61, 0x76, 0x63, 0x43]; // "avcC"

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}

/**
 * `avc1.PPCCLL` from the avcC box of an fMP4 init segment: profile, constraint flags and
 * level exactly as x264 signalled them (the level it picked depends on size, frame rate
 * and VBV settings, and the profile on the preset, so reading beats predicting).
 * Null when the bytes hold no avcC box.
 */
export function avc1CodecFromInitSegment(bytes: Uint8Array): string | null {
  for (let i = 4; i + 8 <= bytes.length; i++) {
    if (bytes[i] !== AVCC[0] || bytes[i + 1] !== AVCC[1] || bytes[i + 2] !== AVCC[2] || bytes[i + 3] !== AVCC[3]) {
      continue;
    }
    // Box payload: configurationVersion (always 1), then profile, constraints, level.
    if (bytes[i + 4] !== 1) continue;
    return `avc1.${hex2(bytes[i + 5]!)}${hex2(bytes[i + 6]!)}${hex2(bytes[i + 7]!)}`;
  }
  return null;
}
