// createClient: one self-contained instance per call (its own tokens, retry policy and fetch);
// nothing is global, so several clients (say, an admin and a viewer) can coexist.
import type { WebSocketFactory, WebSocketLike } from './events/socket.js';
import type { Login, Refresh, TokenPair } from './generated/openapi.js';
import { retryPolicy, type RetryOptions } from './retry.js';
import { Session, type AuthOptions, type OnTokens } from './session.js';
import { Transport, type FetchLike, type RawRequest } from './transport.js';
import type { RequestFn } from './types.js';
import {
  episodesApi,
  seasonsApi,
  titlesApi,
  type EpisodesApi,
  type SeasonsApi,
  type TitlesApi,
} from './resources/catalog.js';
import { eventsApi, type EventsApi } from './resources/events.js';
import { healthApi, type HealthApi } from './resources/health.js';
import {
  assetsApi,
  jobsApi,
  mediaApi,
  uploadsApi,
  type AssetsApi,
  type JobsApi,
  type MediaApi,
  type UploadsApi,
} from './resources/media.js';
import { apiKeysApi, authApi, usersApi, type ApiKeysApi, type AuthApi, type UsersApi } from './resources/identity.js';

export type ClientOptions = AuthOptions & {
  /** Where the API is, e.g. 'http://localhost:3000'. */
  baseUrl: string;
  /** Called with every new token pair (sign-in, refresh) so an app can persist the session. */
  onTokens?: OnTokens;
  /** Replaces the global fetch (tests, tracing, a proxy agent). */
  fetch?: FetchLike;
  /** Retries of idempotent calls on 429/502/503/504 and network errors. */
  retry?: RetryOptions;
  /** Aborts an attempt that takes longer (it is then retried like a network error when idempotent). */
  timeoutMs?: number;
  /** Opens the WebSockets of `events.subscribe`; the global WebSocket unless given (tests, older runtimes). */
  webSocket?: WebSocketFactory;
};

export interface AleflixClient {
  /**
   * Any operation of the spec, checked by TypeScript: the path must exist for the method, and
   * `params` ({ path, query, header }), `body` and the result follow its generated types.
   * Resolves with `{ data, status, headers }`; error statuses throw AleflixApiError.
   */
  request: RequestFn;
  auth: AuthApi;
  apiKeys: ApiKeysApi;
  users: UsersApi;
  titles: TitlesApi;
  seasons: SeasonsApi;
  episodes: EpisodesApi;
  health: HealthApi;
  /** Resumable uploads: `client.uploads.upload(fileOrPath, { onProgress, signal, resume })`. */
  uploads: UploadsApi;
  assets: AssetsApi;
  /** Transcoding jobs. */
  jobs: JobsApi;
  /** Playback: `client.media.stream(id)` signs an HLS URL. */
  media: MediaApi;
  /** Live transcoding progress: `for await (const message of client.events.subscribe({ assetId }))`. */
  events: EventsApi;
}

export function createClient(options: ClientOptions): AleflixClient {
  if (!options.baseUrl) throw new TypeError('createClient: baseUrl is required');
  const retry = retryPolicy(options.retry);
  const random = () => Math.random();
  const transport = new Transport({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    retry,
    timeoutMs: options.timeoutMs,
    random,
  });
  // Type erasure happens here, once: the public signature is RequestFn's.
  const request = ((method: string, path: string, init?: RawRequest) =>
    transport.send(method, path, init)) as RequestFn;
  const session = new Session(
    options,
    {
      login: async (body: Login) => (await request('post', '/auth/login', { body })).data as TokenPair,
      refresh: async (body: Refresh) => (await request('post', '/auth/refresh', { body })).data as TokenPair,
    },
    options.onTokens,
  );
  transport.attach(session);
  return {
    request,
    auth: authApi(request, session, options.credentials),
    apiKeys: apiKeysApi(request),
    users: usersApi(request),
    titles: titlesApi(request),
    seasons: seasonsApi(request),
    episodes: episodesApi(request),
    health: healthApi(request),
    uploads: uploadsApi(request, transport, retry, random),
    assets: assetsApi(request),
    jobs: jobsApi(request),
    media: mediaApi(request),
    events: eventsApi(request, {
      transport,
      session,
      createSocket: options.webSocket ?? globalWebSocket,
      credentialsIn: isNode() ? 'headers' : 'query',
      random,
    }),
  };
}

const globalWebSocket: WebSocketFactory = (url, init) => {
  if (typeof globalThis.WebSocket !== 'function') {
    throw new TypeError('events.subscribe needs a global WebSocket (Node.js ≥ 22, browsers) or the webSocket option');
  }
  // Node's WebSocket (undici) takes headers in its second argument, which the DOM typings
  // know only as protocols; browsers get no headers.
  const NodeWebSocket = globalThis.WebSocket as unknown as new (
    url: string,
    options?: { headers: Record<string, string> },
  ) => WebSocketLike;
  return new NodeWebSocket(url, init.headers ? { headers: init.headers } : undefined);
};

/** Node's WebSocket can send headers, so credentials stay out of the URL there. */
function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}
