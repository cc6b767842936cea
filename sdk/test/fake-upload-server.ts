// An in-memory stand-in for the API's upload endpoints (and a presigned "S3"), served to the
// client through an injected fetch. It keeps the parts it received so tests can check what
// was sent, and lets a test fail chosen requests.
import { createHash, randomUUID } from 'node:crypto';
import type { FetchLike } from '../src/index.js';
import { json, problem } from './fake-fetch.js';

export interface FakeUpload {
  id: string;
  assetId: string;
  size: number;
  partSize: number;
  partCount: number;
  status: 'open' | 'completed' | 'aborted' | 'expired';
  parts: Map<number, Uint8Array>;
  filename: string;
}

export interface PartRequest {
  uploadId: string;
  partNumber: number;
  headers: Headers;
  url: URL;
  bytes: Uint8Array;
}

export interface FakeServerOptions {
  partSize?: number;
  /** Parts go to presigned URLs on another host instead of the API. */
  presigned?: boolean;
  /** At most this many presigned URLs per answer (the API caps at 1000). */
  presignLimit?: number;
  /** Assets whose content (sha256) the server already has. */
  known?: Map<string, string>;
  /** Return a Response to fail this part request instead of storing it. */
  failPart?: (request: PartRequest, attempt: number) => Response | undefined;
}

export class FakeUploadServer {
  readonly uploads = new Map<string, FakeUpload>();
  readonly requests: Array<{ method: string; url: URL; headers: Headers }> = [];
  readonly partRequests: PartRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly attempts = new Map<string, number>();

  constructor(private readonly options: FakeServerOptions = {}) {}

  /** A stored upload with `parts` already received (to resume). */
  seed(size: number, parts: number[], content: Uint8Array): FakeUpload {
    const partSize = this.options.partSize ?? 4;
    const upload = this.newUpload(size, 'seeded.mp4');
    for (const partNumber of parts) {
      upload.parts.set(partNumber, content.slice((partNumber - 1) * partSize, partNumber * partSize));
    }
    return upload;
  }

  assembled(upload: FakeUpload): Uint8Array {
    const out = new Uint8Array(upload.size);
    for (const [partNumber, bytes] of upload.parts) out.set(bytes, (partNumber - 1) * upload.partSize);
    return out;
  }

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    this.requests.push({ method, url, headers });
    const path = url.pathname;
    let match: RegExpExecArray | null;

    if (url.host === 's3.test' && (match = /^\/bucket\/([^/]+)\/(\d+)$/.exec(path))) {
      if (url.searchParams.get('sig') === 'expired') return new Response('<Error>expired</Error>', { status: 403 });
      return this.storePart(match[1]!, Number(match[2]), headers, url, init?.body);
    }
    if (method === 'POST' && path === '/uploads') {
      const body = JSON.parse(String(init?.body)) as { filename: string; size: number; sha256?: string };
      const existing = body.sha256 ? this.options.known?.get(body.sha256) : undefined;
      if (existing) return json({ duplicate: true, asset: asset(existing, 'ready'), upload: null });
      const upload = this.newUpload(body.size, body.filename);
      return json({ duplicate: false, asset: asset(upload.assetId, 'uploading'), upload: this.view(upload) }, 201);
    }
    if ((match = /^\/uploads\/([^/]+)$/.exec(path))) {
      const upload = this.uploads.get(match[1]!);
      if (!upload) return problem(404, 'not_found');
      if (method === 'GET') return json(this.view(upload));
      if (method === 'DELETE') {
        upload.status = 'aborted';
        return new Response(null, { status: 204 });
      }
    }
    if (method === 'PUT' && (match = /^\/uploads\/([^/]+)\/parts\/(\d+)$/.exec(path))) {
      return this.storePart(match[1]!, Number(match[2]), headers, url, init?.body);
    }
    if (method === 'POST' && (match = /^\/uploads\/([^/]+)\/complete$/.exec(path))) {
      const upload = this.uploads.get(match[1]!);
      if (!upload) return problem(404, 'not_found');
      if (upload.status === 'completed') return json({ asset: asset(upload.assetId, 'queued') });
      if (upload.status !== 'open') return problem(409, 'upload_closed');
      for (let n = 1; n <= upload.partCount; n++) if (!upload.parts.has(n)) return problem(409, 'upload_incomplete');
      upload.status = 'completed';
      return json({ asset: asset(upload.assetId, 'queued') });
    }
    if (method === 'GET' && (match = /^\/assets\/([^/]+)$/.exec(path))) return json(asset(match[1]!, 'queued'));
    return problem(404, 'route_not_found');
  };

  private newUpload(size: number, filename: string): FakeUpload {
    const partSize = this.options.partSize ?? 4;
    const upload: FakeUpload = {
      id: randomUUID(),
      assetId: randomUUID(),
      size,
      partSize,
      partCount: Math.ceil(size / partSize),
      status: 'open',
      parts: new Map(),
      filename,
    };
    this.uploads.set(upload.id, upload);
    return upload;
  }

  private async storePart(
    id: string,
    partNumber: number,
    headers: Headers,
    url: URL,
    body: unknown,
  ): Promise<Response> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const bytes = await toBytes(body);
      const request: PartRequest = { uploadId: id, partNumber, headers, url, bytes };
      this.partRequests.push(request);
      const key = `${id}:${partNumber}`;
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      const failure = this.options.failPart?.(request, attempt);
      if (failure) return failure;
      const upload = this.uploads.get(id);
      if (!upload) return problem(404, 'not_found');
      if (upload.status !== 'open') return problem(409, 'upload_closed');
      const claimed = headers.get('x-part-sha256');
      if (claimed && claimed !== createHash('sha256').update(bytes).digest('hex'))
        return problem(400, 'checksum_mismatch');
      upload.parts.set(partNumber, bytes);
      return json({ partNumber, size: bytes.length, etag: `"${partNumber}"` });
    } finally {
      this.inFlight--;
    }
  }

  private view(upload: FakeUpload) {
    const received = [...upload.parts].map(([partNumber, bytes]) => ({ partNumber, size: bytes.length, etag: '"x"' }));
    const missing = [];
    for (let n = 1; n <= upload.partCount; n++) if (!upload.parts.has(n)) missing.push(n);
    const presigned = this.options.presigned
      ? missing
          .slice(0, this.options.presignLimit ?? 1000)
          .map((n) => ({ partNumber: n, url: `https://s3.test/bucket/${upload.id}/${n}?sig=ok` }))
      : null;
    return {
      id: upload.id,
      assetId: upload.assetId,
      status: upload.status,
      size: upload.size,
      partSize: upload.partSize,
      partCount: upload.partCount,
      expiresAt: '2100-01-01T00:00:00.000Z',
      partUrlTemplate: this.options.presigned ? null : `/uploads/${upload.id}/parts/{partNumber}`,
      presignedPartUrls: presigned,
      receivedParts: received,
    };
  }
}

async function toBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  throw new Error(`unexpected part body ${Object.prototype.toString.call(body)}`);
}

export function asset(id: string, status: string) {
  return {
    id,
    status,
    originalFilename: 'clip.mp4',
    contentType: 'video/mp4',
    size: 10,
    sha256: null,
    titleId: null,
    episodeId: null,
    durationSeconds: null,
    width: null,
    height: null,
    videoCodec: null,
    audioCodec: null,
    renditions: [],
    hasPoster: false,
    hasThumbnails: false,
    errorCode: null,
    errorMessage: null,
    job: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}
