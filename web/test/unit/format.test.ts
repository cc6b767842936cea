import { describe, expect, it } from 'vitest';
import { formatClock, imageUrl, initials } from '~/utils/format';

describe('formatClock', () => {
  it('formats seconds as m:ss or h:mm:ss', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(75.9)).toBe('1:15');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(formatClock(Number.NaN)).toBe('0:00');
    expect(formatClock(null)).toBe('0:00');
    expect(formatClock(-3)).toBe('0:00');
  });
});

describe('imageUrl and initials', () => {
  it('shows only absolute http(s) image references', () => {
    expect(imageUrl('https://img.example/p.jpg')).toBe('https://img.example/p.jpg');
    expect(imageUrl('posters/p.jpg')).toBeNull();
    expect(imageUrl('javascript:alert(1)')).toBeNull();
    expect(imageUrl(null)).toBeNull();
  });
  it('takes two letters for placeholders', () => {
    expect(initials('Cidade de Deus')).toBe('CD');
    expect(initials('Heat')).toBe('HE');
  });
});
