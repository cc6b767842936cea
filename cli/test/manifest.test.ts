import { describe, expect, it } from 'vitest';
import { elementLines, parseManifest } from '../src/ingest/manifest.js';

describe('CSV manifests', () => {
  it('reads rows with their line numbers, aliases and list fields', () => {
    const csv = [
      'file,title,year,genres,synopsis,series,season,episode,externalId,poster',
      'movies/cdd.mp4,Cidade de Deus,2002,drama|crime,"Rio, anos 70",,,,tmdb:598,https://img/cdd.jpg',
      '',
      'tv/s01e01.mkv,Piloto,,,,Sintonia,1,1,tmdb:tv:1,',
    ].join('\n');
    const { entries, problems, warnings } = parseManifest(csv, 'csv');
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(entries).toEqual([
      {
        line: 2,
        file: 'movies/cdd.mp4',
        title: 'Cidade de Deus',
        year: 2002,
        genres: ['drama', 'crime'],
        synopsis: 'Rio, anos 70',
        externalId: 'tmdb:598',
        poster: 'https://img/cdd.jpg',
      },
      {
        line: 4,
        file: 'tv/s01e01.mkv',
        title: 'Piloto',
        series: 'Sintonia',
        season: 1,
        episode: 1,
        externalId: 'tmdb:tv:1',
      },
    ]);
  });

  it('reports bad rows with their line numbers and keeps the good ones', () => {
    const csv = [
      'Path,Name,Year,Series,Season,Episode,Rating',
      'a.mp4,A,1999,,,,',
      'b.mp4,B,nineteen,,,,',
      'c.mp4,,,Show,x,1,',
      ',D,2000,,,,',
      'e.mp4,E,2001,,,,,,extra',
      'f.mp4,,,,1,2,',
      'g.mp4,"unclosed,2000,,,,',
    ].join('\n');
    const { entries, problems, warnings } = parseManifest(csv, 'csv');
    expect(entries.map((entry) => entry.file)).toEqual(['a.mp4']);
    expect(problems.map(({ line, file }) => ({ line, file }))).toEqual([
      { line: 3, file: 'b.mp4' },
      { line: 4, file: 'c.mp4' },
      { line: 5, file: undefined },
      { line: 6, file: 'e.mp4' },
      { line: 7, file: 'f.mp4' },
      { line: 8, file: undefined },
    ]);
    expect(problems[0]!.message).toMatch(/year/);
    expect(problems[1]!.message).toMatch(/season/);
    expect(problems[2]!.message).toMatch(/file/);
    expect(problems[4]!.message).toMatch(/need a "series"/);
    expect(warnings).toEqual(['manifest: unknown column "Rating" ignored']);
  });
});

describe('JSON manifests', () => {
  it('reads an array or { files } and reports bad elements by line', () => {
    const json = `{
  "files": [
    { "file": "a.mp4", "title": "A", "year": 2001, "genres": ["drama"] },
    {
      "file": "b.mp4",
      "title": "B",
      "year": "soon"
    },
    "not an object",
    { "file": "c.mkv", "series": "Show", "season": 2, "episode": 3 }
  ]
}`;
    const { entries, problems } = parseManifest(json, 'json');
    expect(entries).toEqual([
      { line: 3, file: 'a.mp4', title: 'A', year: 2001, genres: ['drama'] },
      { line: 10, file: 'c.mkv', series: 'Show', season: 2, episode: 3 },
    ]);
    expect(problems.map((problem) => problem.line)).toEqual([4, 9]);
  });

  it('finds element lines in a top-level array, ignoring brackets inside strings', () => {
    const text = '[\n  {"file": "a[1].mp4"},\n\n  {"file": "b,c.mp4", "genres": ["x", "y"]}\n]';
    expect(elementLines(text, true)).toEqual([2, 4]);
  });

  it('refuses a manifest that is not JSON at all', () => {
    expect(() => parseManifest('{ nope', 'json', 'meta.json')).toThrow(/meta.json is not valid JSON/);
  });
});
