// The plan: which files to ingest and what each becomes in the catalog, from the manifest
// when it lists the file and from the file's name otherwise. Bad manifest rows turn into
// failures with their line numbers; they never stop the other files.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { loadManifest, type ManifestEntry } from './manifest.js';
import { generatedExternalId, parseFileName } from './names.js';
import { findFiles, type FoundFile, type WalkOptions } from './walk.js';

export interface EpisodeTarget {
  season: number;
  number: number;
  name: string;
  synopsis?: string;
  externalId?: string;
}

/** What a file becomes: a movie, or an episode of a series (upserted by externalId). */
export interface TitleTarget {
  kind: 'movie' | 'series';
  externalId: string;
  name: string;
  synopsis?: string;
  year?: number;
  genres?: string[];
  posterRef?: string;
  episode?: EpisodeTarget;
  /** Where the metadata came from: "manifest line 3" or "file name". */
  source: string;
}

export interface PlannedFile extends FoundFile {
  /** How the file is shown: relative to the working folder when inside it. */
  display: string;
  target: TitleTarget;
}

export interface PlanFailure {
  file: string;
  reason: string;
  line?: number;
}

export interface Plan {
  files: PlannedFile[];
  failures: PlanFailure[];
  warnings: string[];
  bytes: number;
}

export interface PlanOptions extends WalkOptions {
  inputs: string[];
  manifest?: string;
  cwd?: string;
}

export async function buildPlan(options: PlanOptions): Promise<Plan> {
  const cwd = options.cwd ?? process.cwd();
  const display = (path: string) => {
    const rel = relative(cwd, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
  };
  const found = await findFiles(
    options.inputs.map((input) => resolve(cwd, input)),
    options,
  );
  const failures: PlanFailure[] = [];
  const warnings: string[] = [];
  const fromManifest = new Map<string, ManifestEntry>();
  const failed = new Set<string>();

  if (options.manifest) {
    const manifestPath = resolve(cwd, options.manifest);
    const manifest = await loadManifest(manifestPath);
    warnings.push(...manifest.warnings);
    const locate = matcher(found, dirname(manifestPath));
    for (const problem of manifest.problems) {
      const file = problem.file ? locate(problem.file) : undefined;
      if (file && typeof file !== 'string') failed.add(file.path);
      failures.push({
        file: file && typeof file !== 'string' ? display(file.path) : (problem.file ?? '(no file)'),
        reason: `manifest line ${problem.line}: ${problem.message}`,
        line: problem.line,
      });
    }
    const lineOf = new Map<string, number>();
    for (const entry of manifest.entries) {
      const file = locate(entry.file);
      if (typeof file === 'string') {
        if (file === 'elsewhere') {
          warnings.push(
            `manifest line ${entry.line}: ${entry.file} is not among the files to ingest (excluded or outside the given paths)`,
          );
        } else {
          failures.push({ file: entry.file, reason: `manifest line ${entry.line}: ${file}`, line: entry.line });
        }
        continue;
      }
      const earlier = lineOf.get(file.path);
      if (earlier !== undefined) {
        failures.push({
          file: display(file.path),
          reason: `manifest line ${entry.line}: the file is already on line ${earlier}`,
          line: entry.line,
        });
        continue;
      }
      lineOf.set(file.path, entry.line);
      if (!failed.has(file.path)) fromManifest.set(file.path, entry);
    }
  }

  const files: PlannedFile[] = [];
  for (const file of found) {
    if (failed.has(file.path)) continue;
    const entry = fromManifest.get(file.path);
    files.push({
      ...file,
      display: display(file.path),
      target: entry ? targetFromEntry(entry) : targetFromName(file.relative),
    });
  }
  return { files, failures, warnings, bytes: files.reduce((sum, file) => sum + file.size, 0) };
}

/** Finds a manifest row's file among the found ones: by path from the manifest's folder, else by a unique bare name. */
function matcher(found: FoundFile[], base: string) {
  const byPath = new Map(found.map((file) => [file.path, file]));
  const byName = new Map<string, FoundFile[]>();
  for (const file of found) byName.set(basename(file.path), [...(byName.get(basename(file.path)) ?? []), file]);
  return (written: string): FoundFile | string => {
    const absolute = resolve(base, written);
    const exact = byPath.get(absolute);
    if (exact) return exact;
    if (!/[\\/]/.test(written)) {
      const candidates = byName.get(written) ?? [];
      if (candidates.length === 1) return candidates[0]!;
      if (candidates.length > 1) return `${written} matches ${candidates.length} files; give its path`;
    }
    return existsSync(absolute) ? 'elsewhere' : `file not found: ${written}`;
  };
}

export function targetFromEntry(entry: ManifestEntry): TitleTarget {
  const source = `manifest line ${entry.line}`;
  const shared = {
    ...(entry.year !== undefined ? { year: entry.year } : {}),
    ...(entry.genres ? { genres: entry.genres } : {}),
    ...(entry.poster ? { posterRef: entry.poster } : {}),
    source,
  };
  if (entry.series) {
    const episode = entry.episode ?? 0;
    return {
      kind: 'series',
      name: entry.series,
      externalId: entry.externalId ?? generatedExternalId('series', entry.series),
      ...shared,
      episode: {
        season: entry.season ?? 0,
        number: episode,
        name: entry.title ?? `Episode ${episode}`,
        ...(entry.synopsis ? { synopsis: entry.synopsis } : {}),
        ...(entry.episodeExternalId ? { externalId: entry.episodeExternalId } : {}),
      },
    };
  }
  const name = entry.title ?? basename(entry.file);
  return {
    kind: 'movie',
    name,
    externalId: entry.externalId ?? generatedExternalId('movie', name, entry.year),
    ...(entry.synopsis ? { synopsis: entry.synopsis } : {}),
    ...shared,
  };
}

export function targetFromName(relativePath: string): TitleTarget {
  const parsed = parseFileName(relativePath);
  const source = 'file name';
  if (parsed.kind === 'series') {
    return {
      kind: 'series',
      name: parsed.series,
      externalId: generatedExternalId('series', parsed.series),
      ...(parsed.year ? { year: parsed.year } : {}),
      episode: {
        season: parsed.season,
        number: parsed.episode,
        name: parsed.episodeTitle ?? `Episode ${parsed.episode}`,
      },
      source,
    };
  }
  return {
    kind: 'movie',
    name: parsed.name,
    externalId: generatedExternalId('movie', parsed.name, parsed.year),
    ...(parsed.year ? { year: parsed.year } : {}),
    source,
  };
}
