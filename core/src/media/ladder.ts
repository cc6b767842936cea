import type { MediaInfo, RenditionName } from '../messages/messages.js';

/** One step of the ladder: its name and short edge (the "720" of 720p). */
export interface RungPreset {
  name: RenditionName;
  /** Short edge in pixels: the height of a landscape rendition, the width of a portrait one. */
  size: number;
  /** Ceiling for the video bitrate (bits/s), whatever bits-per-pixel says. */
  maxVideoBitrate: number;
}

export const DEFAULT_RUNGS: readonly RungPreset[] = [
  { name: '1080p', size: 1080, maxVideoBitrate: 5_000_000 },
  { name: '720p', size: 720, maxVideoBitrate: 2_800_000 },
  { name: '480p', size: 480, maxVideoBitrate: 1_400_000 },
  { name: '360p', size: 360, maxVideoBitrate: 800_000 },
  { name: '240p', size: 240, maxVideoBitrate: 400_000 },
];

export interface LadderOptions {
  /** Largest first or not: they are sorted. Defaults to DEFAULT_RUNGS. */
  rungs?: readonly RungPreset[];
  /** Video bits per pixel per frame; 0.1 is comfortable for H.264 at `veryfast`. */
  bitsPerPixel?: number;
  /**
   * Frame rate used in the bitrate formula. Motion between frames shrinks as the rate
   * rises, so a 60 fps rendition needs far less than twice the bits of a 30 fps one.
   */
  bitrateFrameRateCap?: number;
  /** Above this the output rate is divided (120 → 60, 100 → 50): no device needs more. */
  maxFrameRate?: number;
  /** Stereo AAC bitrate; mono sources get half. */
  audioBitrate?: number;
  /** Peak allowed over the target bitrate (x264 `maxrate`), as a factor of the target. */
  maxrateFactor?: number;
  /** x264 VBV buffer, as a factor of the target bitrate (2 → about two seconds). */
  bufsizeFactor?: number;
  /**
   * A rung is offered when the source reaches this fraction of it: a 1916×1076 upload is
   * a 1080p video that lost a few edge pixels, not a 720p one. Never upscales either way.
   */
  minSourceFraction?: number;
}

export interface PlannedRung {
  name: RenditionName;
  width: number;
  height: number;
  /** Target (average) video bitrate, bits/s. */
  videoBitrate: number;
  /** Peak video bitrate, bits/s: x264 `-maxrate`, and what BANDWIDTH is built from. */
  maxrate: number;
  bufsize: number;
}

export interface LadderPlan {
  /** Highest rung first (the order of the master playlist). Never empty. */
  rungs: PlannedRung[];
  /** Output frame rate; the source's unless it is above `maxFrameRate`. */
  frameRate: number;
  /** Whether the output rate differs from the source (an `fps` filter is needed). */
  frameRateReduced: boolean;
  audio: { bitrate: number; channels: number } | null;
}

const DEFAULTS = {
  bitsPerPixel: 0.1,
  bitrateFrameRateCap: 30,
  maxFrameRate: 60,
  audioBitrate: 128_000,
  maxrateFactor: 1.2,
  bufsizeFactor: 2,
  minSourceFraction: 0.95,
} satisfies Required<Omit<LadderOptions, 'rungs'>>;

/** Nearest even number (H.264 4:2:0 needs even dimensions), at least 2. */
export function roundEven(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/** Nearest even number, but never above `limit` (so rounding cannot upscale). */
function evenAtMost(value: number, limit: number): number {
  const even = roundEven(value);
  return even <= limit ? even : Math.max(2, Math.floor(limit / 2) * 2);
}

/** Rounded to whole kbit/s: nicer in logs and in ffmpeg arguments. */
function roundKbps(bitsPerSecond: number): number {
  return Math.max(1000, Math.round(bitsPerSecond / 1000) * 1000);
}

/**
 * Divides rates above the cap by the smallest whole number that brings them under it, so
 * frames are dropped at a steady cadence (every other one for 120 → 60).
 */
export function outputFrameRate(sourceRate: number, maxFrameRate: number): number {
  if (sourceRate <= maxFrameRate) return sourceRate;
  return Math.round((sourceRate / Math.ceil(sourceRate / maxFrameRate)) * 1000) / 1000;
}

/**
 * Size of a rung for this source: the source scaled to fit the rung's 16:9 box (turned
 * for portrait sources), keeping the display aspect ratio, even, never upscaled. A box
 * rather than a height, so a 1920×800 scope film still gets a full-width 1080p rung and a
 * 1080×1920 phone video counts as 1080p.
 */
function fitRung(media: MediaInfo, size: number): { width: number; height: number } {
  const portrait = media.height > media.width;
  const boxShort = size;
  const boxLong = roundEven((size * 16) / 9);
  const srcLong = Math.max(media.width, media.height);
  const srcShort = Math.min(media.width, media.height);
  const scale = Math.min(1, boxLong / srcLong, boxShort / srcShort);
  const long = evenAtMost(srcLong * scale, srcLong);
  const short = evenAtMost(srcShort * scale, srcShort);
  return portrait ? { width: short, height: long } : { width: long, height: short };
}

function reaches(media: MediaInfo, size: number, fraction: number): boolean {
  const srcLong = Math.max(media.width, media.height);
  const srcShort = Math.min(media.width, media.height);
  return srcShort >= size * fraction || srcLong >= roundEven((size * 16) / 9) * fraction;
}

/**
 * The renditions to encode for a probed source. Pure: the same MediaInfo always gives the
 * same ladder, so a retry or a re-transcode produces the same outputs.
 */
export function planLadder(media: MediaInfo, options: LadderOptions = {}): LadderPlan {
  const o = { ...DEFAULTS, ...options };
  const presets = [...(options.rungs ?? DEFAULT_RUNGS)].sort((a, b) => b.size - a.size);
  if (presets.length === 0) throw new Error('planLadder: no rungs configured');
  const frameRate = outputFrameRate(media.frameRate, o.maxFrameRate);
  const bitrateFps = Math.min(frameRate, o.bitrateFrameRateCap);

  const chosen = presets
    .filter((preset) => reaches(media, preset.size, o.minSourceFraction))
    .map((preset) => ({ preset, ...fitRung(media, preset.size) }))
    // Two close custom rungs can fit a source to the same size: encode it once.
    .filter((rung, i, all) => i === 0 || rung.width !== all[i - 1]!.width || rung.height !== all[i - 1]!.height);
  if (chosen.length === 0) {
    // Smaller than the smallest rung: encode it at its own size under that rung's name.
    const smallest = presets[presets.length - 1]!;
    chosen.push({
      preset: smallest,
      width: evenAtMost(media.width, media.width),
      height: evenAtMost(media.height, media.height),
    });
  }

  const rungs = chosen.map(({ preset, width, height }): PlannedRung => {
    const videoBitrate = roundKbps(Math.min(o.bitsPerPixel * width * height * bitrateFps, preset.maxVideoBitrate));
    return {
      name: preset.name,
      width,
      height,
      videoBitrate,
      maxrate: roundKbps(videoBitrate * o.maxrateFactor),
      bufsize: roundKbps(videoBitrate * o.bufsizeFactor),
    };
  });

  const audio =
    media.audioCodec === null
      ? null
      : media.audioChannels === 1
        ? { bitrate: roundKbps(o.audioBitrate / 2), channels: 1 }
        : { bitrate: o.audioBitrate, channels: 2 };

  return { rungs, frameRate, frameRateReduced: frameRate !== media.frameRate, audio };
}
