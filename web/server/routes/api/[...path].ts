// Same-origin gateway from the browser to the AleFlix API (see shared/api-proxy.ts).
import { getRequestIP, getRequestURL, readRawBody } from 'h3';
import { MAX_PROXY_BODY_BYTES, problem, proxyToApi, PROXY_PREFIX } from '#shared/api-proxy';
import { refreshOnce } from '#shared/refresh';

export default defineEventHandler(async (event) => {
  const { apiBase } = useRuntimeConfig(event).public;
  const url = getRequestURL(event);
  const method = event.method.toUpperCase();
  // Refuse an announced oversize body before reading it.
  if (Number(event.node.req.headers['content-length'] ?? 0) > MAX_PROXY_BODY_BYTES)
    return problem(413, 'payload_too_large');
  const body = ['GET', 'HEAD'].includes(method) ? undefined : await readRawBody(event, false);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.node.req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return proxyToApi(
    {
      method,
      path: url.pathname.slice(PROXY_PREFIX.length) + url.search,
      headers,
      body: body ? new Uint8Array(body) : undefined,
      clientIp: getRequestIP(event, { xForwardedFor: false }),
    },
    { apiBase, fetch: globalThis.fetch, refresh: (token) => refreshOnce(apiBase, token) },
  );
});
