// Uploads, assets, transcoding jobs and playback.
import { AleflixApiError } from '../errors.js';
import type { Asset } from '../generated/openapi.js';
import { paginate } from '../pagination.js';
import { sleep, type RetryPolicy } from '../retry.js';
import type { Transport } from '../transport.js';
import type { BodyOf, CallOptions, DataOf, PathParamsOf, QueryOf, RequestFn } from '../types.js';
import { resumableUpload, type UploadCalls, type UploadOptions, type UploadResult } from '../uploads/resumable.js';
import type { UploadInput } from '../uploads/source.js';

type Id = PathParamsOf<'getUpload'>['id'];

export interface UploadsApi {
  /**
   * Uploads a file (Node path), Blob/File or UploadSource: opens the upload (or resumes
   * `resume.uploadId`), sends the missing parts in parallel with a SHA-256 each, retries
   * failed parts, completes it and resolves with the asset. With `sha256`, content the
   * server already has is not sent again (`duplicate: true`).
   */
  upload(input: UploadInput, options?: UploadOptions): Promise<UploadResult>;
  /** POST /uploads: opens an upload (or returns the duplicate asset). */
  create(body: BodyOf<'createUpload'>, options?: CallOptions): Promise<DataOf<'createUpload'>>;
  /** The upload's state and the parts the server has. */
  get(id: Id, options?: CallOptions): Promise<DataOf<'getUpload'>>;
  /** Sends one part through the API (local storage); `sha256` is checked by the server. */
  putPart(
    id: Id,
    partNumber: number,
    bytes: Uint8Array,
    options?: CallOptions & { sha256?: string },
  ): Promise<DataOf<'putUploadPart'>>;
  /** Assembles the parts and queues transcoding (idempotent). */
  complete(id: Id, options?: CallOptions): Promise<DataOf<'completeUpload'>>;
  /** Aborts an open upload and deletes its parts. */
  abort(id: Id, options?: CallOptions): Promise<void>;
}

export interface AssetWaitOptions extends CallOptions {
  /** Between polls (default 2000 ms). */
  intervalMs?: number;
  /** Called with every polled state. */
  onUpdate?: (asset: Asset) => void;
}

export interface AssetsApi {
  list(query?: QueryOf<'listAssets'>, options?: CallOptions): Promise<DataOf<'listAssets'>>;
  iterate(
    query?: Omit<QueryOf<'listAssets'>, 'cursor'>,
    options?: CallOptions,
  ): AsyncGenerator<DataOf<'listAssets'>['items'][number], void, undefined>;
  /** An asset with its media details and latest job. */
  get(id: PathParamsOf<'getAsset'>['id'], options?: CallOptions): Promise<DataOf<'getAsset'>>;
  /** Deletes the asset, its source and outputs. */
  delete(id: PathParamsOf<'deleteAsset'>['id'], options?: CallOptions): Promise<void>;
  /** Transcodes again (a ready asset keeps playing its current outputs meanwhile). */
  retranscode(id: PathParamsOf<'retranscodeAsset'>['id'], options?: CallOptions): Promise<DataOf<'retranscodeAsset'>>;
  /** Attaches to a movie (`{ titleId }`) or an episode (`{ titleId, season, episode }`). */
  attach(
    id: PathParamsOf<'attachAsset'>['id'],
    attachment: BodyOf<'attachAsset'>,
    options?: CallOptions,
  ): Promise<DataOf<'attachAsset'>>;
  detach(id: PathParamsOf<'detachAsset'>['id'], options?: CallOptions): Promise<DataOf<'detachAsset'>>;
  /** Polls until the asset is ready or failed and resolves with it (`events.subscribe` pushes instead). */
  wait(id: PathParamsOf<'getAsset'>['id'], options?: AssetWaitOptions): Promise<DataOf<'getAsset'>>;
}

export interface JobsApi {
  list(query?: QueryOf<'listJobs'>, options?: CallOptions): Promise<DataOf<'listJobs'>>;
  iterate(
    query?: Omit<QueryOf<'listJobs'>, 'cursor'>,
    options?: CallOptions,
  ): AsyncGenerator<DataOf<'listJobs'>['items'][number], void, undefined>;
  get(id: PathParamsOf<'getJob'>['id'], options?: CallOptions): Promise<DataOf<'getJob'>>;
}

export interface MediaApi {
  /** A signed, expiring HLS URL for an asset, a movie or an episode (GET /media/stream/{id}). */
  stream(id: PathParamsOf<'streamMedia'>['id'], options?: CallOptions): Promise<DataOf<'streamMedia'>>;
}

export function uploadsApi(
  request: RequestFn,
  transport: Transport,
  retry: RetryPolicy,
  random: () => number,
): UploadsApi {
  const get: UploadsApi['get'] = async (id, options) =>
    (await request('get', '/uploads/{id}', { ...options, params: { path: { id } } })).data;
  const calls: UploadCalls = {
    create: async (body, signal) => (await request('post', '/uploads', { body, signal })).data,
    find: async (id, signal) => {
      try {
        return await get(id, { signal });
      } catch (error) {
        if (error instanceof AleflixApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    putPart: async (target, bytes, sha256, signal) => {
      if (target.kind === 'api') {
        await sendPartToApi(transport, target.path, bytes, sha256, signal);
        return;
      }
      // Straight to storage: no credentials, and no custom header (it would need CORS and signing).
      const response = await transport.sendExternal('PUT', target.url, { body: bytes, signal });
      if (!response.ok) {
        throw new AleflixApiError({
          status: response.status,
          problem: undefined,
          method: 'PUT',
          url: target.url.split('?')[0] ?? target.url, // never log the signature
          headers: response.headers,
        });
      }
      await response.body?.cancel();
    },
    // The API documents completion as idempotent, so it may be retried like a PUT.
    complete: async (id, signal) =>
      (
        (
          await transport.send('POST', '/uploads/{id}/complete', {
            params: { path: { id } },
            signal,
            attempts: retry.attempts,
          })
        ).data as DataOf<'completeUpload'>
      ).asset,
    getAsset: async (id, signal) => (await request('get', '/assets/{id}', { params: { path: { id } }, signal })).data,
  };
  return {
    upload: (input, options = {}) => resumableUpload(calls, input, options, retry, random),
    create: async (body, options) => (await request('post', '/uploads', { ...options, body })).data,
    get,
    putPart: async (id, partNumber, bytes, { sha256, ...options } = {}) =>
      (
        await transport.send('PUT', '/uploads/{id}/parts/{partNumber}', {
          ...options,
          params: { path: { id, partNumber } },
          headers: {
            ...options.headers,
            'content-type': 'application/octet-stream',
            ...(sha256 ? { 'x-part-sha256': sha256 } : {}),
          },
          rawBody: bytes,
        })
      ).data as DataOf<'putUploadPart'>,
    complete: async (id, options) =>
      (await request('post', '/uploads/{id}/complete', { ...options, params: { path: { id } } })).data,
    abort: async (id, options) => {
      await request('delete', '/uploads/{id}', { ...options, params: { path: { id } } });
    },
  };
}

/** One attempt (the upload loop retries parts itself); the token is still renewed when it expires. */
async function sendPartToApi(
  transport: Transport,
  path: string,
  bytes: Uint8Array,
  sha256: string,
  signal: AbortSignal,
) {
  // partUrlTemplate is an API path; accept an absolute URL on the API's own origin too.
  const relative = path.startsWith(transport.base) ? path.slice(transport.base.length) : path;
  if (/^[a-z]+:/i.test(relative)) throw new Error(`Unexpected part URL outside the API: ${relative}`);
  await transport.send('PUT', relative, {
    headers: { 'content-type': 'application/octet-stream', 'x-part-sha256': sha256 },
    rawBody: bytes,
    signal,
    attempts: 1,
  });
}

export function assetsApi(request: RequestFn): AssetsApi {
  const list: AssetsApi['list'] = async (query, options) =>
    (await request('get', '/assets', { ...options, params: { query } })).data;
  const get: AssetsApi['get'] = async (id, options) =>
    (await request('get', '/assets/{id}', { ...options, params: { path: { id } } })).data;
  return {
    list,
    iterate: (query, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    get,
    delete: async (id, options) => {
      await request('delete', '/assets/{id}', { ...options, params: { path: { id } } });
    },
    retranscode: async (id, options) =>
      (await request('post', '/assets/{id}/retranscode', { ...options, params: { path: { id } } })).data,
    attach: async (id, attachment, options) =>
      (await request('put', '/assets/{id}/attachment', { ...options, params: { path: { id } }, body: attachment }))
        .data,
    detach: async (id, options) =>
      (await request('delete', '/assets/{id}/attachment', { ...options, params: { path: { id } } })).data,
    wait: async (id, { intervalMs = 2000, onUpdate, ...options } = {}) => {
      for (;;) {
        const asset = await get(id, options);
        onUpdate?.(asset);
        if (asset.status === 'ready' || asset.status === 'failed' || asset.status === 'deleted') return asset;
        await sleep(intervalMs, options.signal);
      }
    },
  };
}

export function jobsApi(request: RequestFn): JobsApi {
  const list: JobsApi['list'] = async (query, options) =>
    (await request('get', '/jobs', { ...options, params: { query } })).data;
  return {
    list,
    iterate: (query, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    get: async (id, options) => (await request('get', '/jobs/{id}', { ...options, params: { path: { id } } })).data,
  };
}

export function mediaApi(request: RequestFn): MediaApi {
  return {
    stream: async (id, options) =>
      (await request('get', '/media/stream/{id}', { ...options, params: { path: { id } } })).data,
  };
}
