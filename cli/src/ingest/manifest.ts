// The metadata manifest: CSV (a header row, then one file per row) or JSON (an array of
// objects, or { "files": [...] }). Each row is checked on its own; a bad row becomes a
// problem with its line number and the others go on.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CliError } from '../errors.js';

export interface ManifestEntry {
  /** 1-based line of the row in the manifest. */
  line: number;
  /** As written: relative to the manifest's folder, absolute, or a bare file name. */
  file: string;
  /** The movie's name, or the episode's name on a series row. */
  title?: string;
  synopsis?: string;
  year?: number;
  genres?: string[];
  /** Makes the row an episode of this series; season and episode are then required. */
  series?: string;
  season?: number;
  episode?: number;
  /** The title's (movie's or series') external id. */
  externalId?: string;
  episodeExternalId?: string;
  /** Poster image: a URL or storage key (posterRef). */
  poster?: string;
}

export interface ManifestProblem {
  line: number;
  message: string;
  file?: string;
}

export interface ParsedManifest {
  entries: ManifestEntry[];
  problems: ManifestProblem[];
  warnings: string[];
}

/** Column names people write, folded to lower case without separators. */
const ALIASES: Record<string, keyof Omit<ManifestEntry, 'line'> | 'episodeTitle'> = {
  file: 'file',
  path: 'file',
  filename: 'file',
  title: 'title',
  name: 'title',
  episodetitle: 'episodeTitle',
  synopsis: 'synopsis',
  description: 'synopsis',
  overview: 'synopsis',
  year: 'year',
  genres: 'genres',
  genre: 'genres',
  series: 'series',
  show: 'series',
  seriestitle: 'series',
  season: 'season',
  episode: 'episode',
  externalid: 'externalId',
  episodeexternalid: 'episodeExternalId',
  poster: 'poster',
  posterref: 'poster',
  posterurl: 'poster',
};

export async function loadManifest(path: string): Promise<ParsedManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read the manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'csv';
  return parseManifest(text, format, path);
}

export function parseManifest(text: string, format: 'csv' | 'json', name = 'manifest'): ParsedManifest {
  const rows = format === 'json' ? jsonRows(text, name) : csvRows(text);
  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [...rows.problems];
  const unknown = new Set<string>();
  for (const { line, values } of rows.rows) {
    const result = toEntry(line, values, unknown);
    if ('message' in result) problems.push(result);
    else entries.push(result);
  }
  const warnings = [...unknown].map((column) => `manifest: unknown column "${column}" ignored`);
  return { entries, problems: problems.sort((a, b) => a.line - b.line), warnings };
}

interface RawRows {
  rows: Array<{ line: number; values: Record<string, unknown> }>;
  problems: ManifestProblem[];
}

function csvRows(text: string): RawRows {
  const problems: ManifestProblem[] = [];
  const records = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error)
        problems.push({
          line: Number((error as { lines?: unknown }).lines ?? 0),
          message: `unreadable CSV row: ${error.message.replace(/ at line \d+.*$/, '')}`,
        });
      return undefined;
    },
  }) as unknown as Array<{ info: { lines: number }; record: string[] }>;
  const [header, ...body] = records;
  if (!header) throw new CliError('the manifest is empty (expected a header row such as file,title,year)');
  const columns = header.record.map((column) => column.trim());
  const rows = [];
  for (const { info, record } of body) {
    if (record.length > columns.length && record.slice(columns.length).some((value) => value !== '')) {
      problems.push({
        line: info.lines,
        message: `${record.length} fields but the header has ${columns.length}`,
        file: record[0],
      });
      continue;
    }
    rows.push({
      line: info.lines,
      values: Object.fromEntries(columns.map((column, index) => [column, record[index] ?? ''])),
    });
  }
  return { rows, problems };
}

function jsonRows(text: string, name: string): RawRows {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) throw new CliError(`${name}: expected an array of objects, or { "files": [...] }`);
  const lines = elementLines(text, Array.isArray(parsed));
  const rows: RawRows['rows'] = [];
  const problems: ManifestProblem[] = [];
  list.forEach((item: unknown, index) => {
    const line = lines[index] ?? 0;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ line, message: 'expected an object with at least "file"' });
    } else rows.push({ line, values: item as Record<string, unknown> });
  });
  return { rows, problems };
}

/** Line of each element of the manifest's array (the text is valid JSON: it parsed). */
export function elementLines(text: string, rootIsArray: boolean): number[] {
  let start = rootIsArray ? text.indexOf('[') : (/"files"\s*:\s*\[/.exec(text)?.index ?? -1);
  if (start < 0) return [];
  start = text.indexOf('[', start);
  const lines: number[] = [];
  let line = 1 + (text.slice(0, start).match(/\n/g)?.length ?? 0);
  let depth = 0;
  let inString = false;
  let awaiting = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\n') line++;
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (/\s/.test(char)) continue;
    if (depth === 1 && awaiting && char !== ']') {
      lines.push(line);
      awaiting = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth++;
      if (depth === 1) awaiting = true;
    } else if (char === ']' || char === '}') {
      depth--;
      if (depth === 0) break;
    } else if (char === ',' && depth === 1) awaiting = true;
  }
  return lines;
}

function toEntry(line: number, values: Record<string, unknown>, unknown: Set<string>): ManifestEntry | ManifestProblem {
  const fields: Partial<Record<string, unknown>> = {};
  for (const [column, value] of Object.entries(values)) {
    const key = ALIASES[column.toLowerCase().replace(/[^a-z]/g, '')];
    if (!key) {
      unknown.add(column);
      continue;
    }
    if (value !== '' && value !== null && value !== undefined) fields[key] = value;
  }
  const file = str(fields.file);
  const fail = (message: string): ManifestProblem => ({ line, message, ...(file ? { file } : {}) });
  if (!file) return fail('"file" is missing');

  const entry: ManifestEntry = { line, file };
  const series = str(fields.series);
  const title = str(fields.episodeTitle) ?? str(fields.title);
  if (series) {
    entry.series = series;
    const season = int(fields.season);
    const episode = int(fields.episode);
    if (season === undefined || season < 0 || season > 10_000)
      return fail('"season" must be a whole number (0–10000) for a series row');
    if (episode === undefined || episode < 0 || episode > 10_000)
      return fail('"episode" must be a whole number (0–10000) for a series row');
    entry.season = season;
    entry.episode = episode;
  } else {
    if (fields.season !== undefined || fields.episode !== undefined)
      return fail('"season" and "episode" need a "series"');
    if (!title) return fail('"title" is missing (or give "series", "season" and "episode" for an episode)');
  }
  if (title) entry.title = title;
  if (fields.year !== undefined) {
    const year = int(fields.year);
    if (year === undefined || year < 1870 || year > 2100)
      return fail(`"year" must be a year between 1870 and 2100 (got "${String(fields.year)}")`);
    entry.year = year;
  }
  if (fields.genres !== undefined) {
    const genres = Array.isArray(fields.genres)
      ? fields.genres.map((genre) => String(genre).trim())
      : String(fields.genres)
          .split(/[|;,]/)
          .map((genre) => genre.trim());
    entry.genres = genres.filter(Boolean);
    if (entry.genres.some((genre) => genre.length > 40)) return fail('a genre is longer than 40 characters');
  }
  for (const key of ['synopsis', 'externalId', 'episodeExternalId', 'poster'] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') return fail(`"${key}" must be text`);
    entry[key] = String(value).trim();
  }
  if ((entry.externalId?.length ?? 0) > 200) return fail('"externalId" is longer than 200 characters');
  if ((entry.title?.length ?? 0) > 300 || (entry.series?.length ?? 0) > 300)
    return fail('a name is longer than 300 characters');
  return entry;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function int(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
