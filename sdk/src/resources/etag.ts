import type { ApiResponse, Upserted, WithEtag } from '../types.js';

/** Pairs a response with its ETag, which the title endpoints always send. */
export function withEtag<T>(response: ApiResponse<T>, what: string): WithEtag<T> {
  const etag = response.headers.get('etag');
  if (etag === null) {
    // Seen in browsers when the API is cross-origin and does not expose the header.
    throw new Error(
      `${what}: the response has no ETag header (cross-origin? expose it with Access-Control-Expose-Headers)`,
    );
  }
  return { data: response.data, etag };
}

/** An upsert answers 201 when it created the resource and 200 when it updated it. */
export function upserted<T>(response: ApiResponse<T>, what: string): Upserted<T> {
  return { ...withEtag(response, what), created: response.status === 201 };
}
