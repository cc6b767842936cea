// Finding the files to ingest: folders are walked recursively for video files; --include and
// --exclude globs are matched against each file's path relative to the folder given (and,
// for patterns without a slash, against its name alone), so `--exclude '*.sample.mkv'` and
// `--exclude 'extras/**'` both do what they say. Excluded folders are not even entered.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { CliError } from '../errors.js';

export const VIDEO_EXTENSIONS = [
  'mp4',
  'm4v',
  'mkv',
  'mov',
  'webm',
  'avi',
  'ts',
  'mts',
  'm2ts',
  'mpg',
  'mpeg',
  'wmv',
  'flv',
  'ogv',
  '3gp',
];

export interface FoundFile {
  /** Absolute path. */
  path: string;
  /** Relative to the folder it was found in (its own name for files given directly); '/'-separated. */
  relative: string;
  size: number;
  mtimeMs: number;
}

export interface WalkOptions {
  include?: string[];
  exclude?: string[];
}

export interface FileFilter {
  accepts(relativePath: string): boolean;
  /** False for folders that an exclude pattern covers. */
  entersFolder(relativePath: string): boolean;
}

export function fileFilter({ include = [], exclude = [] }: WalkOptions): FileFilter {
  const included = include.length > 0 ? globMatcher(include) : undefined;
  const excluded = exclude.length > 0 ? globMatcher(exclude) : undefined;
  const isVideo = (path: string) => VIDEO_EXTENSIONS.includes(path.toLowerCase().split('.').pop() ?? '');
  return {
    accepts: (path) => (included ? included(path) : isVideo(path)) && !excluded?.(path),
    entersFolder: (path) => !excluded || !(excluded(path) || excluded(`${path}/`)),
  };
}

/** Patterns with a slash match the relative path; patterns without one match any name in it (like .gitignore). */
function globMatcher(patterns: string[]): (path: string) => boolean {
  const options = { dot: true, nocase: true } as const;
  const withSlash = patterns.filter((pattern) => pattern.includes('/'));
  const bare = patterns.filter((pattern) => !pattern.includes('/'));
  const byPath = withSlash.length > 0 ? picomatch(withSlash, options) : () => false;
  const byName = bare.length > 0 ? picomatch(bare, options) : () => false;
  return (path) => byPath(path) || byName(path.split('/').filter(Boolean).pop() ?? path);
}

/** Every accepted file under `inputs`, each once, in a stable order. */
export async function findFiles(inputs: string[], options: WalkOptions = {}): Promise<FoundFile[]> {
  const filter = fileFilter(options);
  const found = new Map<string, FoundFile>();
  for (const input of inputs) {
    const root = resolve(input);
    const info = await stat(root).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${input}: ${error.code === 'ENOENT' ? 'no such file or folder' : error.code}`);
    });
    if (info.isFile()) {
      // A file named on the command line is taken unless excluded (or not a video when no --include).
      const name = basename(root);
      if (filter.accepts(name)) found.set(root, { path: root, relative: name, size: info.size, mtimeMs: info.mtimeMs });
      continue;
    }
    for await (const file of walk(root, root, filter)) if (!found.has(file.path)) found.set(file.path, file);
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

async function* walk(root: string, folder: string, filter: FileFilter): AsyncGenerator<FoundFile> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // Linked files are taken; linked folders are not walked (no loops, no surprises).
      const target = await stat(path).catch(() => undefined);
      isDirectory = false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) {
      // Hidden folders (.git, .aleflix, a NAS's .@__thumb) are never media libraries.
      if (entry.name.startsWith('.') || !filter.entersFolder(rel)) continue;
      yield* walk(root, path, filter);
    } else if (isFile && !entry.name.startsWith('.') && filter.accepts(rel)) {
      const info = await stat(path);
      yield { path, relative: rel, size: info.size, mtimeMs: info.mtimeMs };
    }
  }
}
