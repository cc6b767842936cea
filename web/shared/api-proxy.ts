// The browser reaches the API through this server (same origin), because the API sends no
// CORS headers. Only what the SDK needs passes: a fixed set of request and response headers,
// JSON bodies up to the API's own limit, and never the site's cookies.
import { AleflixApiError, type TokenPair } from '@aleflix/sdk';

export const PROXY_PREFIX = '/api';
export const MAX_PROXY_BODY_BYTES = 1024 * 1024;

const REQUEST_HEADERS = ['accept', 'authorization', 'content-type', 'if-match', 'if-none-match', 'x-request-id'];
const RESPONSE_HEADERS = ['content-type', 'etag', 'retry-after', 'location', 'cache-control', 'x-request-id'];

export interface ProxyRequest {
  method: string;
  /** Path below /api, with its query string: '/titles?q=x'. */
  path: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array | undefined;
  clientIp: string | undefined;
}

export interface ProxyDeps {
  apiBase: string;
  fetch: typeof fetch;
  refresh: (refreshToken: string) => Promise<TokenPair>;
}

/** Forwards one request to the API and returns the API's answer, or a problem+json of our own. */
export async function proxyToApi(request: ProxyRequest, deps: ProxyDeps): Promise<Response> {
  if (!request.path.startsWith('/') || request.path.startsWith('//')) return problem(400, 'validation_failed');
  if (request.body && request.body.byteLength > MAX_PROXY_BODY_BYTES) return problem(413, 'payload_too_large');

  // Refresh tokens are exchanged once per token (see shared/refresh.ts), whoever asks.
  if (request.method === 'POST' && request.path === '/auth/refresh') return refreshThroughFlight(request, deps);

  const headers = new Headers();
  for (const name of REQUEST_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers.set(name, value);
  }
  if (request.clientIp) headers.set('x-forwarded-for', request.clientIp);
  const hasBody = request.body !== undefined && !['GET', 'HEAD'].includes(request.method);
  let upstream: Response;
  try {
    upstream = await deps.fetch(deps.apiBase.replace(/\/+$/, '') + request.path, {
      method: request.method,
      headers,
      body: hasBody ? (request.body as BodyInit) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return problem(502, 'service_unavailable');
  }
  const out = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

async function refreshThroughFlight(request: ProxyRequest, deps: ProxyDeps): Promise<Response> {
  let token: unknown;
  try {
    token = (JSON.parse(new TextDecoder().decode(request.body ?? new Uint8Array())) as { refreshToken?: unknown })
      .refreshToken;
  } catch {
    return problem(400, 'invalid_json');
  }
  if (typeof token !== 'string' || token.length === 0 || token.length > 1000) return problem(400, 'validation_failed');
  try {
    return Response.json(await deps.refresh(token));
  } catch (error) {
    if (error instanceof AleflixApiError && error.problem) {
      return new Response(JSON.stringify(error.problem), {
        status: error.status,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    return problem(502, 'service_unavailable');
  }
}

export function problem(status: number, code: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, code }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
