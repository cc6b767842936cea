// Metadata from file names when there is no manifest: `Show.S01E02.mkv`,
// `Show - S01E02 - Title.mp4`, `Show 1x02.avi`, `Movie (2002).mp4`, `Movie.2002.1080p.mkv`.
// A bare `S01E02.mkv` takes its series from the folder (`Show/Season 1/S01E02.mkv`).

export type ParsedName =
  | { kind: 'movie'; name: string; year?: number }
  | { kind: 'series'; series: string; season: number; episode: number; episodeTitle?: string; year?: number };

/** Release tags: everything from the first of these on is not part of a name. */
const RELEASE_TAG =
  /^(?:2160p|1080[pi]|720p|576p|480p|4k|uhd|hdr10?\+?|dv|web(?:-?dl|rip)?|blu-?ray|bdrip|brrip|dvdrip|hdtv|hdrip|remux|x26[45]|h\.?26[45]|hevc|avc|aac(?:2\.0)?|ac3|dts|ddp?5\.1|10bit|proper|repack|extended|unrated|multi|dual|nf|amzn|dsnp)$/i;
const EPISODE = /^(.*?)[\s._-]*\b[Ss](\d{1,3})[\s._-]?[Ee](\d{1,4})(?:[-_]?[Ee]\d{1,4})*\b(.*)$/;
const CROSS_EPISODE = /^(.*?)[\s._-]+(\d{1,2})x(\d{1,3})\b(.*)$/;
const SEASON_FOLDER = /^(?:season|temporada|saison|staffel|series)[\s._-]*\d+$|^s\d{1,3}$/i;

export function parseFileName(relativePath: string): ParsedName {
  const segments = relativePath.split(/[\\/]/).filter(Boolean);
  const base = (segments.pop() ?? '').replace(/\.[^.]+$/, '');
  const text = words(base);

  const episode = EPISODE.exec(text) ?? CROSS_EPISODE.exec(text);
  if (episode) {
    const [, before = '', season = '0', number = '0', after = ''] = episode;
    const { name: seriesName, year } = splitYear(cleanName(before));
    const series = seriesName || folderSeries(segments);
    const episodeTitle = cleanName(after.replace(/^[\s._-]+/, ''));
    return {
      kind: 'series',
      series: series || 'Unknown series',
      season: Number(season),
      episode: Number(number),
      ...(episodeTitle ? { episodeTitle } : {}),
      ...(year ? { year } : {}),
    };
  }
  const { name, year } = splitYear(cleanName(text));
  return { kind: 'movie', name: name || base, ...(year ? { year } : {}) };
}

/** Dots and underscores separate words in scene names, unless the name already has spaces. */
function words(base: string): string {
  const spaced = base.replace(/_/g, ' ');
  return spaced.includes(' ') ? spaced : spaced.replace(/\./g, ' ');
}

/** Cuts release tags and bracketed junk, tidies separators. */
function cleanName(text: string): string {
  const tokens = text
    .replace(/\[[^\]]*\]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const kept: string[] = [];
  for (const token of tokens) {
    if (RELEASE_TAG.test(token.replace(/[()[\]]/g, ''))) break;
    kept.push(token);
  }
  return kept
    .join(' ')
    .replace(/^[\s\-–—.]+|[\s\-–—.]+$/g, '')
    .replace(/\s+/g, ' ');
}

/** "Movie (2002)" or "Movie 2002" → name and year; a leading year ("2012") stays the name. */
function splitYear(text: string): { name: string; year?: number } {
  const parenthesised = /^(.*\S)\s*[([]((?:18|19|20)\d{2})[)\]](.*)$/.exec(text);
  if (parenthesised) return { name: cleanName(parenthesised[1]!), year: Number(parenthesised[2]) };
  const tokens = text.split(' ');
  for (let index = tokens.length - 1; index > 0; index--) {
    if (/^(?:18|19|20)\d{2}$/.test(tokens[index]!)) {
      return { name: cleanName(tokens.slice(0, index).join(' ')), year: Number(tokens[index]) };
    }
  }
  return { name: text };
}

function folderSeries(folders: string[]): string {
  for (let index = folders.length - 1; index >= 0; index--) {
    const folder = folders[index]!;
    if (!SEASON_FOLDER.test(folder.trim())) return splitYear(cleanName(words(folder))).name;
  }
  return '';
}

/** "Cidade de Deus" → "cidade-de-deus": accents dropped, anything else non-alphanumeric is a hyphen. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 150);
}

/** Stable across runs and machines, so a re-run upserts the same title instead of adding one. */
export function generatedExternalId(kind: 'movie' | 'series', name: string, year?: number): string {
  const slug = slugify(name) || 'untitled';
  return kind === 'movie' ? `aleflix:movie:${slug}${year ? `-${year}` : ''}` : `aleflix:series:${slug}`;
}
