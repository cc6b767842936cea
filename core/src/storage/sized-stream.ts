import { Transform } from 'node:stream';
import { MultipartUploadError } from './storage.errors.js';

/**
 * A pass-through that fails unless exactly `size` bytes go through it: more fails as soon as
 * the excess arrives (no disk or network spent on a body that is already wrong), fewer fails
 * at the end. `onChunk` sees every chunk (e.g. to hash it).
 */
export function sizeChecked(partNumber: number, size: number, onChunk?: (chunk: Buffer) => void): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > size) return callback(sizeMismatch(partNumber, size, received));
      onChunk?.(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      callback(received === size ? null : sizeMismatch(partNumber, size, received));
    },
  });
}

/**
 * Like `sizeChecked`, but never errors the stream: on a mismatch it calls `onMismatch` once
 * and swallows the rest. For bodies handed to the AWS SDK, which re-emits stream errors
 * where nobody listens; the caller aborts the request from `onMismatch` instead.
 */
export function sizeGuard(partNumber: number, size: number, onMismatch: (error: Error) => void): Transform {
  let received = 0;
  let failed = false;
  const fail = (error: Error) => {
    if (!failed) onMismatch(error);
    failed = true;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > size) fail(sizeMismatch(partNumber, size, received));
      callback(null, failed ? undefined : chunk);
    },
    flush(callback) {
      if (received !== size) fail(sizeMismatch(partNumber, size, received));
      callback();
    },
  });
}

export function validatePartSize(partNumber: number, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MultipartUploadError(
      'size_mismatch',
      `Part ${partNumber}: size must be a non-negative integer, got ${size}`,
    );
  }
}

export function sizeMismatch(partNumber: number, expected: number, received: number): MultipartUploadError {
  return new MultipartUploadError(
    'size_mismatch',
    `Part ${partNumber} was announced as ${expected} bytes but ${received > expected ? 'more' : received} arrived`,
  );
}
