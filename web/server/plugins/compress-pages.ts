// Server-rendered pages go out compressed (see shared/compression.ts). Only HTML: the payload
// and island responses are small, and /api/ answers come from the API as they are.
import { getRequestHeader } from 'h3';
import { chooseEncoding, compress, MIN_COMPRESSED_BYTES } from '#shared/compression';

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('render:response', (response, { event }) => {
    // The error page is rendered by an internal request whose body Nitro's error handler reads
    // as text and sends on itself: it must stay uncompressed.
    if (event.path.startsWith('/__nuxt_error') || getRequestHeader(event, 'x-nuxt-error')) return;
    const headers = (response.headers ??= {});
    const type = headerValue(headers, 'content-type');
    if (!type?.startsWith('text/html') || headerValue(headers, 'content-encoding')) return;
    if (typeof response.body !== 'string' || Buffer.byteLength(response.body) < MIN_COMPRESSED_BYTES) return;
    // Caches must not hand a compressed page to a client that did not ask for one.
    headers.vary = headerValue(headers, 'vary')
      ? `${headerValue(headers, 'vary')}, Accept-Encoding`
      : 'Accept-Encoding';
    const encoding = chooseEncoding(getRequestHeader(event, 'accept-encoding'));
    if (!encoding) return;
    response.body = compress(response.body, encoding);
    headers['content-encoding'] = encoding;
  });
});

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return String(value);
  }
  return undefined;
}
