import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from './http-harness.js';

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A small real video made by ffmpeg (never downloaded). */
export function makeClip(seconds = 3, size = '320x240'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'aleflix-clip-'));
  const file = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=25`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return readFileSync(file);
}

export function notMedia(): Buffer {
  return Buffer.from('this is a text file pretending to be a video\n'.repeat(100));
}

export function randomFile(bytes: number): Buffer {
  return randomBytes(bytes);
}

export function writeTemp(data: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aleflix-file-')), 'data.bin');
  writeFileSync(file, data);
  return file;
}

/**
 * Opens an upload, sends every part the way a client must for the storage behind the API
 * (through the API for local disk, straight to the presigned part URLs for S3), completes
 * it; returns the asset id.
 */
export async function uploadWhole(
  t: TestApp,
  token: string,
  data: Buffer,
  extra: Record<string, unknown> = {},
): Promise<{ assetId: string; uploadId: string }> {
  const created = await t.request('POST', '/uploads', {
    token,
    body: { filename: 'clip.mp4', size: data.length, contentType: 'video/mp4', ...extra },
  });
  if (created.status !== 201) throw new Error(`create upload: ${created.status} ${created.body}`);
  const { upload } = created.json();
  const chunk = (part: number) => data.subarray((part - 1) * upload.partSize, part * upload.partSize);
  if (upload.presignedPartUrls) {
    for (const { partNumber, url } of upload.presignedPartUrls as Array<{ partNumber: number; url: string }>) {
      await putPresignedPart(url, chunk(partNumber));
    }
  } else {
    for (let part = 1; part <= upload.partCount; part += 1) {
      const sent = await putPart(t, token, upload.id, part, chunk(part));
      if (sent.status !== 200) throw new Error(`part ${part}: ${sent.status} ${sent.body}`);
    }
  }
  const done = await t.request('POST', `/uploads/${upload.id}/complete`, { token });
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.body}`);
  return { assetId: upload.assetId, uploadId: upload.id };
}

export function putPart(
  t: TestApp,
  token: string,
  uploadId: string,
  part: number,
  chunk: Buffer,
  checksum: string | null = sha256(chunk),
) {
  return t.app
    .inject({
      method: 'PUT',
      url: `/uploads/${uploadId}/parts/${part}`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        ...(checksum ? { 'x-part-sha256': checksum } : {}),
      },
      payload: chunk,
    })
    .then((response) => ({ status: response.statusCode, body: response.body, json: () => JSON.parse(response.body) }));
}

/** Polls an asset until `done(asset)` or the bound runs out. */
export async function waitForAsset(
  t: TestApp,
  token: string,
  assetId: string,
  done: (asset: any) => boolean,
  timeoutMs = 120_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asset = (await t.request('GET', `/assets/${assetId}`, { token })).json();
    if (done(asset)) return asset;
    if (Date.now() > deadline) throw new Error(`asset ${assetId} still ${asset.status} (${JSON.stringify(asset.job)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** PUTs one part to a presigned S3 URL, as a browser or the SDK does: no credentials of its own. */
export async function putPresignedPart(url: string, chunk: Buffer): Promise<string> {
  const response = await fetch(url, { method: 'PUT', body: chunk });
  if (!response.ok) throw new Error(`presigned part PUT: ${response.status} ${await response.text()}`);
  const etag = response.headers.get('etag');
  if (!etag) throw new Error('presigned part PUT: no ETag');
  return etag;
}
