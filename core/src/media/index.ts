/**
 * The transcoding core: framework-free, shared by the Lambda handler and the long-running
 * poller. It works on local files only; downloading sources and uploading outputs belong
 * to the worker.
 */
export { AAC_LC_CODEC, avc1CodecFromInitSegment } from './codec-string.js';
export {
  buildFilterGraph,
  buildTranscodeArgs,
  DEFAULT_ENCODE_SETTINGS,
  formatCommandLine,
  posterOutputArgs,
  renditionsOutputArgs,
  renditionTeeSlave,
  spriteAssembleArgs,
  spriteTilesOutputArgs,
  type EncodeSettings,
  type SinglePassSpec,
} from './ffmpeg-args.js';
export {
  bundledBinary,
  FfmpegNotFoundError,
  findOnPath,
  resolveFfmpegBinaries,
  type FfmpegBinaries,
} from './ffmpeg-binaries.js';
export { runFfmpeg, type RunFfmpegOptions } from './ffmpeg-process.js';
export {
  DEFAULT_RUNGS,
  outputFrameRate,
  planLadder,
  roundEven,
  type LadderOptions,
  type LadderPlan,
  type PlannedRung,
  type RungPreset,
} from './ladder.js';
export { silentLogger, type LogFields, type MediaLogger } from './logger.js';
export { buildMasterPlaylist, type MasterVariant } from './master-playlist.js';
export { isMediaError, MediaError } from './media-error.js';
export { measureBitrates, parseMediaPlaylist, type MeasuredBitrates, type MediaPlaylist } from './media-playlist.js';
export { OUTPUT_FILES, ownedOutputNames, renditionPaths, SPRITE_TILE_PATTERN } from './output-layout.js';
export { ffmpegFileUrl, probe, type ProbeOptions } from './probe.js';
export { parseProbeOutput, type FfprobeOutput, type FfprobeStream, type ProbeLimits } from './probe-parse.js';
export {
  FfmpegProgressParser,
  parseProgressFields,
  progressFromBlock,
  ProgressThrottle,
  type FfmpegProgressBlock,
  type ProgressThrottleOptions,
  type TranscodeProgress,
} from './progress.js';
export { generateSyntheticClip, rotateMetadataArgs, syntheticClipArgs, type SyntheticClip } from './synthetic-media.js';
export {
  layoutSprite,
  planPoster,
  planSprite,
  type PosterOptions,
  type PosterPlan,
  type SpriteLayout,
  type SpriteOptions,
  type SpritePlan,
} from './thumbnails-plan.js';
export { buildThumbnailsVtt, formatVttTime } from './thumbnails-vtt.js';
export { transcode, type TranscodeOptions, type TranscodeRequest, type TranscodeResult } from './transcode.js';
