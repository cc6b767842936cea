import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chooseEncoding, compress } from '../../shared/compression';

describe('chooseEncoding', () => {
  it('prefers brotli, then gzip, honouring q-values', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip, deflate')).toBe('gzip');
    expect(chooseEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0.8')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*;q=0, gzip')).toBe('gzip');
  });

  it('answers uncompressed when nothing usable is accepted', () => {
    expect(chooseEncoding(undefined)).toBeNull();
    expect(chooseEncoding('')).toBeNull();
    expect(chooseEncoding('identity')).toBeNull();
    expect(chooseEncoding('deflate, br;q=0')).toBeNull();
  });
});

describe('compress', () => {
  const page = `<!DOCTYPE html><html lang="pt-BR">${'<li><a href="/titles/x">Filme</a></li>'.repeat(400)}</html>`;

  it('round-trips and shrinks a page', () => {
    const br = compress(page, 'br');
    const gzip = compress(page, 'gzip');
    expect(brotliDecompressSync(br).toString()).toBe(page);
    expect(gunzipSync(gzip).toString()).toBe(page);
    expect(br.byteLength).toBeLessThan(page.length / 10);
    expect(gzip.byteLength).toBeLessThan(page.length / 10);
  });
});
