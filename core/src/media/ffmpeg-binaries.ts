import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join } from 'node:path';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

/** Thrown when ffmpeg or ffprobe cannot be found: a deployment problem, not a media one. */
export class FfmpegNotFoundError extends Error {
  override readonly name = 'FfmpegNotFoundError';
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** First `name` on PATH that is an executable file, like `command -v`. */
export function findOnPath(name: string, pathVariable: string | undefined): string | null {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory; we never want to run a binary
    // that happens to sit in the worker's cwd, so skip it (and relative entries).
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function resolveOne(
  name: 'ffmpeg' | 'ffprobe',
  envName: string,
  env: NodeJS.ProcessEnv,
  bundled: (name: 'ffmpeg' | 'ffprobe') => string | null,
): string {
  const configured = env[envName];
  if (configured) {
    // An explicit setting that points nowhere is a mistake to report, not a reason to
    // quietly run some other ffmpeg found on PATH.
    if (!isExecutableFile(configured)) {
      throw new FfmpegNotFoundError(`${envName}=${configured} is not an executable file`);
    }
    return configured;
  }
  const found = findOnPath(name, env.PATH) ?? bundled(name);
  if (!found) {
    throw new FfmpegNotFoundError(
      `${name} not found: install it (Debian: apt-get install ffmpeg) or set ${envName} to the binary`,
    );
  }
  return found;
}

const BUNDLED_PACKAGES = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' } as const;

/**
 * The binary of the optional npm package (`@ffmpeg-installer/ffmpeg`, `@ffprobe-installer/ffprobe`)
 * when it is installed for this platform: a machine without ffmpeg still transcodes. Its
 * ffmpeg is a 2018 build; the transcoder avoids `-var_stream_map`, which crashes it.
 */
export function bundledBinary(name: 'ffmpeg' | 'ffprobe'): string | null {
  try {
    const { path } = createRequire(import.meta.url)(BUNDLED_PACKAGES[name]) as { path?: unknown };
    return typeof path === 'string' && isExecutableFile(path) ? path : null;
  } catch {
    // Not installed (`npm ci --omit=optional`) or no build for this platform.
    return null;
  }
}

/**
 * Where ffmpeg and ffprobe are: FFMPEG_PATH / FFPROBE_PATH when set, else the first ones on
 * PATH, else the ones from the optional npm packages. Resolved per call (it is a couple of stat calls) so tests and workers can change the
 * environment without a module-level cache getting in the way.
 */
export function resolveFfmpegBinaries(
  env: NodeJS.ProcessEnv = process.env,
  bundled: (name: 'ffmpeg' | 'ffprobe') => string | null = bundledBinary,
): FfmpegBinaries {
  return {
    ffmpeg: resolveOne('ffmpeg', 'FFMPEG_PATH', env, bundled),
    ffprobe: resolveOne('ffprobe', 'FFPROBE_PATH', env, bundled),
  };
}
