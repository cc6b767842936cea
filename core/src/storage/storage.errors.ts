/**
 * Errors the storage adapters throw besides the port's ObjectNotFoundError. Each has a stable
 * `name` so the API can map it to a problem response without instanceof across bundles.
 */

/** A key (or prefix) that breaks the key rules; see `validateObjectKey`. */
export class InvalidObjectKeyError extends Error {
  override readonly name = 'InvalidObjectKeyError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Invalid object key ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)}: ${reason}`);
  }
}

/** A byte range that does not fit the object (start past the end, end before start). */
export class InvalidRangeError extends Error {
  override readonly name = 'InvalidRangeError';
  constructor(
    readonly key: string,
    readonly range: { start: number; end?: number },
    detail = 'the range is not satisfiable',
  ) {
    super(`Invalid range ${range.start}-${range.end ?? ''} for ${key}: ${detail}`);
  }
}

export type MultipartUploadErrorCode =
  /** A listed part was never uploaded, or its etag does not match the stored part. */
  | 'invalid_part'
  /** A part other than the last is smaller than the minimum part size (S3: 5 MiB). */
  | 'part_too_small'
  /** Part number outside 1..10000, or listed twice. */
  | 'invalid_part_number'
  /** The body of a part did not have the announced size. */
  | 'size_mismatch'
  /** Completing with an empty part list. */
  | 'no_parts';

/** A multipart call the store refused; the upload itself still exists (retry the part / fix the list). */
export class MultipartUploadError extends Error {
  override readonly name = 'MultipartUploadError';
  constructor(
    readonly code: MultipartUploadErrorCode,
    message: string,
  ) {
    super(message);
  }
}
