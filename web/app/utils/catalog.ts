import type { Title } from '@aleflix/sdk';

/** The most common genres among `titles`, most frequent first (ties by name), for home rows. */
export function topGenres(titles: ReadonlyArray<Pick<Title, 'genres'>>, count: number): string[] {
  const tally = new Map<string, number>();
  for (const title of titles) for (const genre of new Set(title.genres)) tally.set(genre, (tally.get(genre) ?? 0) + 1);
  return [...tally.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([genre]) => genre);
}

/** What a title card shows: the rows and lists keep only this, not whole titles (smaller payload). */
export type TitleSummary = Pick<Title, 'id' | 'name' | 'slug' | 'kind' | 'year' | 'status' | 'posterRef'>;

export function summaryOf(title: TitleSummary): TitleSummary {
  const { id, name, slug, kind, year, status, posterRef } = title;
  return { id, name, slug, kind, year, status, posterRef };
}

/** "drama" -> "Drama", for headings (genres are stored lower-case). */
export function genreLabel(genre: string): string {
  return genre.charAt(0).toLocaleUpperCase() + genre.slice(1);
}

export const TITLE_SORTS = ['relevance', '-createdAt', 'createdAt', 'name', '-name', '-year', 'year'] as const;
export type TitleSort = (typeof TITLE_SORTS)[number];

export interface SearchFilters {
  q?: string;
  kind?: 'movie' | 'series';
  genre?: string;
  year?: number;
  status?: 'draft' | 'published' | 'archived';
  sort?: TitleSort;
}

/** Search filters from the page's query string; anything invalid is dropped, not an error. */
export function filtersFromQuery(query: Record<string, unknown>): SearchFilters {
  const one = (value: unknown) => (Array.isArray(value) ? value[0] : value);
  const text = (value: unknown, max: number) => {
    const candidate = one(value);
    return typeof candidate === 'string' && candidate.trim() ? candidate.trim().slice(0, max) : undefined;
  };
  const filters: SearchFilters = {};
  const q = text(query.q, 200);
  if (q) filters.q = q;
  const kind = one(query.kind);
  if (kind === 'movie' || kind === 'series') filters.kind = kind;
  const genre = text(query.genre, 40);
  if (genre) filters.genre = genre.toLowerCase();
  const year = Number(one(query.year));
  if (Number.isInteger(year) && year >= 1870 && year <= 2100) filters.year = year;
  const status = one(query.status);
  if (status === 'draft' || status === 'published' || status === 'archived') filters.status = status;
  const sort = one(query.sort);
  if (typeof sort === 'string' && (TITLE_SORTS as readonly string[]).includes(sort)) filters.sort = sort as TitleSort;
  return filters;
}

/** The query string for filters (the inverse of filtersFromQuery), without empty values. */
export function queryFromFilters(filters: SearchFilters): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '') query[key] = String(value);
  }
  return query;
}

/** "Relevance" needs words to rank by; without `q` the API sorts by newest. */
export function effectiveSort(filters: SearchFilters): TitleSort {
  if (filters.sort && (filters.sort !== 'relevance' || filters.q)) return filters.sort;
  return filters.q ? 'relevance' : '-createdAt';
}
