import { execFileSync } from 'node:child_process';
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalObjectStorage } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deferred, keysUnder, tempDir } from '../test/support.js';
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

  it('starts no file once aborted, hands the signal to the puts in flight, and settles only once they have stopped', async () => {
    const work = join(dir.path, 'work-abort');
    const files = Array.from({ length: 12 }, (_, i) => `240p/seg_${String(i).padStart(5, '0')}.m4s`).concat(
      'master.m3u8',
    );
    await mkdir(join(work, '240p'), { recursive: true });
    for (const file of files) await writeFile(join(work, file), file);
    const storage = new LocalObjectStorage(join(dir.path, 'store-abort'));
    const stop = new AbortController();
    const started: string[] = [];
    const signals: Array<AbortSignal | undefined> = [];
    const stored: string[] = [];
    const hold = deferred();
    const putFile = storage.putFile.bind(storage);
    storage.putFile = async (key, path, options) => {
      started.push(key);
      signals.push(options?.signal);
      // The third put aborts the upload, and every put in flight is held until the abort.
      if (started.length === 3) stop.abort(new Error('worker stopping'));
      await hold.promise;
      // The real put, with the signal it was given: aborted by now, it stores nothing.
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
    expect(signals).toEqual([stop.signal, stop.signal, stop.signal]);
    expect(stored).toEqual([]);
    expect(started).not.toContain('a/1/run-y/master.m3u8');
    expect(await keysUnder(storage, 'a/1/')).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'cuts short a put still copying when the signal fires, and leaves no partial file (real local storage)',
    async () => {
      const work = join(dir.path, 'work-cut');
      const files = ['240p/seg_00000.m4s', '240p/seg_00001.m4s', 'master.m3u8'];
      await mkdir(join(work, '240p'), { recursive: true });
      // The first segment is a FIFO: its put reads what the test writes, and waits for more.
      execFileSync('mkfifo', [join(work, files[0]!)]);
      for (const file of files.slice(1)) await writeFile(join(work, file), file);
      const storeDir = join(dir.path, 'store-cut');
      const storage = new LocalObjectStorage(storeDir);
      const stop = new AbortController();
      const uploading = uploadOutputs(storage, work, 'a/1/run-z/', files, { parallelism: 1, signal: stop.signal });
      void uploading.catch(() => undefined);
      // Opening the write end returns once the put has opened the segment: it is running.
      const writer = await open(join(work, files[0]!), 'w');
      try {
        await writer.write(Buffer.alloc(64 * 1024, 1));
        stop.abort(new Error('worker stopping'));
        // The put stops reading: the FIFO loses its reader and writing more fails (a put left
        // to run would take all 64 MiB, then store the segment when the writer closes).
        const writeMore = async () => {
          for (let i = 0; i < 64; i++) await writer.write(Buffer.alloc(1024 * 1024, 2));
        };
        await expect(writeMore()).rejects.toMatchObject({ code: 'EPIPE' });
      } finally {
        await writer.close();
      }
      await expect(uploading).rejects.toThrow('worker stopping');
      expect(await keysUnder(storage, 'a/1/')).toEqual([]);
      // No partial object and no temp file anywhere in the store.
      const left = await readdir(storeDir, { recursive: true, withFileTypes: true });
      expect(left.filter((entry) => !entry.isDirectory()).map((entry) => entry.name)).toEqual([]);
    },
  );

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
