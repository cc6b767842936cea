import { describe, expect, it } from 'vitest';
import { foldForSearch, slugify, SLUG_PATTERN } from './slug.js';

describe('slugify', () => {
  it.each([
    ['Cidade de Deus', 'cidade-de-deus'],
    ['Coração Selvagem', 'coracao-selvagem'],
    ['  The   Matrix: Reloaded!! ', 'the-matrix-reloaded'],
    ['Tom & Jerry', 'tom-and-jerry'],
    ['Straße', 'strasse'],
    ['Ægir & Øresund', 'aegir-and-oresund'],
    ['2001: A Space Odyssey', '2001-a-space-odyssey'],
    ['!!!', 'title'],
    ['日本', 'title'],
  ])('%s -> %s', (name, slug) => {
    expect(slugify(name)).toBe(slug);
    expect(slugify(name)).toMatch(SLUG_PATTERN);
  });

  it('caps the length without leaving a trailing hyphen', () => {
    const slug = slugify(`${'a'.repeat(119)} b`);
    expect(slug.length).toBeLessThanOrEqual(120);
    expect(slug).toMatch(SLUG_PATTERN);
  });
});

describe('foldForSearch', () => {
  it('removes accents and case like the database does', () => {
    expect(foldForSearch('ÁGATA São')).toBe('agata sao');
  });
});
