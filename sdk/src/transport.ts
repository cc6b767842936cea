// Sends one operation: fills the path, adds credentials, retries what is safe to retry,
// renews an expired access token once, and turns error responses into AleflixApiError.
// ofetch does the HTTP part (query strings, JSON bodies, response parsing); its own
// retries are off because they know neither Retry-After nor jitter.
import { createFetch, type $Fetch, type FetchResponse } from 'ofetch';
import { AleflixApiError, AleflixNetworkError, asProblem } from './errors.js';
import { publicOperations } from './generated/security.js';
import { backoffDelay, isIdempotent, isRetryableStatus, parseRetryAfter, sleep, type RetryPolicy } from './retry.js';
import type { Credential, Session } from './session.js';
import type { ApiResponse } from './types.js';

/** Anything shaped like the global `fetch` (inject one in tests, or to add tracing). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A request before typing is erased: what `client.request` hands over. */
export interface RawRequest {
  params?: {
    path?: Record<string, unknown>;
    query?: Record<string, unknown>;
    header?: Record<string, unknown>;
  };
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Raw bytes sent as-is (upload parts) instead of a JSON `body`; set a content-type in `headers`. */
  rawBody?: Uint8Array | Blob;
  /** Overrides the retry policy's attempts for this call (1: no retries; >1 also for a POST the API documents as idempotent). */
  attempts?: number;
}

export interface TransportOptions {
  baseUrl: string;
  fetch: FetchLike | undefined;
  retry: RetryPolicy;
  timeoutMs: number | undefined;
  /** Source of jitter; Math.random unless a test pins it. */
  random: () => number;
}

const PUBLIC: ReadonlySet<string> = new Set(publicOperations);

export class Transport {
  private readonly $fetch: $Fetch;
  private readonly baseUrl: string;
  private session: Session | undefined;

  constructor(private readonly options: TransportOptions) {
    this.$fetch = createFetch({ fetch: (options.fetch ?? globalThis.fetch) as typeof globalThis.fetch });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The session is created after the transport because it signs in through it. */
  attach(session: Session): void {
    this.session = session;
  }

  /** The API's base URL without a trailing slash. */
  get base(): string {
    return this.baseUrl;
  }

  /**
   * A request outside the API (a presigned storage URL): no credentials, no retries, no
   * problem parsing; the caller reads the Response.
   */
  async sendExternal(
    method: string,
    url: string,
    init: { body?: Uint8Array | Blob; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Response> {
    const fetchFn = this.options.fetch ?? globalThis.fetch;
    const timeout = this.options.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.options.timeoutMs);
    const signals = [init.signal, timeout].filter((signal): signal is AbortSignal => signal !== undefined);
    try {
      return await fetchFn(url, {
        method,
        headers: init.headers,
        body: init.body as RequestInit['body'],
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
      });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new AleflixNetworkError({ method, url, cause: error });
    }
  }

  async send(method: string, pathTemplate: string, init: RawRequest = {}): Promise<ApiResponse<unknown>> {
    const verb = method.toUpperCase();
    const url = this.baseUrl + fillPath(pathTemplate, init.params?.path);
    const session = PUBLIC.has(`${method.toLowerCase()} ${pathTemplate}`) ? undefined : this.session;

    let credential = session ? await session.credential() : undefined;
    let response = await this.withRetries(verb, url, init, credential);
    if (session && response.status === 401 && asProblem(response._data)?.code === 'token_expired') {
      // Renew once (shared with every call that failed alongside) and send again once.
      if (await session.renew(credential?.accessToken)) {
        credential = await session.credential();
        response = await this.withRetries(verb, url, init, credential);
      }
    }
    if (!response.ok) {
      throw new AleflixApiError({
        status: response.status,
        problem: asProblem(response._data),
        method: verb,
        url,
        headers: response.headers,
      });
    }
    return { data: response._data, status: response.status, headers: response.headers };
  }

  private async withRetries(
    method: string,
    url: string,
    init: RawRequest,
    credential: Credential | undefined,
  ): Promise<FetchResponse<unknown>> {
    const { retry, random } = this.options;
    const attempts = init.attempts ?? (isIdempotent(method) ? retry.attempts : 1);
    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt < attempts;
      let response: FetchResponse<unknown>;
      try {
        response = await this.attempt(method, url, init, credential);
      } catch (error) {
        if (init.signal?.aborted) throw init.signal.reason;
        // ofetch wraps the fetch failure; report the underlying one.
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        const networkError = new AleflixNetworkError({ method, url, cause });
        if (!canRetry) throw networkError;
        await sleep(backoffDelay(attempt, retry, random), init.signal);
        continue;
      }
      if (!canRetry || !isRetryableStatus(response.status)) return response;
      const wait = parseRetryAfter(response.headers.get('retry-after')) ?? backoffDelay(attempt, retry, random);
      // A server asking for a longer pause than we are willing to wait gets its error back now.
      if (wait > retry.maxDelayMs) return response;
      await sleep(wait, init.signal);
    }
  }

  private attempt(
    method: string,
    url: string,
    init: RawRequest,
    credential: Credential | undefined,
  ): Promise<FetchResponse<unknown>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(init.params?.header ?? {})) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
    Object.assign(headers, lowerCaseKeys(init.headers), credential?.headers);
    const timeout = this.options.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.options.timeoutMs);
    const signals = [init.signal, timeout].filter((signal): signal is AbortSignal => signal !== undefined);
    return this.$fetch.raw(url, {
      method,
      headers,
      query: definedEntries(init.params?.query),
      // ofetch JSON-encodes plain objects and passes bytes and Blobs through untouched.
      body: (init.rawBody ?? init.body) as Record<string, unknown> | undefined,
      signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
      retry: false,
      ignoreResponseError: true,
    });
  }
}

/** '/titles/{title}' + { title: 'a b' } → '/titles/a%20b'. */
export function fillPath(template: string, values: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values?.[name];
    if (value === undefined || value === null || value === '') {
      throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    }
    return encodeURIComponent(String(value));
  });
}

function definedEntries(query: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!query) return undefined;
  const entries = Object.entries(query).filter(([, value]) => value !== undefined && value !== null);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}
