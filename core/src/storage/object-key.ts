import { InvalidObjectKeyError, InvalidRangeError, MultipartUploadError } from './storage.errors.js';
import type { ByteRange } from './storage.port.js';

/**
 * Key rules shared by every adapter, so a key that works locally also works on S3 and the
 * other way round: `[A-Za-z0-9._-]` segments joined by `/`. Keys are server-generated, so the
 * rules are strict on purpose: anything that could escape a root directory or mean something
 * to a filesystem (`..`, `.`, empty segments, absolute paths, backslashes, NUL) is refused.
 */
export const MAX_OBJECT_KEY_LENGTH = 1024;

/** Filesystems limit one file name to 255 bytes; keys stay well inside that on every adapter. */
export const MAX_SEGMENT_LENGTH = 200;

/** Local storage keeps multipart parts under this top-level folder, so keys may not use it. */
export const RESERVED_KEY_PREFIX = '.multipart';

/** S3 numbers parts 1..10000. */
export const MAX_PART_NUMBER = 10_000;

/** S3 refuses to complete an upload whose parts (all but the last) are smaller than this. */
export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;

const SEGMENT = /^[A-Za-z0-9._-]+$/;

function segmentProblem(segment: string): string | null {
  if (segment === '') return 'empty path segment';
  if (segment === '.' || segment === '..') return `"${segment}" segment`;
  if (segment.length > MAX_SEGMENT_LENGTH) return `a path segment is longer than ${MAX_SEGMENT_LENGTH} characters`;
  if (!SEGMENT.test(segment)) return 'only A-Z, a-z, 0-9, ".", "_", "-" and "/" are allowed';
  return null;
}

function commonProblem(key: string): string | null {
  if (key.length > MAX_OBJECT_KEY_LENGTH) return `longer than ${MAX_OBJECT_KEY_LENGTH} characters`;
  if (key.includes('\0')) return 'contains NUL';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.startsWith('/')) return 'absolute path';
  return null;
}

/** Throws InvalidObjectKeyError unless `key` is a valid object key. */
export function validateObjectKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new InvalidObjectKeyError(String(key), 'empty key');
  const problem = commonProblem(key) ?? segmentsProblem(key.split('/'));
  if (problem) throw new InvalidObjectKeyError(key, problem);
  if (key === RESERVED_KEY_PREFIX || key.startsWith(`${RESERVED_KEY_PREFIX}/`)) {
    throw new InvalidObjectKeyError(key, `"${RESERVED_KEY_PREFIX}" is reserved`);
  }
}

/**
 * Validates a `deletePrefix` prefix: a valid key followed by `/` (the whole store cannot be
 * wiped through this call).
 */
export function validateDirectoryPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new InvalidObjectKeyError(String(prefix), 'a prefix must end with "/"');
  }
  validateObjectKey(prefix.slice(0, -1));
}

/**
 * Validates a `list` prefix. Like S3 it is a plain string prefix (`assets/1/seg` matches
 * `assets/1/segment-0.ts`); the empty prefix lists everything.
 */
export function validateListPrefix(prefix: string): void {
  if (prefix === '') return;
  if (typeof prefix !== 'string') throw new InvalidObjectKeyError(String(prefix), 'not a string');
  const problem = commonProblem(prefix) ?? segmentsProblem(prefix.split('/'), true);
  if (problem) throw new InvalidObjectKeyError(prefix, problem);
}

function segmentsProblem(segments: string[], lastMayBeEmpty = false): string | null {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    // In a prefix the last segment may be empty ("a/") or partial ("a/seg"); a partial "." or
    // ".." is still refused because it could only complete into a refused key.
    if (lastMayBeEmpty && i === segments.length - 1 && segment === '') continue;
    const problem = segmentProblem(segment);
    if (problem) return problem;
  }
  return null;
}

export function validatePartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new MultipartUploadError(
      'invalid_part_number',
      `Part number must be an integer in 1..${MAX_PART_NUMBER}, got ${partNumber}`,
    );
  }
}

/**
 * Sorts a completion list by part number (the port promises part-number order whatever the
 * caller sends) and refuses empty lists and duplicates.
 */
export function sortCompletedParts<T extends { partNumber: number }>(parts: readonly T[]): T[] {
  if (parts.length === 0) throw new MultipartUploadError('no_parts', 'Cannot complete an upload with no parts');
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  sorted.forEach((part, i) => {
    validatePartNumber(part.partNumber);
    if (i > 0 && sorted[i - 1]?.partNumber === part.partNumber) {
      throw new MultipartUploadError('invalid_part_number', `Part ${part.partNumber} is listed twice`);
    }
  });
  return sorted;
}

/** Etags are compared without quotes and case: S3 returns `"abc"`, clients may strip them. */
export function sameEtag(a: string, b: string): boolean {
  const normalise = (etag: string) => etag.trim().replaceAll('"', '').toLowerCase();
  return normalise(a) === normalise(b);
}

export function validateRange(key: string, range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0)
    throw new InvalidRangeError(key, range, 'start must be a non-negative integer');
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new InvalidRangeError(key, range, 'end must be an integer not before start');
  }
}
