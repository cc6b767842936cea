import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createReadStream } from 'node:fs';
import { awsRetrySettings } from '../aws/retry-settings.js';
import { Readable } from 'node:stream';
import {
  MAX_OBJECT_KEY_LENGTH,
  sortCompletedParts,
  validateDirectoryPrefix,
  validateListPrefix,
  validateObjectKey,
  validatePartNumber,
  validateRange,
} from './object-key.js';
import { sizeGuard, sizeMismatch, validatePartSize } from './sized-stream.js';
import { InvalidObjectKeyError, InvalidRangeError, MultipartUploadError } from './storage.errors.js';
import {
  ObjectNotFoundError,
  type ByteRange,
  type ObjectInfo,
  type ObjectStorage,
  type PutOptions,
  type UploadedPart,
} from './storage.port.js';

export interface S3ObjectStorageOptions {
  bucket: string;
  /** Key prefix inside the bucket (`aleflix/` → objects at `aleflix/<key>`); none by default. */
  prefix?: string;
  client: S3Client;
  /** Part size used when streaming `put`/`putFile` bodies (lib-storage Upload); default 8 MiB. */
  streamPartSize?: number;
  /** Keys listed and deleted per request in `deletePrefix`: 1..1000 (S3's maximum, the default). */
  deleteBatchSize?: number;
}

export interface S3ClientOptions {
  region: string;
  /** For S3-compatible stores (MinIO, R2, fauxqs): `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible stores need. */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * The SDK default (`WHEN_SUPPORTED`) adds CRC32 checksums to uploads; some S3-compatible
   * stores reject the aws-chunked trailers that carry them, `WHEN_REQUIRED` turns them off.
   */
  requestChecksumCalculation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
}

/**
 * An S3Client for `S3ObjectStorage` (custom endpoint and path-style for S3-compatible stores),
 * retrying throttling, 5xx and network errors in the SDK's standard mode (aws/retry-settings.ts).
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const config: S3ClientConfig = { region: options.region, ...awsRetrySettings() };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  if (options.credentials) config.credentials = options.credentials;
  if (options.requestChecksumCalculation) config.requestChecksumCalculation = options.requestChecksumCalculation;
  return new S3Client(config);
}

const DELETE_BATCH = 1000;

/**
 * Objects in an S3 bucket (or any S3-compatible store). Keys follow the same rules as local
 * storage (`validateObjectKey`), so nothing works on one and fails on the other.
 */
export class S3ObjectStorage implements ObjectStorage {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly streamPartSize: number;
  private readonly deleteBatchSize: number;

  constructor(options: S3ObjectStorageOptions) {
    this.bucket = options.bucket;
    this.client = options.client;
    this.prefix = normalisePrefix(options.prefix);
    this.streamPartSize = options.streamPartSize ?? 8 * 1024 * 1024;
    this.deleteBatchSize = Math.min(Math.max(1, Math.floor(options.deleteBatchSize ?? DELETE_BATCH)), DELETE_BATCH);
  }

  async put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
    validateObjectKey(key);
    const signal = options?.signal;
    signal?.throwIfAborted();
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const command = new PutObjectCommand({ ...this.target(key), Body: body, ...headers(options) });
      await abortable(signal, () => this.client.send(command, signal ? { abortSignal: signal } : {}));
      return;
    }
    await this.upload(key, body, options);
  }

  async putFile(key: string, filePath: string, options?: PutOptions): Promise<void> {
    validateObjectKey(key);
    options?.signal?.throwIfAborted();
    // lib-storage reads the size from the stream's path: one PutObject for small files,
    // a parallel multipart upload for large ones.
    const body = createReadStream(filePath);
    try {
      await this.upload(key, body, options);
    } finally {
      // lib-storage leaves a stream it stopped reading (failure, abort) open: close the file.
      body.destroy();
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    validateObjectKey(key);
    if (range) validateRange(key, range);
    try {
      const output = await this.client.send(
        new GetObjectCommand({
          ...this.target(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      );
      if (!(output.Body instanceof Readable)) throw new Error(`S3 returned no readable body for ${key}`);
      return output.Body;
    } catch (error) {
      if (hasCode(error, 'NoSuchKey', 'NotFound')) throw new ObjectNotFoundError(key);
      if (range && hasCode(error, 'InvalidRange')) throw new InvalidRangeError(key, range);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    validateObjectKey(key);
    try {
      const output = await this.client.send(new HeadObjectCommand(this.target(key)));
      const info: ObjectInfo = { key, size: output.ContentLength ?? 0 };
      if (output.LastModified) info.lastModified = output.LastModified;
      if (output.ContentType) info.contentType = output.ContentType;
      return info;
    } catch (error) {
      if (hasCode(error, 'NotFound', 'NoSuchKey')) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.client.send(new DeleteObjectCommand(this.target(key)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    validateDirectoryPrefix(prefix);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          MaxKeys: this.deleteBatchSize,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const result = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        const errors = result.Errors ?? [];
        if (errors.length > 0) {
          const first = errors[0];
          throw new Error(
            `Could not delete ${errors.length} object(s) under ${prefix}: ${first?.Key} ${first?.Code} ${first?.Message}`,
          );
        }
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validateListPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key?.startsWith(this.prefix)) continue;
        const info: ObjectInfo = { key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 };
        if (object.LastModified) info.lastModified = object.LastModified;
        yield info;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async createMultipartUpload(key: string, options?: PutOptions): Promise<{ uploadId: string }> {
    validateObjectKey(key);
    const signal = options?.signal;
    signal?.throwIfAborted();
    // Not cut short once sent: S3 could create the upload without our learning its id, and
    // nobody could abort it. An abort meanwhile aborts it as soon as the id is known.
    const output = await this.client.send(
      new CreateMultipartUploadCommand({ ...this.target(key), ...headers(options) }),
    );
    if (!output.UploadId) throw new Error(`S3 returned no upload id for ${key}`);
    if (signal?.aborted) {
      await this.abortMultipartUpload(key, output.UploadId).catch(() => undefined);
      throw signal.reason;
    }
    return { uploadId: output.UploadId };
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable | Buffer,
    size: number,
  ): Promise<UploadedPart> {
    validateObjectKey(key);
    validatePartNumber(partNumber);
    validatePartSize(partNumber, size);
    if (Buffer.isBuffer(body) && body.length !== size) throw sizeMismatch(partNumber, size, body.length);
    // A stream that turns out shorter or longer than announced fails here instead of leaving
    // S3 waiting for bytes that never come.
    // A stream that turns out shorter or longer than announced aborts the request instead of
    // leaving S3 waiting for bytes that never come (or storing a part of the wrong size).
    const abort = new AbortController();
    let streamError: unknown;
    let payload: Buffer | Readable = body;
    if (!Buffer.isBuffer(body)) {
      const fail = (error: unknown) => {
        streamError ??= error;
        abort.abort(error);
      };
      const guard = sizeGuard(partNumber, size, fail);
      body.on('error', fail);
      payload = body.pipe(guard);
    }
    try {
      const output = await this.client.send(
        new UploadPartCommand({
          ...this.target(key),
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: payload,
          ContentLength: size,
        }),
        { abortSignal: abort.signal },
      );
      if (!output.ETag) throw new Error(`S3 returned no etag for part ${partNumber} of ${key}`);
      return { partNumber, etag: output.ETag, size };
    } catch (error) {
      if (streamError) throw streamError;
      if (hasCode(error, 'NoSuchUpload')) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSeconds: number,
  ): Promise<string | null> {
    validateObjectKey(key);
    validatePartNumber(partNumber);
    const command = new UploadPartCommand({ ...this.target(key), UploadId: uploadId, PartNumber: partNumber });
    // With the SDK's default flexible checksums, the CRC32 of the (absent, so empty) body is
    // signed into the URL and S3 would reject every real part PUT to it. The client cannot
    // know the checksum of bytes it has not sent yet, so drop those headers before signing.
    command.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        for (const name of Object.keys(headers)) {
          if (/^x-amz-(checksum-|sdk-checksum-algorithm$)/i.test(name)) delete headers[name];
        }
        return next(args);
      },
      { step: 'build', priority: 'low', name: 'aleflixPresignWithoutChecksum' },
    );
    return getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    validateObjectKey(key);
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const page = await this.client.send(
          new ListPartsCommand({
            ...this.target(key),
            UploadId: uploadId,
            ...(marker ? { PartNumberMarker: marker } : {}),
          }),
        );
        for (const part of page.Parts ?? []) {
          if (part.PartNumber === undefined || !part.ETag) continue;
          parts.push({ partNumber: part.PartNumber, etag: part.ETag, size: part.Size ?? 0 });
        }
        if (!page.IsTruncated || !page.NextPartNumberMarker) break;
        marker = page.NextPartNumberMarker;
      }
    } catch (error) {
      if (hasCode(error, 'NoSuchUpload')) throw new ObjectNotFoundError(key);
      throw error;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<void> {
    validateObjectKey(key);
    const sorted = sortCompletedParts(parts);
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          ...this.target(key),
          UploadId: uploadId,
          MultipartUpload: {
            Parts: sorted.map((part) => ({ PartNumber: part.partNumber, ETag: quoteEtag(part.etag) })),
          },
        }),
      );
    } catch (error) {
      if (hasCode(error, 'NoSuchUpload')) throw new ObjectNotFoundError(key);
      if (hasCode(error, 'InvalidPart')) {
        throw new MultipartUploadError(
          'invalid_part',
          `A listed part of ${key} was not uploaded or its etag does not match`,
        );
      }
      if (hasCode(error, 'EntityTooSmall')) {
        throw new MultipartUploadError('part_too_small', `A part of ${key} other than the last is smaller than 5 MiB`);
      }
      throw error;
    }
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    validateObjectKey(key);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ ...this.target(key), UploadId: uploadId }));
    } catch (error) {
      if (!hasCode(error, 'NoSuchUpload')) throw error;
    }
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string | null> {
    validateObjectKey(key);
    return getSignedUrl(this.client, new GetObjectCommand(this.target(key)), { expiresIn: expiresInSeconds });
  }

  private target(key: string): { Bucket: string; Key: string } {
    // S3's own limit is 1024 bytes for the whole key, bucket prefix included.
    if (this.prefix.length + key.length > MAX_OBJECT_KEY_LENGTH) {
      throw new InvalidObjectKeyError(key, `longer than ${MAX_OBJECT_KEY_LENGTH} characters with the bucket prefix`);
    }
    return { Bucket: this.bucket, Key: this.prefix + key };
  }

  /**
   * A streamed upload through lib-storage (PutObject, or a multipart upload for bodies of more
   * than one part). With a signal, lib-storage's own `abort()` is not used: its `done()`
   * rejects at once while requests already sent run on, and a PutObject that ends after the
   * abort still stores the object. Instead every request it sends gets the signal (see
   * `abortableClient`) and the body is destroyed on abort, so a read waiting on a slow source
   * ends too; lib-storage then sees a failed upload, aborts the multipart upload on S3 if it
   * created one, and rejects once that is done. (Should that AbortMultipartUpload fail, the
   * call still rejects with the signal's reason and the upload's parts stay on S3 until
   * removed by a bucket lifecycle rule.)
   */
  private async upload(key: string, body: Readable, options?: PutOptions): Promise<void> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const upload = new Upload({
      client: signal ? abortableClient(this.client, signal) : this.client,
      params: { ...this.target(key), Body: body, ...headers(options) },
      partSize: this.streamPartSize,
      queueSize: 4,
    });
    const stopReading = () => body.destroy(abortError(signal));
    signal?.addEventListener('abort', stopReading, { once: true });
    try {
      await abortable(signal, () => upload.done());
    } finally {
      signal?.removeEventListener('abort', stopReading);
    }
  }
}

/**
 * The client lib-storage sends an upload's requests through: once `signal` has fired, no
 * request is sent any more but AbortMultipartUpload (the clean-up), and the PutObject or
 * UploadPart requests in flight are cut short. CreateMultipartUpload and
 * CompleteMultipartUpload, once sent, run to their answer: cut short, S3 might create an
 * upload whose id we never learn (left dangling), or store the object without our knowing.
 */
function abortableClient(client: S3Client, signal: AbortSignal): S3Client {
  const call = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  const send = (command: unknown, options?: object): Promise<unknown> => {
    if (command instanceof AbortMultipartUploadCommand) return call(command, options);
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (command instanceof CreateMultipartUploadCommand || command instanceof CompleteMultipartUploadCommand) {
      return call(command, options);
    }
    return call(command, { ...options, abortSignal: signal });
  };
  const wrapped = Object.create(client) as S3Client;
  wrapped.send = send as S3Client['send'];
  return wrapped;
}

/** Runs `work`; when the signal has fired by the time it fails, rejects with the signal's reason instead. */
async function abortable<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/** An error for streams and requests stopped by `signal` (its reason, when it is an Error). */
function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError' });
}

function headers(options?: PutOptions): { ContentType?: string; CacheControl?: string } {
  return {
    ...(options?.contentType ? { ContentType: options.contentType } : {}),
    ...(options?.cacheControl ? { CacheControl: options.cacheControl } : {}),
  };
}

function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  try {
    validateObjectKey(trimmed);
  } catch (error) {
    if (error instanceof InvalidObjectKeyError)
      throw new InvalidObjectKeyError(prefix ?? '', `bad bucket prefix: ${error.reason}`);
    throw error;
  }
  return `${trimmed}/`;
}

function quoteEtag(etag: string): string {
  return `"${etag.replaceAll('"', '')}"`;
}

/** S3 errors carry their code as `name` (NoSuchKey) and sometimes only as `Code`. */
function hasCode(error: unknown, ...codes: string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return codes.includes(String(name)) || codes.includes(String(Code));
}
