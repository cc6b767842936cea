import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readdir, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalObjectStorage } from './local.storage.js';
import { describeStorageContract, stallingBody, untilStalled } from './storage.contract.js';
import { ObjectNotFoundError } from './storage.port.js';

describeStorageContract('local filesystem', async () => {
  const rootDir = await mkdtemp(join(tmpdir(), 'aleflix-local-storage-'));
  return { storage: new LocalObjectStorage(rootDir), cleanup: () => rm(rootDir, { recursive: true, force: true }) };
});

describe('LocalObjectStorage', () => {
  let rootDir: string;
  let storage: LocalObjectStorage;

  beforeEach(async () => {
    rootDir = await mkdtemp(join(tmpdir(), 'aleflix-local-storage-'));
    storage = new LocalObjectStorage(rootDir);
  });
  afterEach(async () => {
    await rm(rootDir, { recursive: true, force: true });
  });

  const listAll = async () => {
    const found: string[] = [];
    for await (const info of storage.list('')) found.push(info.key);
    return found;
  };

  it('keeps an object invisible until its last byte is written', async () => {
    await storage.put('assets/a/source', 'old version');
    const body = new PassThrough();
    const writing = storage.put('assets/a/source', body);
    body.write('new ');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Mid-write, readers still see the whole old object and no temp file is listed.
    expect((await storage.head('assets/a/source'))?.size).toBe('old version'.length);
    expect(await listAll()).toEqual(['assets/a/source']);
    body.end('version, longer');
    await writing;
    expect((await storage.head('assets/a/source'))?.size).toBe('new version, longer'.length);
  });

  it('leaves nothing behind when the body stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('assets/b/source', failing)).rejects.toThrow('client went away');
    expect(await storage.head('assets/b/source')).toBeNull();
    expect(await readdir(join(rootDir, 'assets', 'b'))).toEqual([]);
  });

  it('removes the temp file of a put aborted mid-way', async () => {
    const controller = new AbortController();
    const body = stallingBody(3 * 1024 * 1024);
    const putting = storage.put('assets/c/source', body.stream, { signal: controller.signal });
    await untilStalled(body, putting);
    // Mid-way: the bytes so far are in a temp file next to the key.
    expect(await readdir(join(rootDir, 'assets', 'c'))).toEqual([expect.stringMatching(/^\.~.*\.tmp$/)]);
    controller.abort();
    await expect(putting).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readdir(join(rootDir, 'assets', 'c'))).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'cuts short a putFile whose source is still being written (a FIFO) and leaves no file',
    async () => {
      const sources = await mkdtemp(join(tmpdir(), 'aleflix-local-storage-src-'));
      try {
        const fifo = join(sources, 'growing.mp4');
        execFileSync('mkfifo', [fifo]);
        const controller = new AbortController();
        const reason = new Error('worker stopping');
        const putting = storage.putFile('assets/d/source', fifo, { signal: controller.signal });
        void putting.catch(() => undefined);
        // Opening the write end returns once putFile has opened the read end.
        const writer = await open(fifo, 'w');
        try {
          await writer.write(Buffer.alloc(256 * 1024, 7));
          await vi.waitFor(
            async () => {
              const [tmp] = await readdir(join(rootDir, 'assets', 'd'));
              expect(tmp).toMatch(/^\.~.*\.tmp$/);
              expect((await stat(join(rootDir, 'assets', 'd', tmp!))).size).toBe(256 * 1024);
            },
            { timeout: 30_000, interval: 10 },
          );
          controller.abort(reason);
          // The copy has stopped reading: the FIFO loses its reader and writing more fails
          // (it would take all 64 MiB if the copy went on).
          const writeMore = async () => {
            for (let i = 0; i < 64; i++) await writer.write(Buffer.alloc(1024 * 1024, 8));
          };
          await expect(writeMore()).rejects.toMatchObject({ code: 'EPIPE' });
        } finally {
          await writer.close();
        }
        await expect(putting).rejects.toBe(reason);
        expect(await storage.head('assets/d/source')).toBeNull();
        expect(await readdir(join(rootDir, 'assets', 'd'))).toEqual([]);

        const file = join(sources, 'whole.mp4');
        await writeFile(file, 'the whole file');
        await storage.putFile('assets/d/source', file, { signal: new AbortController().signal });
        expect(Buffer.concat(await (await storage.get('assets/d/source')).toArray()).toString()).toBe('the whole file');
      } finally {
        await rm(sources, { recursive: true, force: true });
      }
    },
  );

  it('stores files under the root, parts under .multipart/<uploadId>/<partNumber>', async () => {
    await storage.put('x/y.txt', 'z');
    const { uploadId } = await storage.createMultipartUpload('x/big');
    await storage.uploadPart('x/big', uploadId, 7, Buffer.from('part'), 4);
    expect(await readdir(join(rootDir, 'x'))).toEqual(['y.txt']);
    expect((await readdir(join(rootDir, '.multipart', uploadId))).sort()).toEqual(['7', 'upload.json']);
    expect(await listAll()).toEqual(['x/y.txt']);
  });

  it('uses the sha256 of a part as its etag', async () => {
    const { uploadId } = await storage.createMultipartUpload('x/big');
    const part = await storage.uploadPart('x/big', uploadId, 1, Buffer.from('abc'), 3);
    expect(part.etag).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('does not let an upload id for one key touch another key', async () => {
    const { uploadId } = await storage.createMultipartUpload('x/one');
    await expect(storage.uploadPart('x/two', uploadId, 1, Buffer.from('a'), 1)).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
    await storage.abortMultipartUpload('x/two', uploadId);
    expect(await storage.listParts('x/one', uploadId)).toEqual([]);
  });

  it('allows small parts when the minimum part size is turned off', async () => {
    const relaxed = new LocalObjectStorage(rootDir, { minPartSize: 0 });
    const { uploadId } = await relaxed.createMultipartUpload('x/small');
    const parts = [
      await relaxed.uploadPart('x/small', uploadId, 1, Buffer.from('ab'), 2),
      await relaxed.uploadPart('x/small', uploadId, 2, Buffer.from('cd'), 2),
    ];
    await relaxed.completeMultipartUpload('x/small', uploadId, parts);
    expect(await readdir(join(rootDir, '.multipart'))).toEqual([]);
    const body = await storage.get('x/small');
    expect(Buffer.concat(await body.toArray()).toString()).toBe('abcd');
  });

  it('treats a "directory" as no object', async () => {
    await storage.put('dir/inner/file', 'x');
    expect(await storage.head('dir/inner')).toBeNull();
    await expect(storage.get('dir/inner')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await storage.delete('dir/inner');
    expect(await listAll()).toEqual(['dir/inner/file']);
  });

  it('ignores stray files whose names no key can have', async () => {
    await mkdir(join(rootDir, 'odd'), { recursive: true });
    await writeFile(join(rootDir, 'odd', 'has space'), 'x');
    await writeFile(join(rootDir, 'odd', '.~left-over.tmp'), 'x');
    await storage.put('odd/ok', 'x');
    expect(await listAll()).toEqual(['odd/ok']);
  });

  it('guesses the content type of media files from the extension', async () => {
    await storage.put('out/720p/seg-00001.ts', 'x');
    await storage.put('out/poster.jpg', 'x');
    await storage.put('out/blob', 'x');
    expect((await storage.head('out/720p/seg-00001.ts'))?.contentType).toBe('video/mp2t');
    expect((await storage.head('out/poster.jpg'))?.contentType).toBe('image/jpeg');
    expect((await storage.head('out/blob'))?.contentType).toBeUndefined();
  });

  describe('expireMultipartUploads', () => {
    it('removes uploads idle since before the cutoff and reports them', async () => {
      const stale = await storage.createMultipartUpload('assets/stale/source');
      await storage.uploadPart('assets/stale/source', stale.uploadId, 1, Buffer.from('old'), 3);
      const fresh = await storage.createMultipartUpload('assets/fresh/source');
      const past = new Date(Date.now() - 3 * 24 * 3600 * 1000);
      const staleDir = join(rootDir, '.multipart', stale.uploadId);
      for (const name of ['', 'upload.json', '1']) await utimes(join(staleDir, name), past, past);

      const expired = await storage.expireMultipartUploads(new Date(Date.now() - 24 * 3600 * 1000));

      expect(expired).toEqual([{ uploadId: stale.uploadId, key: 'assets/stale/source' }]);
      await expect(storage.listParts('assets/stale/source', stale.uploadId)).rejects.toBeInstanceOf(
        ObjectNotFoundError,
      );
      expect(await storage.listParts('assets/fresh/source', fresh.uploadId)).toEqual([]);
    });

    it('keeps an old upload that is still receiving parts', async () => {
      const { uploadId } = await storage.createMultipartUpload('assets/slow/source');
      const past = new Date(Date.now() - 3 * 24 * 3600 * 1000);
      await utimes(join(rootDir, '.multipart', uploadId, 'upload.json'), past, past);
      await storage.uploadPart('assets/slow/source', uploadId, 1, Buffer.from('new'), 3);
      expect(await storage.expireMultipartUploads(new Date(Date.now() - 24 * 3600 * 1000))).toEqual([]);
    });

    it('copes with no uploads at all', async () => {
      expect(await storage.expireMultipartUploads(new Date())).toEqual([]);
    });
  });
});
