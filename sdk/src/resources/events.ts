// Live transcoding progress: GET /events as a WebSocket stream, or its snapshot over HTTP.
import type { JobEventMessage } from '../generated/openapi.js';
import { subscribeEvents, type EventFilter, type EventStreamDeps, type SubscribeOptions } from '../events/subscribe.js';
import type { CallOptions, DataOf, RequestFn } from '../types.js';

export interface EventsApi {
  /**
   * Live job events: first a `snapshot` message per watched job, then every event the API
   * applies (`job.started`, `job.progress`, `job.ready`, `job.failed`), in order per asset, and
   * `asset.deleted` (the asset's latest job as the deletion left it) when an asset is deleted.
   * Reconnects with backoff when the connection drops (each reconnect starts with a fresh
   * snapshot); ends when `signal` aborts or the loop breaks; throws AleflixApiError when the
   * API refuses (401, 403, 400 or 404). When the API closes the socket because its credentials
   * stopped passing, it renews an expired access token and reconnects (4001 `token_expired`), or
   * throws the API's 401/403 (session ended, key revoked, user disabled or demoted). Filter by
   * `assetId` and/or `jobId`; none means every job.
   */
  subscribe(filter?: EventFilter, options?: SubscribeOptions): AsyncGenerator<JobEventMessage, void, undefined>;
  /** The state a new subscriber starts from (GET /events without the upgrade). */
  snapshot(filter?: EventFilter, options?: CallOptions): Promise<DataOf<'jobEvents'>>;
}

export function eventsApi(request: RequestFn, deps: EventStreamDeps): EventsApi {
  return {
    subscribe: (filter = {}, options = {}) => subscribeEvents(deps, filter, options),
    snapshot: async (filter = {}, options) =>
      (await request('get', '/events', { ...options, params: { query: filter } })).data,
  };
}
