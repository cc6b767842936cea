import { describe, expect, it } from 'vitest';
import { generatedExternalId, parseFileName, slugify } from '../src/ingest/names.js';

describe('parseFileName', () => {
  it.each([
    ['Show.S01E02.mkv', { kind: 'series', series: 'Show', season: 1, episode: 2 }],
    ['Show - S01E02 - Title.mp4', { kind: 'series', series: 'Show', season: 1, episode: 2, episodeTitle: 'Title' }],
    [
      'The.Wire.S03E11.Middle.Ground.1080p.WEB-DL.x264.mkv',
      { kind: 'series', series: 'The Wire', season: 3, episode: 11, episodeTitle: 'Middle Ground' },
    ],
    ['sintonia_s2e10.mp4', { kind: 'series', series: 'sintonia', season: 2, episode: 10 }],
    ['Show Name 1x05 Pilot.avi', { kind: 'series', series: 'Show Name', season: 1, episode: 5, episodeTitle: 'Pilot' }],
    [
      'Doctor Who (2005) - S01E01 - Rose.mkv',
      { kind: 'series', series: 'Doctor Who', season: 1, episode: 1, episodeTitle: 'Rose', year: 2005 },
    ],
    ['Movie (2002).mp4', { kind: 'movie', name: 'Movie', year: 2002 }],
    ['Cidade de Deus (2002) [1080p].mkv', { kind: 'movie', name: 'Cidade de Deus', year: 2002 }],
    ['Heat.1995.2160p.UHD.BluRay.mkv', { kind: 'movie', name: 'Heat', year: 1995 }],
    ['2001 A Space Odyssey (1968).mp4', { kind: 'movie', name: '2001 A Space Odyssey', year: 1968 }],
    ['2012.mp4', { kind: 'movie', name: '2012' }],
    ['home_video.webm', { kind: 'movie', name: 'home video' }],
  ])('%s', (name, expected) => {
    expect(parseFileName(name)).toEqual(expected);
  });

  it('takes the series from the folder when the file is only S01E02, skipping season folders', () => {
    expect(parseFileName('Sintonia/Season 1/S01E02.mkv')).toEqual({
      kind: 'series',
      series: 'Sintonia',
      season: 1,
      episode: 2,
    });
    expect(parseFileName('Sintonia (2019)/S02E01 - Volta.mp4')).toMatchObject({
      series: 'Sintonia',
      season: 2,
      episode: 1,
      episodeTitle: 'Volta',
    });
  });
});

describe('externalId', () => {
  it('is stable and readable', () => {
    expect(slugify('Coração Valente & Cia.')).toBe('coracao-valente-and-cia');
    expect(generatedExternalId('movie', 'Cidade de Deus', 2002)).toBe('aleflix:movie:cidade-de-deus-2002');
    expect(generatedExternalId('series', 'The Wire')).toBe('aleflix:series:the-wire');
    expect(generatedExternalId('movie', '!!!')).toBe('aleflix:movie:untitled');
  });
});
