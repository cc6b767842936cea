export { createClient, type AleflixClient, type ClientOptions } from './client.js';
export { AleflixApiError, AleflixNetworkError } from './errors.js';
export type { AuthOptions, OnTokens } from './session.js';
export type { RetryOptions } from './retry.js';
export type { FetchLike } from './transport.js';
export type { Page } from './pagination.js';
export type { AuthApi, ApiKeysApi, UsersApi } from './resources/identity.js';
export type { TitlesApi, SeasonsApi, EpisodesApi } from './resources/catalog.js';
export type { HealthApi } from './resources/health.js';
export type { EventsApi } from './resources/events.js';
export type { EventFilter, SubscribeOptions } from './events/subscribe.js';
export type { WebSocketFactory, WebSocketLike } from './events/socket.js';
export type { AssetsApi, AssetWaitOptions, JobsApi, MediaApi, UploadsApi } from './resources/media.js';
export type {
  UploadOpenEvent,
  UploadOptions,
  UploadPartEvent,
  UploadProgress,
  UploadResult,
} from './uploads/resumable.js';
export { guessContentType, type UploadInput, type UploadSource } from './uploads/source.js';
export type {
  ApiResponse,
  BodyOption,
  CallOptions,
  HttpMethod,
  InitArgs,
  OperationAt,
  OperationKey,
  ParamsOption,
  PathsWithMethod,
  ProblemCode,
  RequestBody,
  RequestFn,
  RequestOptions,
  Schema,
  SuccessData,
  Upserted,
  WithEtag,
} from './types.js';
// The generated spec types: paths, operations, components and one alias per schema (Title, User…).
export type * from './generated/openapi.js';
