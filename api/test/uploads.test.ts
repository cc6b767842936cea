import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageQueue } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaSweeper } from '../src/media/media-sweeper.js';
import { JOBS_QUEUE } from '../src/media/media.tokens.js';
import { createTestApp, databaseTargets, type TestApp } from './http-harness.js';
import { putPart, randomFile, sha256, uploadWhole } from './media-helpers.js';

const MiB = 1024 * 1024;

describe.each(databaseTargets())('uploads on $name', (target) => {
  let t: TestApp;
  let editor: string;
  let editorLogin: { email: string; password: string };
  let storageRoot: string;

  beforeAll(async () => {
    t = await createTestApp(target, { UPLOAD_PART_SIZE_BYTES: String(5 * MiB), UPLOAD_MAX_BYTES: String(64 * MiB) });
    storageRoot = join(t.home, 'media');
    const user = await t.userWithRole('editor');
    editor = user.token;
    editorLogin = user;
  });
  afterAll(() => t.close());

  const open = async (data: Buffer, extra: Record<string, unknown> = {}) => {
    const response = await t.request('POST', '/uploads', {
      token: editor,
      body: { filename: 'movie.mp4', size: data.length, contentType: 'video/mp4', ...extra },
    });
    expect(response.status).toBe(201);
    return response.json().upload;
  };

  it('takes parts in any order and in parallel, resumes, and assembles the exact bytes', async () => {
    const data = randomFile(11 * MiB + 123);
    const upload = await open(data);
    expect(upload).toMatchObject({
      partCount: 3,
      partSize: 5 * MiB,
      partUrlTemplate: `/uploads/${upload.id}/parts/{partNumber}`,
    });
    const chunk = (n: number) => data.subarray((n - 1) * upload.partSize, n * upload.partSize);
    // Part 3 first, then 1 and 2 at once; part 1 twice (idempotent).
    expect((await putPart(t, editor, upload.id, 3, chunk(3))).status).toBe(200);
    const [one, two] = await Promise.all([
      putPart(t, editor, upload.id, 1, chunk(1)),
      putPart(t, editor, upload.id, 2, chunk(2)),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const again = await putPart(t, editor, upload.id, 1, chunk(1));
    expect(again.json().etag).toBe(one.json().etag);
    const state = (await t.request('GET', `/uploads/${upload.id}`, { token: editor })).json();
    expect(state.receivedParts.map((p: any) => p.partNumber).sort()).toEqual([1, 2, 3]);
    const done = await t.request('POST', `/uploads/${upload.id}/complete`, { token: editor });
    expect(done.status).toBe(200);
    expect(done.json().asset).toMatchObject({
      status: 'queued',
      size: data.length,
      job: { attempt: 1, status: 'queued' },
    });
    const stored = readFileSync(join(storageRoot, 'assets', upload.assetId, 'source'));
    expect(sha256(stored)).toBe(sha256(data));
    // Completing twice returns the same asset and queues nothing more.
    const twice = await t.request('POST', `/uploads/${upload.id}/complete`, { token: editor });
    expect(twice.json().asset.job.id).toBe(done.json().asset.job.id);
  });

  it('queues one transcode message carrying the trace context', async () => {
    const queue = t.app.get<MessageQueue>(JOBS_QUEUE);
    // Drain what earlier tests queued.
    while ((await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 })).length > 0);
    const data = randomFile(1000);
    const upload = await open(data);
    await putPart(t, editor, upload.id, 1, data);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await t.request('POST', `/uploads/${upload.id}/complete`, { token: editor, headers: { traceparent } });
    const [message, ...rest] = await queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 30 });
    expect(rest).toEqual([]);
    expect(JSON.parse(message!.body)).toMatchObject({
      type: 'transcode',
      version: 1,
      assetId: upload.assetId,
      attempt: 1,
      sourceKey: `assets/${upload.assetId}/source`,
      outputPrefix: `assets/${upload.assetId}/attempts/1/`,
    });
    expect(message!.attributes.traceparent).toBe(traceparent);
  });

  it('refuses a part whose checksum or size is wrong and keeps nothing of it', async () => {
    const data = randomFile(4000);
    const upload = await open(data);
    const bad = await putPart(t, editor, upload.id, 1, data, sha256(Buffer.from('other')));
    expect([bad.status, bad.json().code]).toEqual([400, 'checksum_mismatch']);
    const short = await putPart(t, editor, upload.id, 1, data.subarray(0, 100));
    expect([short.status, short.json().code]).toEqual([400, 'validation_failed']);
    const beyond = await putPart(t, editor, upload.id, 2, data);
    expect(beyond.status).toBe(400);
    const badHeader = await putPart(t, editor, upload.id, 1, data, 'not-a-digest');
    expect(badHeader.status).toBe(400);
    const state = (await t.request('GET', `/uploads/${upload.id}`, { token: editor })).json();
    expect(state.receivedParts).toEqual([]);
    const incomplete = await t.request('POST', `/uploads/${upload.id}/complete`, { token: editor });
    expect([incomplete.status, incomplete.json().code]).toEqual([409, 'upload_incomplete']);
    expect(incomplete.json().detail).toContain('missing parts 1');
  });

  it('returns the existing asset for content it already has', async () => {
    const data = randomFile(2048);
    const first = await uploadWhole(t, editor, data, { sha256: sha256(data) });
    const second = await t.request('POST', '/uploads', {
      token: editor,
      body: { filename: 'copy.mp4', size: data.length, sha256: sha256(data).toUpperCase() },
    });
    expect(second.status).toBe(200);
    expect(second.json()).toMatchObject({ duplicate: true, upload: null, asset: { id: first.assetId } });
    // An upload that never completed is not content we have: the same hash opens a new upload.
    const unfinished = randomFile(2048);
    await open(unfinished, { sha256: sha256(unfinished) });
    const retry = await t.request('POST', '/uploads', {
      token: editor,
      body: { filename: 'again.mp4', size: unfinished.length, sha256: sha256(unfinished) },
    });
    expect([retry.status, retry.json().duplicate]).toEqual([201, false]);
    // A duplicate is attached where the new upload asked.
    const movie = (
      await t.request('POST', '/titles', { token: editor, body: { kind: 'movie', name: 'Dup Target' } })
    ).json();
    const attached = await t.request('POST', '/uploads', {
      token: editor,
      body: { filename: 'copy.mp4', size: data.length, sha256: sha256(data), attachTo: { titleId: movie.id } },
    });
    expect(attached.json()).toMatchObject({ duplicate: true, asset: { id: first.assetId, titleId: movie.id } });
  });

  it('aborts an upload, deletes its parts and refuses more parts', async () => {
    const data = randomFile(3000);
    const upload = await open(data);
    await putPart(t, editor, upload.id, 1, data);
    expect((await t.request('DELETE', `/uploads/${upload.id}`, { token: editor })).status).toBe(204);
    const late = await putPart(t, editor, upload.id, 1, data);
    expect([late.status, late.json().code]).toEqual([409, 'upload_closed']);
    expect((await t.request('GET', `/assets/${upload.assetId}`, { token: editor })).status).toBe(404);
    expect(existsSync(join(storageRoot, '.multipart', upload.id))).toBe(false);
  });

  it('expires uploads that are never completed', async () => {
    const data = randomFile(3000);
    const upload = await open(data);
    await putPart(t, editor, upload.id, 1, data);
    t.clock.advance(25 * 3600 * 1000);
    await t.app.get(MediaSweeper).sweep();
    editor = (await t.login(editorLogin.email, editorLogin.password)).accessToken;
    const state = (await t.request('GET', `/uploads/${upload.id}`, { token: editor })).json();
    expect(state.status).toBe('expired');
    const late = await putPart(t, editor, upload.id, 1, data);
    expect(late.json().code).toBe('upload_closed');
  });

  it('never uses the client filename in storage, and validates the request', async () => {
    const data = randomFile(500);
    const { assetId } = await uploadWhole(t, editor, data, { filename: '../../../etc/passwd\u202e.mp4' });
    expect(readdirSync(join(storageRoot, 'assets'))).toContain(assetId);
    expect(readdirSync(join(storageRoot, 'assets', assetId))).toEqual(['source']);
    const asset = (await t.request('GET', `/assets/${assetId}`, { token: editor })).json();
    expect(asset.originalFilename).toBe('../../../etc/passwd\u202e.mp4');
    const tooBig = await t.request('POST', '/uploads', { token: editor, body: { filename: 'x.mp4', size: 65 * MiB } });
    expect([tooBig.status, tooBig.json().code]).toEqual([413, 'payload_too_large']);
    const nul = await t.request('POST', '/uploads', { token: editor, body: { filename: 'a\u0000b', size: 10 } });
    expect(nul.status).toBe(400);
    const unknown = await t.request('POST', '/uploads', {
      token: editor,
      body: { filename: 'a', size: 10, path: '/etc' },
    });
    expect(unknown.status).toBe(400);
    const viewer = (await t.userWithRole('viewer')).token;
    expect((await t.request('POST', '/uploads', { token: viewer, body: { filename: 'a', size: 10 } })).status).toBe(
      403,
    );
    const missingTitle = await t.request('POST', '/uploads', {
      token: editor,
      body: { filename: 'a', size: 10, attachTo: { titleId: '00000000-0000-4000-8000-000000000000' } },
    });
    expect([missingTitle.status, missingTitle.json().code]).toEqual([404, 'not_found']);
  });
});

describe('raw bodies', () => {
  it('are accepted only by the upload-part route', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/octet-stream' },
        payload: Buffer.from('{"email":"a","password":"b"}'),
      });
      expect([response.statusCode, JSON.parse(response.body).code]).toEqual([415, 'unsupported_media_type']);
      const editor = (await t.userWithRole('editor')).token;
      const data = randomFile(10);
      const created = await t.request('POST', '/uploads', { token: editor, body: { filename: 'a', size: 10 } });
      const json = await t.request('PUT', `/uploads/${created.json().upload.id}/parts/1`, {
        token: editor,
        body: { bytes: 'x' },
      });
      expect([json.status, json.json().code]).toEqual([415, 'unsupported_media_type']);
      expect((await putPart(t, editor, created.json().upload.id, 1, data)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
