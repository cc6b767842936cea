// Compression of the server-rendered pages. The built assets under /_nuxt/ are compressed at
// build time (nitro.compressPublicAssets); a page is rendered per request, so it is compressed
// here: brotli when the browser takes it, else gzip. Both at a level that costs about a
// millisecond for a page of rows, far less than sending it uncompressed.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/** Below this, compressing saves less than it costs. */
export const MIN_COMPRESSED_BYTES = 1024;
const BROTLI_QUALITY = 4;
const GZIP_LEVEL = 6;

/** The encoding to answer with for an Accept-Encoding header (q-values honoured), or null for none. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | null {
  const quality = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((param) => param.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    quality.set(name, Number.isFinite(value) ? value : 0);
  }
  const of = (name: Encoding) => quality.get(name) ?? quality.get('*') ?? 0;
  if (of('br') > 0 && of('br') >= of('gzip')) return 'br';
  return of('gzip') > 0 ? 'gzip' : null;
}

export function compress(body: string | Uint8Array, encoding: Encoding): Buffer {
  if (encoding === 'gzip') return gzipSync(body, { level: GZIP_LEVEL });
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    },
  });
}
