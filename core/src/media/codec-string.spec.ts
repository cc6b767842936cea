import { describe, expect, it } from 'vitest';
import { avc1CodecFromInitSegment } from './codec-string.js';

/** A box: 32-bit size, 4-letter type, payload. */
function box(type: string, payload: number[]): number[] {
  const size = 8 + payload.length;
  return [(size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255, ...Buffer.from(type), ...payload];
}

describe('avc1CodecFromInitSegment', () => {
  it('reads profile, constraints and level from the avcC box', () => {
    const init = Uint8Array.from([
      ...box('ftyp', [...Buffer.from('iso5'), 0, 0, 2, 0]),
      ...box('avc1', [0, 0, 0, 0, ...box('avcC', [1, 0x64, 0x00, 0x28, 0xff, 0xe1])]),
    ]);
    expect(avc1CodecFromInitSegment(init)).toBe('avc1.640028');
    expect(avc1CodecFromInitSegment(Uint8Array.from(box('avcC', [1, 0x42, 0xc0, 0x1e])))).toBe('avc1.42C01E');
  });

  it('returns null without an avcC box (or with a bogus one)', () => {
    expect(avc1CodecFromInitSegment(Uint8Array.from(box('hvcC', [1, 1, 0x60, 0])))).toBeNull();
    expect(avc1CodecFromInitSegment(Uint8Array.from(box('avcC', [0, 0x64, 0, 0x28])))).toBeNull();
    expect(avc1CodecFromInitSegment(new Uint8Array())).toBeNull();
  });
});
