import { describe, expect, it } from 'vitest';
import { effectiveSort, filtersFromQuery, genreLabel, queryFromFilters, summaryOf, topGenres } from '~/utils/catalog';

describe('topGenres', () => {
  it('ranks genres by how many titles have them, ties by name', () => {
    const titles = [
      { genres: ['drama', 'crime'] },
      { genres: ['drama'] },
      { genres: ['comedy', 'crime', 'crime'] },
      { genres: [] },
    ];
    expect(topGenres(titles, 2)).toEqual(['crime', 'drama']);
    expect(topGenres(titles, 10)).toEqual(['crime', 'drama', 'comedy']);
    expect(topGenres([], 3)).toEqual([]);
  });
  it('capitalises labels', () => {
    expect(genreLabel('ficção')).toBe('Ficção');
  });
});

describe('summaryOf', () => {
  it('keeps only what a title card shows', () => {
    const title = {
      id: 't1',
      name: 'Cidade',
      slug: 'cidade',
      kind: 'movie' as const,
      year: 2024,
      status: 'published' as const,
      posterRef: null,
      synopsis: 'long text',
      genres: ['drama'],
    };
    expect(summaryOf(title)).toEqual({
      id: 't1',
      name: 'Cidade',
      slug: 'cidade',
      kind: 'movie',
      year: 2024,
      status: 'published',
      posterRef: null,
    });
  });
});

describe('search filters in the query string', () => {
  it('keeps valid filters and drops the rest', () => {
    expect(
      filtersFromQuery({ q: '  coracao ', kind: 'movie', genre: 'Drama', year: '2002', status: 'draft', sort: 'name' }),
    ).toEqual({ q: 'coracao', kind: 'movie', genre: 'drama', year: 2002, status: 'draft', sort: 'name' });
    expect(filtersFromQuery({ kind: 'book', year: '12', status: 'secret', sort: 'DROP TABLE', q: '   ' })).toEqual({});
    expect(filtersFromQuery({ q: ['a', 'b'] })).toEqual({ q: 'a' });
  });

  it('round-trips through the query string', () => {
    const filters = { q: 'heat', kind: 'series' as const, year: 1995 };
    expect(filtersFromQuery(queryFromFilters(filters))).toEqual(filters);
    expect(queryFromFilters({ q: undefined, genre: '' })).toEqual({});
  });

  it('sorts by relevance only when there are words to rank', () => {
    expect(effectiveSort({ q: 'x' })).toBe('relevance');
    expect(effectiveSort({})).toBe('-createdAt');
    expect(effectiveSort({ sort: 'relevance' })).toBe('-createdAt');
    expect(effectiveSort({ sort: 'name' })).toBe('name');
  });
});
