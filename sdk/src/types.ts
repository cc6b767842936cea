// Type-level views of the generated `paths` and `operations`: which paths exist for a method,
// what a request to them takes and what a success returns. Nothing here restates a schema;
// everything is computed from src/generated/openapi.ts, so a spec change is a compile error.
import type { components, operations, paths } from './generated/openapi.js';
import type { publicOperations } from './generated/security.js';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

/** Paths that have an operation for `method`, e.g. `PathsWithMethod<'get'>` includes '/titles/{title}'. */
export type PathsWithMethod<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];

/** The generated operation object for a method and path. */
export type OperationAt<M extends HttpMethod, P extends PathsWithMethod<M>> = paths[P][M];

/** "<method> <path>" of every operation in the spec. */
export type OperationKey = { [M in HttpMethod]: `${M} ${PathsWithMethod<M>}` }[HttpMethod];

// The generated list must name real operations: a typo or a stale entry does not compile.
type AssertOperationKeys<T extends readonly OperationKey[]> = T;
export type PublicOperationKey = AssertOperationKeys<typeof publicOperations>[number];

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** The JSON media type of a content map (the API only speaks JSON). */
type JsonOf<C> = C extends { 'application/json': infer J } ? J : C[keyof C];

/** `{ path, query, header }` of an operation; `params` is required when any of them is. */
export type ParamsOption<O> = O extends { parameters: infer P }
  ? [RequiredKeys<P>] extends [never]
    ? { params?: P }
    : { params: P }
  : { params?: never };

type RequestBodyOf<O> = O extends { requestBody?: infer B } ? NonNullable<B> : never;

/** The JSON request body of an operation, or `never` when it takes none. */
export type RequestBody<O> = RequestBodyOf<O> extends { content: infer C } ? JsonOf<C> : never;

export type BodyOption<O> = [RequestBody<O>] extends [never]
  ? { body?: never }
  : O extends { requestBody: object }
    ? { body: RequestBody<O> }
    : { body?: RequestBody<O> };

/** Per-request extras that every operation accepts. */
export interface CallOptions {
  /** Extra request headers (credentials are added by the client). */
  headers?: Record<string, string>;
  /** Cancels the request and any retry wait. */
  signal?: AbortSignal;
}

export type RequestOptions<O> = ParamsOption<O> & BodyOption<O> & CallOptions;

/** `init` is optional exactly when nothing in it is required. */
export type InitArgs<O> = [RequiredKeys<RequestOptions<O>>] extends [never]
  ? [init?: RequestOptions<O>]
  : [init: RequestOptions<O>];

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226 | '2XX';
type ResponseContent<R> = R extends { content: infer C } ? ([C] extends [never] ? undefined : JsonOf<C>) : undefined;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;

/** What a successful call returns: the JSON of its 2xx responses, `undefined` for 204s. */
export type SuccessData<O> = {
  [S in keyof ResponsesOf<O>]: S extends SuccessStatus ? ResponseContent<ResponsesOf<O>[S]> : never;
}[keyof ResponsesOf<O>];

/** A successful response: the parsed body plus status and headers (for ETag, Location…). */
export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

// Shorthands by operationId, used by the grouped surface.
export type Op = keyof operations;
export type BodyOf<K extends Op> = RequestBody<operations[K]>;
export type DataOf<K extends Op> = SuccessData<operations[K]>;
export type PathParamsOf<K extends Op> = operations[K]['parameters']['path'];
export type QueryOf<K extends Op> = NonNullable<operations[K]['parameters']['query']>;
export type HeadersOf<K extends Op> = NonNullable<operations[K]['parameters']['header']>;

/** A schema by name: `Schema<'Title'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

/** The stable error codes of problem+json responses (the spec's Problem.code enum). */
export type ProblemCode = components['schemas']['Problem']['code'];

/** A response whose ETag the API sends, for optimistic concurrency (`If-Match`). */
export interface WithEtag<T> {
  data: T;
  etag: string;
}

/** Result of an upsert: 201 (created) or 200 (updated). */
export interface Upserted<T> extends WithEtag<T> {
  created: boolean;
}

/** The typed generic call: `client.request('get', '/titles/{title}', { params: { path: { title } } })`. */
export type RequestFn = <M extends HttpMethod, P extends PathsWithMethod<M>>(
  method: M,
  path: P,
  ...init: InitArgs<OperationAt<M, P>>
) => Promise<ApiResponse<SuccessData<OperationAt<M, P>>>>;
