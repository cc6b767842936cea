import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalObjectStorage } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deferred, tempDir } from '../test/support.js';
import { uploadOutputs } from './outputs.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('outputs');
});
afterAll(async () => {
  await dir?.cleanup();
});

describe('uploadOutputs', () => {
  it('uploads every file under the prefix, the master playlist only after all the others', async () => {
    const work = join(dir.path, 'work');
    const files = [
      '240p/seg_00000.m4s',
      '240p/seg_00001.m4s',
      '240p/init.mp4',
      '240p/index.m3u8',
      'poster.jpg',
      'master.m3u8',
    ];
    await mkdir(join(work, '240p'), { recursive: true });
    for (const file of files) await writeFile(join(work, file), file);
    const storage = new LocalObjectStorage(join(dir.path, 'store'));
    const order: string[] = [];
    const putFile = storage.putFile.bind(storage);
    storage.putFile = async (key, path, options) => {
      await new Promise((resolve) => setTimeout(resolve, key.endsWith('seg_00001.m4s') ? 30 : 1));
      await putFile(key, path, options);
      order.push(key);
    };
    await uploadOutputs(storage, work, 'a/1/run-x/', files, { parallelism: 3 });
    expect(order.at(-1)).toBe('a/1/run-x/master.m3u8');
    expect([...order].sort()).toEqual(files.map((file) => `a/1/run-x/${file}`).sort());
  });

  it('starts no file once aborted, and settles only after the puts in flight have ended', async () => {
    const work = join(dir.path, 'work-abort');
    const files = Array.from({ length: 12 }, (_, i) => `240p/seg_${String(i).padStart(5, '0')}.m4s`).concat(
      'master.m3u8',
    );
    await mkdir(join(work, '240p'), { recursive: true });
    for (const file of files) await writeFile(join(work, file), file);
    const storage = new LocalObjectStorage(join(dir.path, 'store-abort'));
    const stop = new AbortController();
    const started: string[] = [];
    const stored: string[] = [];
    const hold = deferred();
    const putFile = storage.putFile.bind(storage);
    storage.putFile = async (key, path, options) => {
      started.push(key);
      // The third put aborts the upload, and every put in flight is held until the abort.
      if (started.length === 3) stop.abort(new Error('worker stopping'));
      await hold.promise;
      await putFile(key, path, options);
      stored.push(key);
    };
    let settled = false;
    const uploading = uploadOutputs(storage, work, 'a/1/run-y/', files, { parallelism: 3, signal: stop.signal });
    void uploading.catch(() => undefined).finally(() => (settled = true));
    await vi.waitFor(() => expect(started).toHaveLength(3));
    await new Promise((resolve) => setImmediate(resolve));
    // Aborted, but three puts are still running: not settled yet.
    expect(settled).toBe(false);
    hold.resolve();
    await expect(uploading).rejects.toThrow('worker stopping');
    expect(started).toHaveLength(3);
    expect(stored.sort()).toEqual([...started].sort());
    expect(stored).not.toContain('a/1/run-y/master.m3u8');
  });

  it('takes no more files after a put fails, and never stores the master playlist', async () => {
    const work = join(dir.path, 'work-fail');
    const files = ['a.m4s', 'b.m4s', 'c.m4s', 'd.m4s', 'e.m4s', 'master.m3u8'];
    await mkdir(work, { recursive: true });
    for (const file of files) await writeFile(join(work, file), file);
    const storage = new LocalObjectStorage(join(dir.path, 'store-fail'));
    const started: string[] = [];
    storage.putFile = async (key) => {
      started.push(key);
      if (key.endsWith('a.m4s')) throw new Error('503 Slow Down');
    };
    await expect(uploadOutputs(storage, work, 'p/', files, { parallelism: 1 })).rejects.toThrow('Slow Down');
    expect(started).toEqual(['p/a.m4s']);
  });
});
