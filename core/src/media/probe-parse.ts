import type { MediaInfo } from '../messages/messages.js';
import { MediaError } from './media-error.js';

/** The parts of `ffprobe -print_format json -show_format -show_streams` we read. */
export interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  channels?: number;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; format_name?: string };
}

export interface ProbeLimits {
  /** Longest accepted duration, in seconds. */
  maxDurationSeconds?: number;
  /**
   * Largest accepted frame, e.g. 3840×2160. Applied regardless of orientation (the long
   * edge against the larger limit, the short edge against the smaller): a portrait phone
   * video of 2160×3840 is the same amount of work as a landscape 4K one.
   */
  maxWidth?: number;
  maxHeight?: number;
}

/** "30000/1001" → 29.97; null for "0/0", "N/A" and other non-rates. */
export function parseRational(value: string | undefined): number | null {
  if (!value) return null;
  const [num, den = '1'] = value.split(/[/:]/);
  const n = Number(num);
  const d = Number(den);
  if (!Number.isFinite(n) || !Number.isFinite(d) || n <= 0 || d <= 0) return null;
  return n / d;
}

function positiveNumber(value: string | number | undefined): number | null {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * Clockwise degrees (0, 90, 180, 270) a player turns the coded picture to show it, the way
 * ffmpeg itself reads it when autorotating. The display matrix side data (what ffprobe 5+
 * reports for MP4/MOV) gives the angle counter-clockwise, hence the minus; the legacy
 * `rotate` tag (older muxers, some MKV files) is already clockwise.
 */
export function rotationOf(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((side) => typeof side.rotation === 'number');
  const degrees = matrix?.rotation !== undefined ? -matrix.rotation : Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  // Snap to the nearest quarter turn: players (and ffmpeg's autorotate) ignore the rest.
  const quarter = Math.round(degrees / 90);
  return (((quarter % 4) + 4) % 4) * 90;
}

/** Bits per colour sample: 10 for yuv420p10le or p010le, 8 for yuv420p, nv12, rgb24. */
export function bitDepthOf(stream: FfprobeStream): number {
  const pixFmt = stream.pix_fmt ?? '';
  const planar = /p(\d{2})(le|be)$/.exec(pixFmt) ?? /^(?:gray|ya)(\d{2})(le|be)?$/.exec(pixFmt);
  if (planar?.[1]) return Number(planar[1]);
  const packed = /^[pP]0(\d{2})(le|be)?$/.exec(pixFmt);
  if (packed?.[1]) return Number(packed[1]);
  if (/^(rgb|bgr)48|^(rgba|bgra)64/.test(pixFmt)) return 16;
  // An unknown or absent pix_fmt: trust the decoder's sample size, else assume 8.
  return positiveNumber(stream.bits_per_raw_sample) ?? 8;
}

function isRealVideo(stream: FfprobeStream): boolean {
  // Cover art in MP3/M4A files shows up as a one-frame "video" stream; it is not a video.
  return stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1;
}

function checkLimits(info: MediaInfo, limits: ProbeLimits): void {
  if (limits.maxDurationSeconds !== undefined && info.durationSeconds > limits.maxDurationSeconds) {
    throw new MediaError(
      'media_too_long',
      `The video lasts ${info.durationSeconds.toFixed(1)} s; the limit is ${limits.maxDurationSeconds} s`,
    );
  }
  const { maxWidth, maxHeight } = limits;
  if (maxWidth === undefined && maxHeight === undefined) return;
  const limitLong = Math.max(maxWidth ?? 0, maxHeight ?? 0);
  const limitShort = Math.min(maxWidth ?? Infinity, maxHeight ?? Infinity);
  const long = Math.max(info.width, info.height);
  const short = Math.min(info.width, info.height);
  if (long > limitLong || short > limitShort) {
    throw new MediaError(
      'media_too_large',
      `The video is ${info.width}×${info.height}; the limit is ${maxWidth ?? '∞'}×${maxHeight ?? '∞'} (either orientation)`,
    );
  }
}

/**
 * Turns ffprobe's JSON into a MediaInfo, or a MediaError with a stable code. Pure, so the
 * odd cases (anamorphic pixels, rotation, VFR, cover art) are tested without media files.
 *
 * `width`/`height` are what a viewer sees: after the sample aspect ratio is applied and
 * after rotation. The ladder plans from these, and ffmpeg (which autorotates) produces
 * them.
 */
export function parseProbeOutput(output: FfprobeOutput, limits: ProbeLimits = {}): MediaInfo {
  const streams = output.streams ?? [];
  if (streams.length === 0 && !output.format) throw new MediaError('media_unreadable');
  const video = streams.find(isRealVideo);
  if (!video) throw new MediaError('media_no_video_stream');
  const audio = streams.find((stream) => stream.codec_type === 'audio');

  const codedWidth = positiveNumber(video.width);
  const codedHeight = positiveNumber(video.height);
  if (!codedWidth || !codedHeight) {
    throw new MediaError('media_unreadable', 'The video stream has no picture size');
  }

  const durationSeconds = positiveNumber(output.format?.duration) ?? positiveNumber(video.duration);
  if (!durationSeconds) throw new MediaError('media_zero_duration');

  // avg_frame_rate is the honest rate for variable-frame-rate phone footage; r_frame_rate
  // is the container's guess (often the timebase for VFR) and only a fallback.
  const frameRate = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate);
  if (!frameRate) throw new MediaError('media_unreadable', 'The video stream has no frame rate');

  const sar = parseRational(video.sample_aspect_ratio) ?? 1;
  const displayWidth = Math.max(1, Math.round(codedWidth * sar));
  const rotation = rotationOf(video);
  const quarterTurn = rotation === 90 || rotation === 270;

  const info: MediaInfo = {
    durationSeconds,
    width: quarterTurn ? codedHeight : displayWidth,
    height: quarterTurn ? displayWidth : codedHeight,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio ? (audio.codec_name ?? 'unknown') : null,
    frameRate: Math.round(frameRate * 1000) / 1000,
    rotation,
    bitDepth: bitDepthOf(video),
    audioChannels: audio ? (positiveNumber(audio.channels) ?? 0) : 0,
  };
  checkLimits(info, limits);
  return info;
}
