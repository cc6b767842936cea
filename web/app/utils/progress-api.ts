// Watch progress kept by the API, through the SDK:
//   GET    /me/progress?limit=N       -> { items: WatchProgress[], nextCursor }  (unfinished, newest first)
//   GET    /me/progress/{mediaId}     -> WatchProgress, or 204 when nothing is saved yet
//   PUT    /me/progress/{mediaId}     { positionSeconds, durationSeconds } -> WatchProgress
//   DELETE /me/progress/{mediaId}     -> 204
// `mediaId` is a movie's title id or an episode id (what GET /media/stream/{id} takes).
import { AleflixApiError, type AleflixClient } from '@aleflix/sdk';
import type { ProgressBackend, WatchProgress } from './progress';
import { untypedRequest } from './sdk-untyped';

export function createApiProgressBackend(client: Pick<AleflixClient, 'request'>): ProgressBackend {
  const request = untypedRequest(client);
  return {
    kind: 'api',
    get: async (mediaId) => {
      try {
        // 204 (nothing saved yet) comes back without data.
        return ((await request('get', '/me/progress/{mediaId}', { params: { path: { mediaId } } })).data ??
          null) as WatchProgress | null;
      } catch (error) {
        if (error instanceof AleflixApiError && error.code === 'not_found') return null;
        throw error;
      }
    },
    put: async (input) =>
      (
        await request('put', '/me/progress/{mediaId}', {
          params: { path: { mediaId: input.mediaId } },
          body: { positionSeconds: round(input.positionSeconds), durationSeconds: input.durationSeconds },
          // Saved while the page is being left: let the request outlive the page.
          headers: { 'x-aleflix-keepalive': '1' },
        })
      ).data as WatchProgress,
    continueWatching: async (limit) =>
      ((await request('get', '/me/progress', { params: { query: { limit } } })).data as { items: WatchProgress[] })
        .items,
    remove: async (mediaId) => {
      await request('delete', '/me/progress/{mediaId}', { params: { path: { mediaId } } });
    },
  };
}

/**
 * Whether the API has the progress endpoints: a 404 `route_not_found` means not (yet).
 * Other failures (network, 5xx) count as "not now" too; callers cache the answer briefly.
 */
export async function probeProgressApi(client: Pick<AleflixClient, 'request'>): Promise<boolean> {
  try {
    await untypedRequest(client)('get', '/me/progress', { params: { query: { limit: 1 } } });
    return true;
  } catch {
    return false;
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
