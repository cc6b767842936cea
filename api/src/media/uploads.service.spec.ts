import { describe, expect, it } from 'vitest';
import { checkParts, expectedPartSize } from './uploads.service.js';

const upload = { sizeBytes: 25, partSize: 10, partCount: 3 };

describe('upload parts', () => {
  it('expects full parts and a shorter last part', () => {
    expect([1, 2, 3].map((n) => expectedPartSize(upload, n))).toEqual([10, 10, 5]);
    expect(expectedPartSize({ sizeBytes: 20, partSize: 10, partCount: 2 }, 2)).toBe(10);
  });

  it('accepts a complete set in any order', () => {
    expect(
      checkParts(upload, [
        { partNumber: 3, size: 5 },
        { partNumber: 1, size: 10 },
        { partNumber: 2, size: 10 },
      ]),
    ).toEqual([]);
  });

  it('names missing parts and parts of the wrong size', () => {
    expect(checkParts(upload, [{ partNumber: 2, size: 9 }])).toEqual([
      'missing parts 1, 3',
      'part 2 has 9 bytes, expected 10',
    ]);
  });
});
