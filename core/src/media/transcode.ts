import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { MediaInfo, Rendition } from '../messages/messages.js';
import { AAC_LC_CODEC, avc1CodecFromInitSegment } from './codec-string.js';
import { buildTranscodeArgs, formatCommandLine, spriteAssembleArgs, type EncodeSettings } from './ffmpeg-args.js';
import { resolveFfmpegBinaries, type FfmpegBinaries } from './ffmpeg-binaries.js';
import { ffmpegFeatures } from './ffmpeg-features.js';
import { runFfmpeg } from './ffmpeg-process.js';
import { planLadder, type LadderOptions, type LadderPlan, type PlannedRung } from './ladder.js';
import { silentLogger, type MediaLogger } from './logger.js';
import { buildMasterPlaylist, type MasterVariant } from './master-playlist.js';
import { MediaError } from './media-error.js';
import { measureBitrates, parseMediaPlaylist } from './media-playlist.js';
import { OUTPUT_FILES, ownedOutputNames, renditionPaths } from './output-layout.js';
import { ffmpegFileUrl, probe } from './probe.js';
import type { ProbeLimits } from './probe-parse.js';
import { ProgressThrottle, progressFromBlock, type TranscodeProgress } from './progress.js';
import {
  layoutSprite,
  planPoster,
  planSprite,
  type PosterOptions,
  type SpriteOptions,
  type SpritePlan,
} from './thumbnails-plan.js';
import { buildThumbnailsVtt } from './thumbnails-vtt.js';
import { inSpan } from './tracing.js';

export interface TranscodeOptions {
  /** Refuse sources beyond these (media_too_long / media_too_large). */
  limits?: ProbeLimits;
  ladder?: LadderOptions;
  encode?: Partial<EncodeSettings>;
  /** `false` skips the poster. */
  poster?: PosterOptions | false;
  /** `false` skips the thumbnail sprite and its VTT. */
  sprite?: SpriteOptions | false;
  /** Kill ffmpeg after this long; defaults to 20× the duration, at least 10 minutes. */
  timeoutMs?: number;
  binaries?: FfmpegBinaries;
  /** Shortest gap between two onProgress calls (the final 100 % always comes). */
  progressIntervalMs?: number;
  /** Milliseconds clock for the progress throttle; injected by tests. */
  now?: () => number;
}

export interface TranscodeRequest {
  /** The source, already on local disk (downloading it is the worker's job). */
  inputPath: string;
  /** Where outputs go. Owned by the caller; only the names in OUTPUT_FILES and the rung directories are touched. */
  workDir: string;
  logger?: MediaLogger;
  onProgress?: (progress: TranscodeProgress) => void;
  /** Aborting stops ffmpeg and rejects with `transcode_cancelled`. */
  signal?: AbortSignal;
  options?: TranscodeOptions;
  /** Added to the encode span, so a trace shows whose encode it was (the worker passes the job and asset ids). */
  traceAttributes?: Record<string, string | number>;
}

/** Everything the `ready` event needs; every path is relative to the work directory. */
export interface TranscodeResult {
  media: MediaInfo;
  /** Highest first, like the master playlist. */
  renditions: Rendition[];
  masterPlaylist: string;
  poster: string | null;
  thumbnails: { sprite: string; vtt: string } | null;
  /** Wall time of the ffmpeg pass. */
  encodeSeconds: number;
  /** Every file written, in a safe upload order: segments before playlists, master last. */
  files: string[];
}

interface CollectedRendition {
  rendition: Rendition;
  variant: MasterVariant;
  files: string[];
}

function toMediaError(error: unknown, signal: AbortSignal | undefined): MediaError {
  if (error instanceof MediaError) return error;
  if (signal?.aborted) return new MediaError('transcode_cancelled', undefined, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new MediaError('transcode_failed', message, { cause: error });
}

/** Deletes what a (possibly partial) run wrote, and nothing else in the work directory. */
async function removeOwnedOutputs(workDir: string): Promise<void> {
  await Promise.all(ownedOutputNames().map((name) => rm(join(workDir, name), { recursive: true, force: true })));
}

/** The cleanup must never delete the source, so a source stored under an output name is refused. */
function assertSourceOutsideOutputs(inputPath: string, workDir: string): void {
  const source = resolve(inputPath);
  for (const name of ownedOutputNames()) {
    const owned = join(workDir, name);
    if (source === owned || source.startsWith(owned + sep)) {
      throw new MediaError('transcode_failed', `The source ${source} sits where an output goes (${name})`);
    }
  }
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isFile() && stats.size > 0,
    () => false,
  );
}

/**
 * Checks one rendition's output and describes it: the playlist must be complete, its init
 * segment must carry an avcC box (the CODECS string comes from it), and the segment sizes
 * give the measured bitrates.
 */
async function collectRendition(workDir: string, rung: PlannedRung, plan: LadderPlan): Promise<CollectedRendition> {
  const paths = renditionPaths(rung.name);
  const fail = (why: string) => new MediaError('transcode_failed', `Rendition ${rung.name}: ${why}`);
  const playlist = parseMediaPlaylist(await readFile(join(workDir, paths.playlist), 'utf8'));
  if (!playlist.ended || playlist.segments.length === 0 || !playlist.initUri) {
    throw fail('the playlist is incomplete');
  }
  const inDir = (uri: string) => join(dirname(paths.playlist), uri).split(sep).join('/');
  const init = inDir(playlist.initUri);
  const videoCodec = avc1CodecFromInitSegment(await readFile(join(workDir, init)));
  if (!videoCodec) throw fail('no H.264 configuration in the init segment');
  const segments = await Promise.all(
    playlist.segments.map(async (segment) => ({
      path: inDir(segment.uri),
      durationSeconds: segment.durationSeconds,
      bytes: (await stat(join(workDir, inDir(segment.uri)))).size,
    })),
  );

  const audioBitrate = plan.audio?.bitrate ?? 0;
  const measured = measureBitrates(segments);
  // The declared peak is what the encoder was allowed; the measured one includes container
  // overhead. BANDWIDTH must cover both or strict players and validators complain.
  const bandwidth = Math.ceil(Math.max(rung.maxrate + audioBitrate, measured?.peak ?? 0));
  const averageBandwidth = measured?.average ?? rung.videoBitrate + audioBitrate;
  const codecs = plan.audio ? `${videoCodec},${AAC_LC_CODEC}` : videoCodec;
  return {
    rendition: { name: rung.name, width: rung.width, height: rung.height, bandwidth, codecs, playlist: paths.playlist },
    variant: {
      uri: paths.playlist,
      bandwidth,
      averageBandwidth,
      width: rung.width,
      height: rung.height,
      codecs,
      frameRate: plan.frameRate,
    },
    files: [...segments.map((segment) => segment.path), init, paths.playlist],
  };
}

/**
 * Tiles the thumbnails the main pass wrote into the sprite, writes the VTT that indexes it,
 * and drops the scratch tiles. Null when there were no tiles.
 */
async function assembleSprite(
  workDir: string,
  sprite: SpritePlan,
  media: MediaInfo,
  binaries: FfmpegBinaries,
  signal: AbortSignal | undefined,
): Promise<TranscodeResult['thumbnails']> {
  const tilesDir = join(workDir, OUTPUT_FILES.spriteTilesDir);
  const count = (await readdir(tilesDir)).filter((name) => name.endsWith('.png')).length;
  if (count === 0) return null;
  const layout = layoutSprite(sprite, count);
  await runFfmpeg({
    binary: binaries.ffmpeg,
    args: spriteAssembleArgs(layout),
    cwd: workDir,
    ...(signal ? { signal } : {}),
    timeoutMs: 120_000,
  });
  await rm(tilesDir, { recursive: true, force: true });
  if (!(await fileExists(join(workDir, OUTPUT_FILES.sprite)))) return null;
  await writeFile(
    join(workDir, OUTPUT_FILES.thumbnailsVtt),
    buildThumbnailsVtt(layout, media.durationSeconds, OUTPUT_FILES.sprite),
  );
  return { sprite: OUTPUT_FILES.sprite, vtt: OUTPUT_FILES.thumbnailsVtt };
}

/**
 * Source file → HLS ladder, poster, thumbnail sprite and master playlist, on local disk.
 *
 * probe → plan → ONE ffmpeg pass (every rendition, the poster and the sprite's tiles from a
 * single decode) → check outputs → tile the sprite (a tiny second ffmpeg run over the
 * thumbnails, not the source) and write its VTT → master playlist, written last so that anything
 * watching the directory never sees a master pointing at missing renditions. On any
 * failure the outputs are removed and a MediaError is thrown.
 */
export async function transcode(request: TranscodeRequest): Promise<TranscodeResult> {
  const { inputPath, signal, onProgress } = request;
  const logger = request.logger ?? silentLogger;
  const options = request.options ?? {};
  const workDir = resolve(request.workDir);

  // Outside the try: its catch deletes the outputs, which here would include the source.
  assertSourceOutsideOutputs(inputPath, workDir);
  try {
    const binaries = options.binaries ?? resolveFfmpegBinaries();
    const media = await probe(inputPath, { ...options.limits, binaries, ...(signal ? { signal } : {}) });
    const plan = planLadder(media, options.ladder);
    const poster = options.poster === false ? null : planPoster(media, options.poster);
    const sprite = options.sprite === false ? null : planSprite(media, options.sprite);
    logger.info('transcode: planned', {
      media,
      rungs: plan.rungs.map(
        (rung) => `${rung.name} ${rung.width}x${rung.height} ${Math.round(rung.videoBitrate / 1000)}k`,
      ),
      frameRate: plan.frameRate,
      audio: plan.audio,
    });

    await removeOwnedOutputs(workDir);
    // ffmpeg's HLS and image muxers do not create directories.
    const dirs: string[] = plan.rungs.map((rung) => renditionPaths(rung.name).dir);
    if (sprite) dirs.push(OUTPUT_FILES.spriteTilesDir);
    await Promise.all(dirs.map((dir) => mkdir(join(workDir, dir), { recursive: true })));

    const features = await ffmpegFeatures(binaries.ffmpeg);
    const args = buildTranscodeArgs({
      input: ffmpegFileUrl(inputPath),
      plan,
      poster,
      sprite,
      legacyVsync: !features.fpsMode,
      ...(options.encode ? { settings: options.encode } : {}),
    });
    logger.info('transcode: encoding', { command: formatCommandLine(binaries.ffmpeg, args), cwd: workDir });

    const throttle = new ProgressThrottle((progress) => onProgress?.(progress), {
      ...(options.progressIntervalMs !== undefined ? { intervalMs: options.progressIntervalMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    let lastSpeed: number | null = null;
    const renditionNames = plan.rungs.map((rung) => rung.name);
    const encodeSeconds = await inSpan(
      'encode',
      {
        ...request.traceAttributes,
        'aleflix.renditions': renditionNames,
        'aleflix.rendition_count': renditionNames.length,
        'aleflix.media.duration_seconds': media.durationSeconds,
      },
      async (span) => {
        const started = performance.now();
        await runFfmpeg({
          binary: binaries.ffmpeg,
          args,
          cwd: workDir,
          ...(signal ? { signal } : {}),
          timeoutMs: options.timeoutMs ?? Math.max(10 * 60_000, media.durationSeconds * 20_000),
          onProgress: (block) => {
            lastSpeed = block.speed ?? lastSpeed;
            throttle.push(progressFromBlock(block, media.durationSeconds));
          },
        });
        const seconds = Math.round((performance.now() - started) / 10) / 100;
        span.setAttribute('aleflix.encode_seconds', seconds);
        // Media seconds encoded per wall-clock second: above 1 is faster than real time.
        if (seconds > 0) span.setAttribute('aleflix.realtime_factor', media.durationSeconds / seconds);
        return seconds;
      },
    );
    signal?.throwIfAborted();

    const collected = await Promise.all(plan.rungs.map((rung) => collectRendition(workDir, rung, plan)));
    const files = collected.flatMap((rendition) => rendition.files);

    let posterPath: string | null = null;
    if (poster) {
      if (await fileExists(join(workDir, OUTPUT_FILES.poster))) {
        posterPath = OUTPUT_FILES.poster;
        files.push(posterPath);
      } else {
        logger.warn('transcode: ffmpeg wrote no poster; continuing without one', { atSeconds: poster.timeSeconds });
      }
    }

    let thumbnails: TranscodeResult['thumbnails'] = null;
    if (sprite) {
      thumbnails = await assembleSprite(workDir, sprite, media, binaries, signal);
      if (thumbnails) files.push(thumbnails.sprite, thumbnails.vtt);
      else logger.warn('transcode: ffmpeg wrote no sprite tiles; continuing without thumbnails');
    }

    signal?.throwIfAborted();
    await writeFile(join(workDir, OUTPUT_FILES.master), buildMasterPlaylist(collected.map((c) => c.variant)));
    files.push(OUTPUT_FILES.master);

    throttle.finish({ speed: lastSpeed, etaSeconds: 0 });
    logger.info('transcode: done', { encodeSeconds, renditions: collected.length, files: files.length });
    return {
      media,
      renditions: collected.map((c) => c.rendition),
      masterPlaylist: OUTPUT_FILES.master,
      poster: posterPath,
      thumbnails,
      encodeSeconds,
      files,
    };
  } catch (error) {
    const mediaError = toMediaError(error, signal);
    await removeOwnedOutputs(workDir).catch((cleanupError: unknown) =>
      logger.warn('transcode: could not remove partial outputs', { error: String(cleanupError) }),
    );
    logger.error('transcode: failed', { code: mediaError.code, message: mediaError.message });
    throw mediaError;
  }
}
