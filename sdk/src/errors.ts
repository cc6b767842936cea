import type { Problem } from './generated/openapi.js';
import type { ProblemCode } from './types.js';

/**
 * The API answered with an error status. `code` is the stable problem+json code
 * (`slug_taken`, `precondition_failed`…) to branch on; it is undefined only when the body was
 * not problem+json (a proxy's HTML 502, say).
 */
export class AleflixApiError extends Error {
  override readonly name = 'AleflixApiError';
  readonly status: number;
  readonly code: ProblemCode | undefined;
  /** The parsed problem+json body, when the response had one. */
  readonly problem: Problem | undefined;
  /** Correlates with the API's logs: the problem's requestId or the X-Request-Id header. */
  readonly requestId: string | undefined;
  readonly method: string;
  readonly url: string;
  /** Response headers, e.g. Retry-After on a 429. */
  readonly headers: Headers;

  constructor(init: { status: number; problem: Problem | undefined; method: string; url: string; headers: Headers }) {
    const { status, problem, method, url, headers } = init;
    const reason = problem ? `${problem.code}: ${problem.detail ?? problem.title}` : 'no problem details';
    super(`${method} ${url} failed with ${status} (${reason})`);
    this.status = status;
    this.problem = problem;
    this.code = problem?.code;
    this.requestId = problem?.requestId ?? headers.get('x-request-id') ?? undefined;
    this.method = method;
    this.url = url;
    this.headers = headers;
  }
}

/** The request never got an HTTP response: connection refused, DNS, reset, timeout. */
export class AleflixNetworkError extends Error {
  override readonly name = 'AleflixNetworkError';
  readonly method: string;
  readonly url: string;

  constructor(init: { method: string; url: string; cause: unknown }) {
    super(`${init.method} ${init.url} failed without a response: ${describe(init.cause)}`, { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
  }
}

/** "fetch failed (ECONNREFUSED)": undici hides the useful part in the cause's cause. */
function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof inner?.code === 'string' ? inner.code : typeof inner?.message === 'string' ? inner.message : '';
  return detail && !cause.message.includes(detail) ? `${cause.message} (${detail})` : cause.message;
}

/** Reads a problem+json body defensively: anything without a string `code` is not one. */
export function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const candidate = body as Partial<Problem>;
  return typeof candidate.code === 'string' && typeof candidate.status === 'number' ? (body as Problem) : undefined;
}
