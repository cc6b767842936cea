import type { LadderPlan, PlannedRung } from './ladder.js';
import { OUTPUT_FILES, renditionPaths, SPRITE_TILE_PATTERN } from './output-layout.js';
import type { PosterPlan, SpriteLayout, SpritePlan } from './thumbnails-plan.js';

/** Encoder knobs that are not about the ladder itself. */
export interface EncodeSettings {
  /** libx264 preset: `veryfast` is the usual VOD trade-off on small machines. */
  preset: string;
  /** Target HLS segment length; keyframes are forced on this grid in every rendition. */
  segmentSeconds: number;
  /** Natural GOP length, so seeks inside a segment stay cheap; divides segmentSeconds. */
  keyframeIntervalSeconds: number;
}

export const DEFAULT_ENCODE_SETTINGS: EncodeSettings = {
  preset: 'veryfast',
  segmentSeconds: 4,
  keyframeIntervalSeconds: 2,
};

export interface SinglePassSpec {
  /** What ffmpeg reads: a `file:` URL (see ffmpegFileUrl) or anything ffmpeg accepts. */
  input: string;
  plan: LadderPlan;
  poster: PosterPlan | null;
  sprite: SpritePlan | null;
  settings?: Partial<EncodeSettings>;
  /** Set for ffmpeg builds older than 5.1, which lack `-fps_mode` (see ffmpegFeatures). */
  legacyVsync?: boolean;
}

/** `5000000` → `5000k`: what a person would type, and stable in snapshots. */
function kbps(bitsPerSecond: number): string {
  return `${Math.round(bitsPerSecond / 1000)}k`;
}

/**
 * The filter graph: the decoded video is split once, between the ladder, the poster and
 * the sprite's tiles.
 *
 * The ladder is a cascade: each rung is scaled from the rung above it, not from the
 * source. Scaling runs on ffmpeg's main thread, which every encoder waits on; from the
 * next rung up it costs about half as much as from the source (measured: 3.1 s instead of
 * 6.8 s of CPU for 20 s of 1080p to 720/480/360/240), for an SSIM difference under 0.001.
 *
 * `format=yuv420p` makes 10-bit and 4:2:2 sources 8-bit 4:2:0, the only H.264 every player
 * decodes (the lower rungs inherit it); `setsar=1` because outputs have square pixels (the
 * ladder already sized them for the display aspect ratio). Rotation needs nothing here:
 * ffmpeg autorotates the input before the graph, and the plan's sizes are the displayed ones.
 */
export function buildFilterGraph(spec: Pick<SinglePassSpec, 'plan' | 'poster' | 'sprite'>): string {
  const { plan, poster, sprite } = spec;
  const consumers = ['[ladder]'];
  const chains: string[] = plan.rungs.map((rung, i) => {
    const from = i === 0 ? '[ladder]' : `[next${i - 1}]`;
    const format = i === 0 ? ',format=yuv420p' : '';
    const to = i === plan.rungs.length - 1 ? `[v${i}]` : `,split=2[v${i}][next${i}]`;
    return `${from}scale=${rung.width}:${rung.height},setsar=1${format}${to}`;
  });
  if (poster) {
    // Two frames: the first one straight away, then the one at the poster time, written
    // over it (`-update 1`). ffmpeg prints no progress until every output has written
    // its header, so an output that stays silent until 10 % of the video (or, for the
    // sprite, until the end) would blind the progress bar. Timestamps restart at 0 so the
    // time means "into the video" even when the source's first timestamp is not 0.
    consumers.push('[stills]');
    chains.push(
      `[stills]setpts=PTS-STARTPTS,select='eq(selected_n,0)+gte(t,${poster.timeSeconds})*eq(selected_n,1)',` +
        `scale=${poster.width}:${poster.height},setsar=1,format=yuvj420p[poster]`,
    );
  }
  if (sprite) {
    // One small PNG per tile, as they come; a second, tiny ffmpeg run tiles them (see
    // spriteAssembleArgs). `select` takes the first frame at or after each multiple of the
    // interval, exactly what the VTT cues promise (fps=1/N rounds to the nearest frame).
    consumers.push('[thumbs]');
    chains.push(
      `[thumbs]setpts=PTS-STARTPTS,select='gte(t,${sprite.intervalSeconds}*selected_n)',` +
        `scale=${sprite.tileWidth}:${sprite.tileHeight},setsar=1[tiles]`,
    );
  }
  // `V`, not `v`: the first real video stream, never cover art (the stream probe() described).
  const fps = plan.frameRateReduced ? `fps=${plan.frameRate},` : '';
  return [`[0:V:0]${fps}split=${consumers.length}${consumers.join('')}`, ...chains].join(';');
}

/**
 * A tee muxer slave option value. The tee target is unescaped twice (once when split on
 * `|`, once per `:`-separated option), hence quotes that survive the first pass as `\'`.
 */
function teeValue(value: string): string {
  if (/['\\|[\]]/.test(value)) throw new Error(`Unsupported character in tee option ${JSON.stringify(value)}`);
  return /[:=]/.test(value) ? `\\'${value}\\'` : value;
}

/** The HLS muxer of one rendition, as a slave of the tee output. */
export function renditionTeeSlave(
  rung: PlannedRung,
  index: number,
  hasAudio: boolean,
  settings: EncodeSettings,
): string {
  const paths = renditionPaths(rung.name);
  const options: Array<[string, string]> = [
    // Its own video stream, and the one shared audio stream.
    ['select', hasAudio ? `v:${index},a` : `v:${index}`],
    ['f', 'hls'],
    ['hls_time', String(settings.segmentSeconds)],
    ['hls_playlist_type', 'vod'],
    ['hls_segment_type', 'fmp4'],
    ['hls_flags', 'independent_segments'],
    ['hls_fmp4_init_filename', paths.initName],
    ['hls_segment_filename', paths.segmentPattern],
  ];
  return `[${options.map(([key, value]) => `${key}=${teeValue(value)}`).join(':')}]${paths.playlist}`;
}

/**
 * Every rendition as ONE output of H.264 streams plus one AAC stream, fanned out by the
 * tee muxer to one HLS muxer per rendition (own playlist, own init segment). The audio is
 * encoded once for all of them (AAC also runs on the main thread: 0.75 s of CPU per copy
 * for 20 s), and no `-var_stream_map`, which some ffmpeg builds crash on.
 */
export function renditionsOutputArgs(plan: LadderPlan, settings: EncodeSettings): string[] {
  const gop = String(Math.max(1, Math.round(plan.frameRate * settings.keyframeIntervalSeconds)));
  const maps = plan.rungs.flatMap((_, i) => ['-map', `[v${i}]`]);
  // prettier-ignore
  const video = [
    '-c:v', 'libx264',
    '-preset:v', settings.preset,
    // High is a ceiling, not a promise: x264 signals what it used (read back from init.mp4).
    '-profile:v', 'high',
    // Same frames, same GOP, no scene-cut keyframes and keyframes forced on the segment
    // grid: every rendition cuts its segments at the same instants, so players can switch
    // renditions at any segment boundary.
    '-g:v', gop,
    '-keyint_min:v', gop,
    '-sc_threshold:v', '0',
    '-force_key_frames:v', `expr:gte(t,n_forced*${settings.segmentSeconds})`,
    // SPS/PPS in the encoder's extradata, so each init.mp4 carries them in its avcC box.
    // ffmpeg 5+ asks for this through the tee muxer itself; older builds need it spelled out.
    '-flags:v', '+global_header',
  ];
  // prettier-ignore
  const rates = plan.rungs.flatMap((rung, i) => [
    `-b:v:${i}`, kbps(rung.videoBitrate),
    `-maxrate:v:${i}`, kbps(rung.maxrate),
    `-bufsize:v:${i}`, kbps(rung.bufsize),
  ]);
  const audio = plan.audio
    ? // prettier-ignore
      ['-map', '0:a:0', '-c:a', 'aac', '-flags:a', '+global_header', '-b:a', kbps(plan.audio.bitrate), '-ac', String(plan.audio.channels)]
    : [];
  const slaves = plan.rungs.map((rung, i) => renditionTeeSlave(rung, i, plan.audio !== null, settings));
  // prettier-ignore
  return [
    ...maps,
    ...video,
    ...rates,
    ...audio,
    // Phone videos carry GPS positions and device names in their metadata: not ours to publish.
    '-map_metadata', '-1',
    '-map_chapters', '-1',
    '-f', 'tee', slaves.join('|'),
  ];
}

/**
 * Frames pass with their own timestamps, none duplicated or dropped. Old ffmpeg only has the
 * global `-vsync`: there it also reaches the renditions, which then keep the source's frame
 * timing (still aligned across renditions, as every rung encodes the same frames).
 */
function passthroughFrames(legacyVsync: boolean): string[] {
  return legacyVsync ? ['-vsync', 'passthrough'] : ['-fps_mode', 'passthrough'];
}

/**
 * The poster: both frames of its branch go to the same file, the second overwriting the
 * first. `passthrough` keeps ffmpeg from filling the gap between them with duplicates.
 */
export function posterOutputArgs(legacyVsync = false): string[] {
  // prettier-ignore
  return [
    '-map', '[poster]', '-frames:v', '2', ...passthroughFrames(legacyVsync),
    '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1', OUTPUT_FILES.poster,
  ];
}

/** The sprite's tiles, numbered files in a scratch directory (PNG: they are compressed once, later). */
export function spriteTilesOutputArgs(sprite: SpritePlan, legacyVsync = false): string[] {
  // prettier-ignore
  return [
    '-map', '[tiles]', '-frames:v', String(sprite.maxTiles), ...passthroughFrames(legacyVsync),
    '-c:v', 'png', '-f', 'image2', SPRITE_TILE_PATTERN,
  ];
}

/**
 * Second ffmpeg run: the tiles into one JPEG grid. It reads a hundred thumbnails at most,
 * not the source, so it costs a process start and a few milliseconds.
 */
export function spriteAssembleArgs(layout: SpriteLayout): string[] {
  // prettier-ignore
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-f', 'image2', '-framerate', '1', '-start_number', '1', '-i', SPRITE_TILE_PATTERN,
    '-vf', `tile=${layout.columns}x${layout.rows},format=yuvj420p`,
    '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', '-update', '1', OUTPUT_FILES.sprite,
  ];
}

/**
 * The whole job as ONE ffmpeg process: decode once, encode every rendition, and take the
 * poster and the sprite's tiles from the same decoded frames. Output paths are relative:
 * ffmpeg runs in the work directory.
 */
export function buildTranscodeArgs(spec: SinglePassSpec): string[] {
  const settings = { ...DEFAULT_ENCODE_SETTINGS, ...spec.settings };
  // prettier-ignore
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel', 'error',
    // Machine-readable progress on stdout; stderr keeps only errors (quoted on failure).
    '-progress', 'pipe:1',
    '-nostats',
    '-i', spec.input,
    '-filter_complex', buildFilterGraph(spec),
    ...renditionsOutputArgs(spec.plan, settings),
    ...(spec.poster ? posterOutputArgs(spec.legacyVsync) : []),
    ...(spec.sprite ? spriteTilesOutputArgs(spec.sprite, spec.legacyVsync) : []),
  ];
}

/** A copy-pasteable shell line for logs and the benchmark (POSIX single quotes). */
export function formatCommandLine(binary: string, args: readonly string[]): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
  return [binary, ...args].map(quote).join(' ');
}
