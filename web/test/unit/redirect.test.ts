import { describe, expect, it } from 'vitest';
import { safeRedirect } from '~/utils/redirect';

describe('safeRedirect', () => {
  it('keeps paths of this site, with their query', () => {
    expect(safeRedirect('/titles/heat')).toBe('/titles/heat');
    expect(safeRedirect('/search?q=a&kind=movie')).toBe('/search?q=a&kind=movie');
    expect(safeRedirect(['/watch/1', '/x'])).toBe('/watch/1');
  });

  it('refuses anything that leaves the site or loops back to sign-in', () => {
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '',
      'titles',
      '/login',
      '/login?redirect=/',
      '/a\nb',
      5,
      undefined,
      null,
    ]) {
      expect(safeRedirect(bad)).toBe('/');
    }
    expect(safeRedirect('//x', '/home')).toBe('/home');
  });
});
