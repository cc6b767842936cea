import { RENDITION_NAMES, type RenditionName } from '../messages/messages.js';

/**
 * Names of everything transcode() writes, relative to its work directory. They double as
 * storage keys under the job's output prefix, so they are short, fixed and URL-safe. The
 * work directory may hold other things (the worker downloads the source there); only
 * these names are ever created or deleted.
 */
export const OUTPUT_FILES = {
  master: 'master.m3u8',
  poster: 'poster.jpg',
  sprite: 'sprite.jpg',
  /** Beside the sprite, so its cues can name it without a directory. */
  thumbnailsVtt: 'thumbnails.vtt',
  /** Scratch: the sprite's tiles, one PNG each, assembled into the sprite then deleted. */
  spriteTilesDir: 'sprite-tiles',
} as const;

/** ffmpeg's pattern for the tiles (its image2 muxer numbers from 1). */
export const SPRITE_TILE_PATTERN = `${OUTPUT_FILES.spriteTilesDir}/%05d.png`;

/** Per-rendition files, all inside a directory named after the rung (`720p/`). */
export function renditionPaths(name: RenditionName) {
  return {
    dir: name,
    playlist: `${name}/index.m3u8`,
    /** As written into the media playlist (relative to it). */
    initName: 'init.mp4',
    init: `${name}/init.mp4`,
    /** ffmpeg's pattern; five digits keep lexical order for 110 hours of 4 s segments. */
    segmentPattern: `${name}/seg_%05d.m4s`,
  };
}

/** Every top-level name transcode() owns in a work directory: cleaned before and after a failed run. */
export function ownedOutputNames(): string[] {
  return [...RENDITION_NAMES, ...Object.values(OUTPUT_FILES)];
}
