import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AleflixApiError, createClient, type UploadProgress } from '../src/index.js';
import { problem, json } from './fake-fetch.js';
import { asset, FakeUploadServer } from './fake-upload-server.js';

const baseUrl = 'http://api.test';
const content = new TextEncoder().encode('0123456789abcdefghijklmnopqrstuvwxyz!'); // 37 bytes: 10 parts of 4
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function setup(options: ConstructorParameters<typeof FakeUploadServer>[0] = {}) {
  const server = new FakeUploadServer(options);
  const client = createClient({
    baseUrl,
    token: 'tok',
    fetch: server.fetch,
    retry: { baseDelayMs: 1, maxDelayMs: 20 },
  });
  return { server, client };
}

const scratch = mkdtempSync(join(tmpdir(), 'aleflix-sdk-upload-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('uploads.upload', () => {
  it('sends every part with its SHA-256, in parallel up to the concurrency, reports progress and completes', async () => {
    const { server, client } = setup();
    const progress: UploadProgress[] = [];
    const parts: number[] = [];
    const result = await client.uploads.upload(new Blob([content], { type: 'video/mp4' }), {
      filename: 'clip.mp4',
      concurrency: 3,
      onProgress: (p) => progress.push(p),
      onPart: (p) => parts.push(p.partNumber),
    });

    const upload = [...server.uploads.values()][0]!;
    expect(result).toMatchObject({ duplicate: false, uploadId: upload.id, resumed: false, partsSkipped: [] });
    expect(result.asset.id).toBe(upload.assetId);
    expect(result.partsSent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(upload.status).toBe('completed');
    expect(server.assembled(upload)).toEqual(content);
    expect(server.maxInFlight).toBe(3);
    for (const request of server.partRequests) {
      expect(request.headers.get('x-part-sha256')).toBe(sha(request.bytes));
      expect(request.headers.get('content-type')).toBe('application/octet-stream');
      expect(request.headers.get('authorization')).toBe('Bearer tok');
    }
    expect(progress.at(0)).toMatchObject({ loaded: 0, total: 37, partsDone: 0, partCount: 10 });
    expect(progress.at(-1)).toMatchObject({ loaded: 37, total: 37, partsDone: 10 });
    expect(progress.map((p) => p.loaded)).toEqual([...progress.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(parts).toHaveLength(10);
    const create = server.requests.find((r) => r.url.pathname === '/uploads')!;
    expect(create.method).toBe('POST');
  });

  it('returns the existing asset and sends nothing when the server already has the content', async () => {
    const { server, client } = setup({ known: new Map([[sha(content), 'existing-asset']]) });
    const result = await client.uploads.upload(new Blob([content]), { filename: 'clip.mp4', sha256: sha(content) });
    expect(result).toMatchObject({ duplicate: true, uploadId: null, partsSent: [] });
    expect(result.asset.id).toBe('existing-asset');
    expect(server.partRequests).toHaveLength(0);
  });

  it('resumes an upload: only the parts the server lacks are sent, and onOpen hears which it had', async () => {
    const { server, client } = setup();
    const seeded = server.seed(content.length, [1, 2, 5], content);
    // A short part (a crash mid-write on some storage) does not count as received.
    seeded.parts.set(7, content.slice(24, 26));
    let opened: { resumed: boolean; receivedParts: number[] } | undefined;
    const progress: UploadProgress[] = [];
    const result = await client.uploads.upload(new Blob([content]), {
      filename: 'clip.mp4',
      resume: { uploadId: seeded.id },
      onOpen: (event) => void (opened = event),
      onProgress: (p) => progress.push(p),
    });
    expect(opened).toMatchObject({ resumed: true, receivedParts: [1, 2, 5] });
    expect(result.resumed).toBe(true);
    expect(result.partsSkipped).toEqual([1, 2, 5]);
    expect(server.partRequests.map((r) => r.partNumber).sort((a, b) => a - b)).toEqual([3, 4, 6, 7, 8, 9, 10]);
    expect(progress[0]!.loaded).toBe(12);
    expect(server.assembled(seeded)).toEqual(content);
    expect(server.requests.some((r) => r.method === 'POST' && r.url.pathname === '/uploads')).toBe(false);
  });

  it('starts over when the upload to resume is unknown or closed, and returns the asset of a completed one', async () => {
    const { server, client } = setup();
    const closed = server.seed(content.length, [1], content);
    closed.status = 'aborted';
    const fresh = await client.uploads.upload(new Blob([content]), {
      filename: 'a.mp4',
      resume: { uploadId: closed.id },
    });
    expect(fresh.resumed).toBe(false);
    expect(fresh.uploadId).not.toBe(closed.id);
    const unknown = await client.uploads.upload(new Blob([content]), {
      filename: 'a.mp4',
      resume: { uploadId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.resumed).toBe(false);

    const before = server.partRequests.length;
    const again = await client.uploads.upload(new Blob([content]), {
      filename: 'a.mp4',
      resume: { uploadId: fresh.uploadId! },
    });
    expect(again).toMatchObject({ resumed: true, partsSent: [], uploadId: fresh.uploadId });
    expect(server.partRequests.length).toBe(before);
  });

  it('retries a part after 503 and a checksum mismatch, and gives up at once on a final error', async () => {
    const { client } = setup({
      failPart: (request, attempt) => {
        if (request.partNumber === 2 && attempt === 1) return problem(503, 'service_unavailable');
        if (request.partNumber === 3 && attempt === 1) return problem(400, 'checksum_mismatch');
        return undefined;
      },
    });
    const parts: Array<{ partNumber: number; attempts: number }> = [];
    await client.uploads.upload(new Blob([content]), { filename: 'a.mp4', onPart: (p) => parts.push(p) });
    expect(parts.find((p) => p.partNumber === 2)?.attempts).toBe(2);
    expect(parts.find((p) => p.partNumber === 3)?.attempts).toBe(2);

    const failing = setup({
      failPart: (request) => (request.partNumber === 4 ? problem(409, 'upload_closed') : undefined),
    });
    const error = await failing.client.uploads
      .upload(new Blob([content]), { filename: 'a.mp4', concurrency: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AleflixApiError);
    expect((error as AleflixApiError).code).toBe('upload_closed');
    expect(failing.server.partRequests.filter((r) => r.partNumber === 4)).toHaveLength(1);
    expect(failing.server.requests.some((r) => r.url.pathname.endsWith('/complete'))).toBe(false);
  });

  it('stops when the signal aborts, leaving the upload open to resume', async () => {
    const { server, client } = setup();
    const controller = new AbortController();
    const error = await client.uploads
      .upload(new Blob([content]), {
        filename: 'a.mp4',
        concurrency: 1,
        signal: controller.signal,
        onPart: (p) => p.partNumber === 2 && controller.abort(new Error('user cancelled')),
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('user cancelled');
    const upload = [...server.uploads.values()][0]!;
    expect(upload.status).toBe('open');
    expect([...upload.parts.keys()]).toEqual([1, 2]);
    expect(server.requests.some((r) => r.url.pathname.endsWith('/complete'))).toBe(false);
  });

  it('sends parts straight to presigned URLs without credentials, refreshing missing and expired URLs', async () => {
    let expiredOnce = false;
    const { server, client } = setup({
      presigned: true,
      presignLimit: 3,
      failPart: (request) => {
        if (request.partNumber === 6 && !expiredOnce) {
          expiredOnce = true;
          return new Response('<Error>AccessDenied</Error>', { status: 403 });
        }
        return undefined;
      },
    });
    const result = await client.uploads.upload(new Blob([content]), { filename: 'a.mp4', concurrency: 2 });
    const upload = server.uploads.get(result.uploadId!)!;
    expect(server.assembled(upload)).toEqual(content);
    expect(expiredOnce).toBe(true);
    for (const request of server.partRequests) {
      expect(request.url.host).toBe('s3.test');
      expect(request.headers.get('authorization')).toBeNull();
      expect(request.headers.get('x-part-sha256')).toBeNull();
    }
    // 10 parts, 3 URLs per answer: the client asked for more URLs several times.
    const gets = server.requests.filter((r) => r.method === 'GET' && r.url.pathname === `/uploads/${upload.id}`);
    expect(gets.length).toBeGreaterThanOrEqual(3);
  });

  it('sends again what the server lost when completing says upload_incomplete', async () => {
    const { server } = setup();
    let lost = false;
    const fetch = server.fetch;
    const wrapped: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      if (!lost && url.pathname.endsWith('/complete')) {
        lost = true;
        server.uploads.get(url.pathname.split('/')[2]!)!.parts.delete(4);
      }
      return fetch(input, init);
    };
    const retrying = createClient({ baseUrl, token: 'tok', fetch: wrapped });
    const result = await retrying.uploads.upload(new Blob([content]), { filename: 'a.mp4' });
    expect(result.partsSent.filter((n) => n === 4)).toHaveLength(2);
    expect(server.uploads.get(result.uploadId!)!.status).toBe('completed');
  });

  it('reads a file path part by part in Node and takes its name and type from the path', async () => {
    const file = join(scratch, 'Movie (2002).mkv');
    writeFileSync(file, content);
    const { server, client } = setup();
    const result = await client.uploads.upload(file, { size: content.length });
    const upload = server.uploads.get(result.uploadId!)!;
    expect(server.assembled(upload)).toEqual(content);
    expect(upload.filename).toBe('Movie (2002).mkv');
    await expect(client.uploads.upload(file, { size: 5 })).rejects.toThrow(/does not match/);
  });
});

describe('assets, jobs and playback', () => {
  it('waits for an asset by polling until it is ready', async () => {
    let polls = 0;
    const client = createClient({
      baseUrl,
      token: 'tok',
      fetch: async () => json(asset('a1', ++polls < 3 ? 'processing' : 'ready')),
    });
    const seen: string[] = [];
    const done = await client.assets.wait('a1', { intervalMs: 1, onUpdate: (a) => seen.push(a.status) });
    expect(done.status).toBe('ready');
    expect(seen).toEqual(['processing', 'processing', 'ready']);
  });

  it('calls the typed media, jobs and attachment endpoints', async () => {
    const calls: string[] = [];
    const client = createClient({
      baseUrl,
      token: 'tok',
      fetch: async (input, init) => {
        calls.push(
          `${init?.method ?? 'GET'} ${new URL(String(input)).pathname}${init?.body ? ` ${String(init.body)}` : ''}`,
        );
        return json({ items: [], nextCursor: null });
      },
    });
    await client.media.stream('t1');
    await client.jobs.list({ assetId: '00000000-0000-4000-8000-000000000001' });
    await client.assets.attach('a1', { titleId: 't1', season: 1, episode: 2 });
    await client.assets.retranscode('a1');
    await client.uploads.abort('u1');
    expect(calls).toEqual([
      'GET /media/stream/t1',
      'GET /jobs',
      'PUT /assets/a1/attachment {"titleId":"t1","season":1,"episode":2}',
      'POST /assets/a1/retranscode',
      'DELETE /uploads/u1',
    ]);
  });
});
