// The resumable upload: open (or resume) an upload, send the parts the server does not have
// yet in parallel, each with its SHA-256 and its own retries, then complete it. Nothing here
// knows HTTP details: the calls come from resources/media.ts, so the algorithm is the same
// for parts sent through the API (local storage) and straight to presigned S3 URLs.
import { AleflixApiError, AleflixNetworkError } from '../errors.js';
import type { Asset, Attachment, CreateUpload, CreateUploadResult, Upload } from '../generated/openapi.js';
import { backoffDelay, parseRetryAfter, sleep, type RetryPolicy } from '../retry.js';
import { runPool } from './pool.js';
import { guessContentType, sha256Hex, toSource, type UploadInput, type UploadSource } from './source.js';

export interface UploadProgress {
  uploadId: string;
  /** Bytes on the server: parts sent now plus parts found there when resuming. */
  loaded: number;
  total: number;
  partsDone: number;
  partCount: number;
}

export interface UploadPartEvent {
  uploadId: string;
  partNumber: number;
  size: number;
  /** How many attempts this part took. */
  attempts: number;
  /** Bytes on the server after this part, and the total. */
  loaded: number;
  total: number;
}

export interface UploadOpenEvent {
  upload: Upload;
  /** True when an earlier upload (resume.uploadId) is continued. */
  resumed: boolean;
  /** Parts the server already has; they are not sent again. */
  receivedParts: number[];
}

export interface UploadOptions {
  /** Defaults to the File's or path's name. */
  filename?: string;
  /** Checked against the source's size when given. */
  size?: number;
  /** Defaults to the File's type, else a guess from the file name's extension. */
  contentType?: string;
  /** Hex SHA-256 of the whole content: when the server already has it, nothing is uploaded (`duplicate: true`). */
  sha256?: string;
  /** Attach the new asset to a movie, or to an episode of a series. */
  attachTo?: Attachment;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
  /** Attempts per part, the first included (default 5); network errors, 5xx, 408, 429 and checksum mismatches are retried. */
  partAttempts?: number;
  /** Continue this upload: only the parts the server lacks are sent. A closed or unknown upload starts over. */
  resume?: { uploadId: string };
  /** Called (and awaited) once the upload is open, before any part is sent: persist `upload.id` here to resume later. */
  onOpen?: (event: UploadOpenEvent) => void | Promise<void>;
  /** Called after each part the server stored. */
  onPart?: (event: UploadPartEvent) => void;
  onProgress?: (progress: UploadProgress) => void;
  /** Stops sending (in-flight parts are cancelled). The upload stays open, so it can be resumed. */
  signal?: AbortSignal;
}

export interface UploadResult {
  asset: Asset;
  /** True when the server already had this content: `asset` is the existing one and nothing was sent. */
  duplicate: boolean;
  uploadId: string | null;
  resumed: boolean;
  /** Parts sent by this call. */
  partsSent: number[];
  /** Parts the server already had (resumed uploads). */
  partsSkipped: number[];
}

/** Where one part goes. */
export type PartTarget = { kind: 'api'; path: string } | { kind: 'presigned'; url: string };

/** The HTTP calls the algorithm needs (see resources/media.ts). */
export interface UploadCalls {
  create(body: CreateUpload, signal?: AbortSignal): Promise<CreateUploadResult>;
  /** undefined when the upload does not exist (404). */
  find(id: string, signal?: AbortSignal): Promise<Upload | undefined>;
  putPart(target: PartTarget, bytes: Uint8Array, sha256: string, signal: AbortSignal): Promise<void>;
  complete(id: string, signal?: AbortSignal): Promise<Asset>;
  getAsset(id: string, signal?: AbortSignal): Promise<Asset>;
}

export async function resumableUpload(
  calls: UploadCalls,
  input: UploadInput,
  options: UploadOptions,
  retry: RetryPolicy,
  random: () => number = Math.random,
): Promise<UploadResult> {
  const source = await toSource(input);
  try {
    return await new ResumableUpload(calls, source, options, retry, random).run();
  } finally {
    // Only what we opened: a path's file handle.
    if (typeof input === 'string') await source.close?.();
  }
}

class ResumableUpload {
  private readonly signal: AbortSignal | undefined;
  private loaded = 0;
  private partsDone = 0;
  private readonly partsSent: number[] = [];

  constructor(
    private readonly calls: UploadCalls,
    private readonly source: UploadSource,
    private readonly options: UploadOptions,
    private readonly retry: RetryPolicy,
    private readonly random: () => number,
  ) {
    this.signal = options.signal;
  }

  async run(): Promise<UploadResult> {
    const { options, source } = this;
    if (options.size !== undefined && options.size !== source.size) {
      throw new RangeError(`uploads.upload: size ${options.size} does not match the source's ${source.size} bytes`);
    }
    const filename = options.filename ?? source.name;
    if (!filename) throw new TypeError('uploads.upload: filename is required for this source');
    this.signal?.throwIfAborted();

    let upload: Upload | undefined;
    let resumed = false;
    if (options.resume) {
      const found = await this.calls.find(options.resume.uploadId, this.signal);
      if (found?.status === 'completed') {
        const asset = await this.calls.getAsset(found.assetId, this.signal);
        return { asset, duplicate: false, uploadId: found.id, resumed: true, partsSent: [], partsSkipped: [] };
      }
      if (found?.status === 'open' && found.size === source.size && Date.parse(found.expiresAt) > Date.now()) {
        upload = found;
        resumed = true;
      }
    }
    if (!upload) {
      const created = await this.calls.create(
        {
          filename,
          size: source.size,
          contentType: options.contentType ?? source.type ?? guessContentType(filename),
          ...(options.sha256 ? { sha256: options.sha256 } : {}),
          ...(options.attachTo ? { attachTo: options.attachTo } : {}),
        },
        this.signal,
      );
      if (created.duplicate || !created.upload) {
        return {
          asset: created.asset,
          duplicate: true,
          uploadId: null,
          resumed: false,
          partsSent: [],
          partsSkipped: [],
        };
      }
      upload = created.upload;
    }

    const skipped = storedParts(upload);
    await options.onOpen?.({ upload, resumed, receivedParts: skipped });
    this.loaded = skipped.reduce((sum, partNumber) => sum + partLength(upload, partNumber), 0);
    this.partsDone = skipped.length;
    this.report(upload);

    const targets = new PartTargets(this.calls, upload);
    await this.sendParts(upload, targets, missingParts(upload, skipped));
    const asset = await this.complete(upload, targets);
    return { asset, duplicate: false, uploadId: upload.id, resumed, partsSent: this.partsSent, partsSkipped: skipped };
  }

  private async complete(upload: Upload, targets: PartTargets): Promise<Asset> {
    try {
      return await this.calls.complete(upload.id, this.signal);
    } catch (error) {
      // A part went missing server-side (or a concurrent client raced us): send what is missing, once.
      if (!(error instanceof AleflixApiError && error.code === 'upload_incomplete')) throw error;
      const fresh = await this.calls.find(upload.id, this.signal);
      if (!fresh || fresh.status !== 'open') throw error;
      targets.replace(fresh);
      await this.sendParts(upload, targets, missingParts(fresh, storedParts(fresh)));
      return this.calls.complete(upload.id, this.signal);
    }
  }

  private sendParts(upload: Upload, targets: PartTargets, partNumbers: number[]): Promise<void> {
    const concurrency = Math.max(1, Math.floor(this.options.concurrency ?? 4));
    return runPool(
      partNumbers,
      concurrency,
      (partNumber, signal) => this.sendPart(upload, targets, partNumber, signal),
      this.signal,
    );
  }

  private async sendPart(upload: Upload, targets: PartTargets, partNumber: number, signal: AbortSignal): Promise<void> {
    const start = (partNumber - 1) * upload.partSize;
    const bytes = await this.source.read(start, start + partLength(upload, partNumber));
    const sha256 = await sha256Hex(bytes);
    const maxAttempts = Math.max(1, this.options.partAttempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        await this.calls.putPart(await targets.target(partNumber, signal), bytes, sha256, signal);
        this.loaded += bytes.length;
        this.partsDone += 1;
        this.partsSent.push(partNumber);
        this.options.onPart?.({
          uploadId: upload.id,
          partNumber,
          size: bytes.length,
          attempts: attempt,
          loaded: this.loaded,
          total: upload.size,
        });
        this.report(upload);
        return;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (attempt >= maxAttempts || !isRetryablePartError(error)) throw error;
        // A presigned URL may have expired: fetch fresh ones before the next attempt.
        if (error instanceof AleflixApiError && error.status === 403 && targets.presigned) targets.invalidate();
        const retryAfter =
          error instanceof AleflixApiError ? parseRetryAfter(error.headers.get('retry-after')) : undefined;
        await sleep(
          Math.min(retryAfter ?? backoffDelay(attempt, this.retry, this.random), this.retry.maxDelayMs),
          signal,
        );
      }
    }
  }

  private report(upload: Upload): void {
    this.options.onProgress?.({
      uploadId: upload.id,
      loaded: this.loaded,
      total: upload.size,
      partsDone: this.partsDone,
      partCount: upload.partCount,
    });
  }
}

/** Hands out each part's URL; presigned URLs are refreshed from GET /uploads/{id} when missing or expired. */
class PartTargets {
  private upload: Upload;
  private urls = new Map<number, string>();
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly calls: UploadCalls,
    upload: Upload,
  ) {
    this.upload = upload;
    this.replace(upload);
  }

  get presigned(): boolean {
    return this.upload.partUrlTemplate === null;
  }

  replace(upload: Upload): void {
    this.upload = upload;
    this.urls = new Map((upload.presignedPartUrls ?? []).map(({ partNumber, url }) => [partNumber, url]));
  }

  invalidate(): void {
    this.urls.clear();
  }

  async target(partNumber: number, signal: AbortSignal): Promise<PartTarget> {
    const template = this.upload.partUrlTemplate;
    if (template !== null) return { kind: 'api', path: template.replace('{partNumber}', String(partNumber)) };
    if (!this.urls.has(partNumber)) {
      // The API presigns at most 1000 missing parts per answer; ask again (once for every waiting part).
      this.refreshing ??= this.calls.find(this.upload.id, signal).then(
        (fresh) => {
          this.refreshing = undefined;
          if (!fresh || fresh.status !== 'open') throw new Error(`Upload ${this.upload.id} is no longer open`);
          this.replace(fresh);
        },
        (error: unknown) => {
          this.refreshing = undefined;
          throw error;
        },
      );
      await this.refreshing;
    }
    const url = this.urls.get(partNumber);
    if (url === undefined) throw new Error(`Upload ${this.upload.id}: the API gave no URL for part ${partNumber}`);
    return { kind: 'presigned', url };
  }
}

export function partLength(upload: Pick<Upload, 'size' | 'partSize' | 'partCount'>, partNumber: number): number {
  return partNumber < upload.partCount ? upload.partSize : upload.size - upload.partSize * (upload.partCount - 1);
}

/** Parts the server holds with the right size (a short part from a crash is sent again). */
export function storedParts(upload: Upload): number[] {
  return upload.receivedParts
    .filter((part) => part.partNumber <= upload.partCount && part.size === partLength(upload, part.partNumber))
    .map((part) => part.partNumber)
    .sort((a, b) => a - b);
}

function missingParts(upload: Upload, stored: number[]): number[] {
  const have = new Set(stored);
  const missing: number[] = [];
  for (let partNumber = 1; partNumber <= upload.partCount; partNumber++)
    if (!have.has(partNumber)) missing.push(partNumber);
  return missing;
}

const RETRYABLE_PART_STATUSES = new Set([403, 408, 429, 500, 502, 503, 504]);

function isRetryablePartError(error: unknown): boolean {
  if (error instanceof AleflixNetworkError) return true;
  if (!(error instanceof AleflixApiError)) return false;
  if (error.code === 'checksum_mismatch') return true;
  // 403 is retried only for presigned URLs (problem-less answers from storage): the API's 403 is final.
  if (error.status === 403) return error.problem === undefined;
  return RETRYABLE_PART_STATUSES.has(error.status);
}
