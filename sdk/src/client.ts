// createClient: one self-contained instance per call (its own tokens, retry policy and fetch);
// nothing is global, so several clients (say, an admin and a viewer) can coexist.
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
  };
}
