import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ApiError } from '../common/api-error.js';

/**
 * Passes a part's bytes through while counting and hashing them. It fails the stream before
 * it ends when the size or the SHA-256 is wrong, so the storage adapter (which writes
 * atomically) never keeps a bad part.
 */
export class PartVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly expectedSize: number,
    private readonly expectedSha256: string | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.expectedSize) {
      callback(new ApiError('validation_failed', `Part is larger than its expected ${this.expectedSize} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.expectedSize) {
      callback(new ApiError('validation_failed', `Part has ${this.bytes} bytes; expected ${this.expectedSize}`));
      return;
    }
    const digest = this.hash.digest('hex');
    if (this.expectedSha256 && digest !== this.expectedSha256) {
      callback(new ApiError('checksum_mismatch', `Part SHA-256 is ${digest}; the client said ${this.expectedSha256}`));
      return;
    }
    callback();
  }
}
