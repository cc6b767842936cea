// The fetch the SDK uses in the browser. Three things the SDK cannot know about:
// - Another tab may have rotated the refresh token since this page loaded (the cookie holds
//   the newest one). Presenting the stale one would revoke the session, so a refresh always
//   sends the cookie's token.
// - Progress saved while the page is being left must outlive it: requests marked with the
//   x-aleflix-keepalive header are sent with `keepalive`.
// - A refused refresh (expired, revoked, reused) means the session is gone: `onSessionLost`
//   lets the app send the viewer to sign in again instead of failing every call.
import type { FetchLike } from '@aleflix/sdk';

export const KEEPALIVE_HEADER = 'x-aleflix-keepalive';

export function createBrowserFetch(
  base: FetchLike,
  latestRefreshToken: () => string | null | undefined,
  onSessionLost: () => void = () => undefined,
): FetchLike {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init.headers);
    let body = init.body;
    let keepalive = init.keepalive;
    if (headers.has(KEEPALIVE_HEADER)) {
      headers.delete(KEEPALIVE_HEADER);
      keepalive = true;
    }
    const isRefresh =
      (init.method ?? 'GET').toUpperCase() === 'POST' && /\/auth\/refresh$/.test(new URL(url, 'http://x').pathname);
    if (isRefresh) {
      const latest = latestRefreshToken();
      if (latest && typeof body === 'string') {
        body = JSON.stringify({ ...(JSON.parse(body) as object), refreshToken: latest });
      }
    }
    const response = await base(input, { ...init, headers, body, keepalive });
    if (isRefresh && response.status === 401) onSessionLost();
    return response;
  };
}
