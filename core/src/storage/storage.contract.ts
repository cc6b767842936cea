import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3_MIN_PART_SIZE } from './object-key.js';
import { InvalidObjectKeyError, InvalidRangeError, MultipartUploadError } from './storage.errors.js';
import { ObjectNotFoundError, type ObjectStorage } from './storage.port.js';

/**
 * The behaviour every ObjectStorage adapter must have. Each adapter's spec calls
 * `describeStorageContract` with a factory that returns a fresh, empty store per test.
 * Test-only (imports vitest): never exported from the package index.
 */
export interface StorageFixture {
  storage: ObjectStorage;
  cleanup?: () => Promise<void>;
}

export interface StorageContractOptions {
  /**
   * Tests the engine under test cannot run, with the reason (shown as the skipped test's
   * name). E.g. an emulator without ListParts.
   */
  unsupported?: { listParts?: string };
  /**
   * How many objects the "more than one batch" deletePrefix test creates; default 1005
   * (S3 deletes 1000 keys per request). Lower it together with the adapter's batch size when
   * creating objects one by one is slow on the engine under test.
   */
  manyObjects?: number;
}

const MIB = 1024 * 1024;

/** Keys that must be refused everywhere, whatever the adapter. */
export const INVALID_KEYS: ReadonlyArray<[string, string]> = [
  ['parent segment', '../escape'],
  ['inner parent segment', 'assets/../../escape'],
  ['dot segment', 'assets/./x'],
  ['empty segment', 'assets//x'],
  ['trailing slash', 'assets/x/'],
  ['absolute path', '/etc/passwd'],
  ['backslash', 'assets\\..\\x'],
  ['NUL', 'assets/x\0.txt'],
  ['space', 'assets/a b'],
  ['non-ASCII', 'assets/vídeo'],
  ['empty', ''],
  ['too long', `a/${'x'.repeat(1023)}`],
  ['reserved multipart folder', '.multipart/x'],
];

export function describeStorageContract(
  name: string,
  factory: () => Promise<StorageFixture> | StorageFixture,
  options: StorageContractOptions = {},
): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: ObjectStorage;

    beforeEach(async () => {
      fixture = await factory();
      storage = fixture.storage;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    const read = async (key: string, range?: { start: number; end?: number }) => buffer(await storage.get(key, range));
    const keys = async (prefix: string) => {
      const found: string[] = [];
      for await (const info of storage.list(prefix)) found.push(info.key);
      return found;
    };

    describe('objects', () => {
      it('puts, heads, gets and deletes an object', async () => {
        await storage.put('assets/a1/source', Buffer.from('hello world'));
        const info = await storage.head('assets/a1/source');
        expect(info).toMatchObject({ key: 'assets/a1/source', size: 11 });
        expect(info?.lastModified).toBeInstanceOf(Date);
        expect((await read('assets/a1/source')).toString()).toBe('hello world');
        await storage.delete('assets/a1/source');
        expect(await storage.head('assets/a1/source')).toBeNull();
      });

      it('accepts string, stream and file bodies', async () => {
        await storage.put('bodies/string.txt', 'from a string');
        const large = randomBytes(6 * MIB + 123);
        await storage.put('bodies/stream.bin', Readable.from(chunks(large, 64 * 1024)));
        const dir = await mkdtemp(join(tmpdir(), 'storage-contract-'));
        try {
          const file = join(dir, 'file.bin');
          await writeFile(file, large);
          await storage.putFile('bodies/file.bin', file);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        expect((await read('bodies/string.txt')).toString()).toBe('from a string');
        expect(sha(await read('bodies/stream.bin'))).toBe(sha(large));
        expect(sha(await read('bodies/file.bin'))).toBe(sha(large));
        expect((await storage.head('bodies/stream.bin'))?.size).toBe(large.length);
      });

      it('replaces an object put twice', async () => {
        await storage.put('titles/t1/poster.jpg', 'first version, longer');
        await storage.put('titles/t1/poster.jpg', 'second');
        expect((await read('titles/t1/poster.jpg')).toString()).toBe('second');
        expect((await storage.head('titles/t1/poster.jpg'))?.size).toBe(6);
      });

      it('reports the content type of a playlist', async () => {
        await storage.put('out/master.m3u8', '#EXTM3U\n', { contentType: 'application/vnd.apple.mpegurl' });
        expect((await storage.head('out/master.m3u8'))?.contentType).toBe('application/vnd.apple.mpegurl');
      });

      it('treats missing keys as missing: get throws, head is null, delete succeeds', async () => {
        await expect(storage.get('nothing/here')).rejects.toBeInstanceOf(ObjectNotFoundError);
        await expect(storage.get('nothing/here', { start: 0, end: 1 })).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(await storage.head('nothing/here')).toBeNull();
        await storage.delete('nothing/here');
        await storage.put('once/x', 'x');
        await storage.delete('once/x');
        await storage.delete('once/x');
        expect(await storage.head('once/x')).toBeNull();
      });

      it('accepts keys made of letters, digits, dots, dashes and underscores', async () => {
        const key = 'assets/0f0e-AB_c/v1.0/.hidden-file_name.m3u8';
        await storage.put(key, 'ok');
        expect((await read(key)).toString()).toBe('ok');
      });
    });

    describe('ranges', () => {
      const body = Buffer.from('0123456789abcdefghij');
      beforeEach(async () => {
        await storage.put('ranges/obj', body);
      });

      it('returns the bytes of a closed range, inclusive', async () => {
        expect((await read('ranges/obj', { start: 2, end: 5 })).toString()).toBe('2345');
        expect((await read('ranges/obj', { start: 0, end: 0 })).toString()).toBe('0');
      });

      it('reads to the end when the range has no end, or an end past it', async () => {
        expect((await read('ranges/obj', { start: 15 })).toString()).toBe('fghij');
        expect((await read('ranges/obj', { start: 18, end: 1000 })).toString()).toBe('ij');
      });

      it('refuses a range that starts past the end or ends before it starts', async () => {
        await expect(storage.get('ranges/obj', { start: 20 })).rejects.toBeInstanceOf(InvalidRangeError);
        await expect(storage.get('ranges/obj', { start: 5, end: 4 })).rejects.toBeInstanceOf(InvalidRangeError);
        await expect(storage.get('ranges/obj', { start: -1 })).rejects.toBeInstanceOf(InvalidRangeError);
      });
    });

    describe('list and deletePrefix', () => {
      beforeEach(async () => {
        await Promise.all(
          ['a/b/1.ts', 'a/b/2.ts', 'a/b/c/3.ts', 'a/bc/4.ts', 'a/b-c', 'a/b.m3u8', 'z/5.ts'].map((key) =>
            storage.put(key, key),
          ),
        );
      });

      it('lists recursively, in key order, with sizes', async () => {
        const infos = [];
        for await (const info of storage.list('a/b/')) infos.push(info);
        expect(infos.map((info) => info.key)).toEqual(['a/b/1.ts', 'a/b/2.ts', 'a/b/c/3.ts']);
        expect(infos.map((info) => info.size)).toEqual([8, 8, 10]);
        expect(await keys('a/')).toEqual(['a/b-c', 'a/b.m3u8', 'a/b/1.ts', 'a/b/2.ts', 'a/b/c/3.ts', 'a/bc/4.ts']);
      });

      it('treats the prefix as a string prefix, like S3', async () => {
        expect(await keys('a/b')).toEqual(['a/b-c', 'a/b.m3u8', 'a/b/1.ts', 'a/b/2.ts', 'a/b/c/3.ts', 'a/bc/4.ts']);
        expect(await keys('a/b/c')).toEqual(['a/b/c/3.ts']);
        expect(await keys('')).toHaveLength(7);
        expect(await keys('nothing/')).toEqual([]);
      });

      it('deletes everything under a prefix and says how many', async () => {
        expect(await storage.deletePrefix('a/b/')).toBe(3);
        expect(await keys('a/')).toEqual(['a/b-c', 'a/b.m3u8', 'a/bc/4.ts']);
        expect(await storage.deletePrefix('a/b/')).toBe(0);
        expect(await storage.deletePrefix('nothing/')).toBe(0);
      });

      it('deletes more than one batch', async () => {
        const count = options.manyObjects ?? 1005;
        await Promise.all(
          Array.from({ length: count }, (_, i) => storage.put(`many/${String(i).padStart(4, '0')}.ts`, 'x')),
        );
        expect(await storage.deletePrefix('many/')).toBe(count);
        expect(await keys('many/')).toEqual([]);
      });

      it('refuses a prefix without a trailing slash or with path tricks', async () => {
        await expect(storage.deletePrefix('a/b')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.deletePrefix('/')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.deletePrefix('../')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(keys('../')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        expect(await keys('')).toHaveLength(7);
      });
    });

    describe('key validation', () => {
      it.each(INVALID_KEYS)('refuses a key with %s', async (_label, key) => {
        await expect(storage.put(key, 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.createMultipartUpload(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      });

      it('accepts a key of exactly 1024 characters', async () => {
        const key = ['a', ...['x', 'y', 'z', 'w', 'v'].map((c) => c.repeat(200)), 'u'.repeat(1024 - 2 - 5 * 201)].join(
          '/',
        );
        expect(key).toHaveLength(1024);
        await storage.put(key, 'long');
        expect((await read(key)).toString()).toBe('long');
      });
    });

    describe('aborting a put', () => {
      it('cuts short a put whose body is still arriving: rejects with the reason, stores nothing, the key can be written again', async () => {
        const key = 'abort/a1/source';
        const controller = new AbortController();
        // More than one 8 MiB part, so that an S3 adapter is in a multipart upload by then.
        const body = stallingBody(9 * MIB);
        const putting = storage.put(key, body.stream, { contentType: 'video/mp4', signal: controller.signal });
        await untilStalled(body, putting);
        const reason = new Error('worker stopping');
        controller.abort(reason);
        await expect(putting).rejects.toBe(reason);
        expect(body.stream.destroyed).toBe(true);
        expect(await storage.head(key)).toBeNull();
        await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(await keys('')).toEqual([]);

        const again = randomBytes(2 * MIB + 5);
        await storage.put(key, Readable.from(chunks(again, 64 * 1024)), { signal: new AbortController().signal });
        expect(sha(await read(key))).toBe(sha(again));
      });

      it('keeps the previous object when a put replacing it is aborted, with an AbortError by default', async () => {
        const key = 'abort/a2/poster.jpg';
        await storage.put(key, 'the previous version');
        const controller = new AbortController();
        const body = stallingBody(MIB);
        const putting = storage.put(key, body.stream, { signal: controller.signal });
        await untilStalled(body, putting);
        controller.abort();
        await expect(putting).rejects.toBe(controller.signal.reason);
        await expect(putting).rejects.toMatchObject({ name: 'AbortError' });
        expect((await read(key)).toString()).toBe('the previous version');
        expect(await keys('')).toEqual([key]);
      });

      it('rejects at once when the signal has already fired, reading and writing nothing', async () => {
        const reason = new Error('stopped before the put');
        const signal = AbortSignal.abort(reason);
        let reads = 0;
        const stream = new Readable({
          read() {
            reads++;
            this.push(null);
          },
        });
        const dir = await mkdtemp(join(tmpdir(), 'storage-contract-'));
        try {
          const file = join(dir, 'file.bin');
          await writeFile(file, 'file body');
          await storage.put('early/kept', 'kept');
          await expect(storage.put('early/string', 'x', { signal })).rejects.toBe(reason);
          await expect(storage.put('early/buffer', Buffer.from('x'), { signal })).rejects.toBe(reason);
          await expect(storage.put('early/stream', stream, { signal })).rejects.toBe(reason);
          await expect(storage.putFile('early/file', file, { signal })).rejects.toBe(reason);
          await expect(storage.putFile('early/kept', file, { signal })).rejects.toBe(reason);
          await expect(storage.createMultipartUpload('early/multi', { signal })).rejects.toBe(reason);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        expect(reads).toBe(0);
        expect(stream.destroyed).toBe(false);
        expect(await keys('')).toEqual(['early/kept']);
        expect((await read('early/kept')).toString()).toBe('kept');
      });

      it('changes nothing when the signal fires only after the put has ended', async () => {
        const controller = new AbortController();
        const { signal } = controller;
        const large = randomBytes(6 * MIB + 1);
        const dir = await mkdtemp(join(tmpdir(), 'storage-contract-'));
        try {
          const file = join(dir, 'file.bin');
          await writeFile(file, large);
          await storage.put('late/string.txt', 'string body', { signal });
          await storage.put('late/stream.bin', Readable.from(chunks(large, 256 * 1024)), { signal });
          await storage.putFile('late/file.bin', file, { contentType: 'video/mp4', signal });
          const { uploadId } = await storage.createMultipartUpload('late/multi', { contentType: 'video/mp4', signal });
          const part = await storage.uploadPart('late/multi', uploadId, 1, large, large.length);
          controller.abort(new Error('too late'));
          await storage.completeMultipartUpload('late/multi', uploadId, [part]);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        expect((await read('late/string.txt')).toString()).toBe('string body');
        expect(sha(await read('late/stream.bin'))).toBe(sha(large));
        expect(sha(await read('late/file.bin'))).toBe(sha(large));
        expect(sha(await read('late/multi'))).toBe(sha(large));
      });
    });

    describe('multipart uploads', () => {
      const key = 'assets/m1/source';
      // S3 wants every part but the last to be at least 5 MiB; the adapters agree.
      const part1 = randomBytes(S3_MIN_PART_SIZE);
      const part2 = randomBytes(S3_MIN_PART_SIZE + 17);
      const part3 = randomBytes(1000);

      it('assembles parts uploaded out of order and in parallel, in part-number order', async () => {
        const { uploadId } = await storage.createMultipartUpload(key, { contentType: 'video/mp4' });
        const uploaded = await Promise.all([
          storage.uploadPart(key, uploadId, 3, part3, part3.length),
          storage.uploadPart(key, uploadId, 1, Readable.from(chunks(part1, 256 * 1024)), part1.length),
          storage.uploadPart(key, uploadId, 2, part2, part2.length),
        ]);
        expect(uploaded.map((part) => [part.partNumber, part.size])).toEqual([
          [3, part3.length],
          [1, part1.length],
          [2, part2.length],
        ]);
        await storage.completeMultipartUpload(
          key,
          uploadId,
          uploaded.map(({ partNumber, etag }) => ({ partNumber, etag })),
        );
        const whole = Buffer.concat([part1, part2, part3]);
        expect((await storage.head(key))?.size).toBe(whole.length);
        expect(sha(await read(key))).toBe(sha(whole));
        expect(
          (await read(key, { start: part1.length - 2, end: part1.length + 1 })).equals(
            whole.subarray(part1.length - 2, part1.length + 2),
          ),
        ).toBe(true);
      });

      it('replaces a part that is sent again', async () => {
        const { uploadId } = await storage.createMultipartUpload(key);
        const first = await storage.uploadPart(key, uploadId, 1, part1, part1.length);
        const replacement = randomBytes(part1.length);
        const second = await storage.uploadPart(key, uploadId, 1, replacement, replacement.length);
        expect(second.etag).not.toBe(first.etag);
        const last = await storage.uploadPart(key, uploadId, 2, part3, part3.length);
        await expect(
          storage.completeMultipartUpload(key, uploadId, [
            { partNumber: 1, etag: first.etag },
            { partNumber: 2, etag: last.etag },
          ]),
        ).rejects.toMatchObject({ name: 'MultipartUploadError', code: 'invalid_part' });
        await storage.completeMultipartUpload(key, uploadId, [
          { partNumber: 2, etag: last.etag },
          { partNumber: 1, etag: second.etag },
        ]);
        expect(sha(await read(key))).toBe(sha(Buffer.concat([replacement, part3])));
      });

      it.skipIf(Boolean(options.unsupported?.listParts))(
        `lists the uploaded parts so an interrupted upload can resume${options.unsupported?.listParts ? ` (skipped: ${options.unsupported.listParts})` : ''}`,
        async () => {
          const { uploadId } = await storage.createMultipartUpload(key);
          expect(await storage.listParts(key, uploadId)).toEqual([]);
          const p3 = await storage.uploadPart(key, uploadId, 3, part3, part3.length);
          const p1 = await storage.uploadPart(key, uploadId, 1, part1, part1.length);
          const listed = await storage.listParts(key, uploadId);
          expect(listed).toEqual([
            { partNumber: 1, etag: p1.etag, size: part1.length },
            { partNumber: 3, etag: p3.etag, size: part3.length },
          ]);
          // Resume: send what is missing, complete with the listed etags.
          const p2 = await storage.uploadPart(key, uploadId, 2, part2, part2.length);
          await storage.completeMultipartUpload(key, uploadId, [...listed, p2]);
          expect((await storage.head(key))?.size).toBe(part1.length + part2.length + part3.length);
        },
      );

      it('refuses to complete with a wrong etag or a missing part, and the upload survives', async () => {
        const { uploadId } = await storage.createMultipartUpload(key);
        const p1 = await storage.uploadPart(key, uploadId, 1, part1, part1.length);
        const p2 = await storage.uploadPart(key, uploadId, 2, part3, part3.length);
        const wrong = createHash('md5').update('not the part').digest('hex');
        await expect(
          storage.completeMultipartUpload(key, uploadId, [p1, { partNumber: 2, etag: wrong }]),
        ).rejects.toMatchObject({ name: 'MultipartUploadError', code: 'invalid_part' });
        await expect(
          storage.completeMultipartUpload(key, uploadId, [p1, p2, { partNumber: 3, etag: p2.etag }]),
        ).rejects.toBeInstanceOf(MultipartUploadError);
        expect(await storage.head(key)).toBeNull();
        await storage.completeMultipartUpload(key, uploadId, [p1, p2]);
        expect((await storage.head(key))?.size).toBe(part1.length + part3.length);
      });

      it('refuses parts other than the last below 5 MiB', async () => {
        const { uploadId } = await storage.createMultipartUpload(key);
        const small = await storage.uploadPart(key, uploadId, 1, part3, part3.length);
        const last = await storage.uploadPart(key, uploadId, 2, part3, part3.length);
        await expect(storage.completeMultipartUpload(key, uploadId, [small, last])).rejects.toMatchObject({
          name: 'MultipartUploadError',
          code: 'part_too_small',
        });
      });

      it('refuses bad part numbers, empty part lists and bodies of the wrong size', async () => {
        const { uploadId } = await storage.createMultipartUpload(key);
        for (const partNumber of [0, 10001, 1.5]) {
          await expect(storage.uploadPart(key, uploadId, partNumber, part3, part3.length)).rejects.toMatchObject({
            code: 'invalid_part_number',
          });
        }
        await expect(storage.uploadPart(key, uploadId, 1, part3, part3.length + 1)).rejects.toMatchObject({
          code: 'size_mismatch',
        });
        await expect(
          storage.uploadPart(key, uploadId, 1, Readable.from([part3]), part3.length - 1),
        ).rejects.toMatchObject({
          code: 'size_mismatch',
        });
        await expect(
          storage.uploadPart(key, uploadId, 1, Readable.from([part3]), part3.length + 1),
        ).rejects.toMatchObject({
          code: 'size_mismatch',
        });
        await expect(storage.completeMultipartUpload(key, uploadId, [])).rejects.toMatchObject({ code: 'no_parts' });
        const p1 = await storage.uploadPart(key, uploadId, 1, part3, part3.length);
        await expect(storage.completeMultipartUpload(key, uploadId, [p1, p1])).rejects.toMatchObject({
          code: 'invalid_part_number',
        });
      });

      it('aborts: parts are gone, the object never appears, aborting again is fine', async () => {
        const { uploadId } = await storage.createMultipartUpload(key);
        const p1 = await storage.uploadPart(key, uploadId, 1, part3, part3.length);
        await storage.abortMultipartUpload(key, uploadId);
        await storage.abortMultipartUpload(key, uploadId);
        await expect(storage.uploadPart(key, uploadId, 2, part3, part3.length)).rejects.toBeInstanceOf(
          ObjectNotFoundError,
        );
        await expect(storage.completeMultipartUpload(key, uploadId, [p1])).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(await storage.head(key)).toBeNull();
        expect(await keys('')).toEqual([]);
      });

      it('does not know uploads it never created', async () => {
        const unknown = '00000000-0000-4000-8000-000000000000';
        await expect(storage.uploadPart(key, unknown, 1, part3, part3.length)).rejects.toBeInstanceOf(
          ObjectNotFoundError,
        );
        await expect(
          storage.completeMultipartUpload(key, unknown, [{ partNumber: 1, etag: 'x' }]),
        ).rejects.toBeInstanceOf(ObjectNotFoundError);
        await expect(storage.uploadPart(key, '../../escape', 1, part3, part3.length)).rejects.toBeInstanceOf(
          ObjectNotFoundError,
        );
        await storage.abortMultipartUpload(key, unknown);
      });

      it('does not list the parts of an upload in progress as objects', async () => {
        const { uploadId } = await storage.createMultipartUpload(key);
        await storage.uploadPart(key, uploadId, 1, part3, part3.length);
        expect(await keys('')).toEqual([]);
        expect(await storage.head(key)).toBeNull();
        await storage.abortMultipartUpload(key, uploadId);
      });
    });

    describe('presigned URLs', () => {
      it('gives a GET URL that serves the object, or null when the API serves it', async () => {
        await storage.put('presign/obj.txt', 'presigned body');
        const url = await storage.presignGet('presign/obj.txt', 60);
        if (storage.kind === 'local') {
          expect(url).toBeNull();
          return;
        }
        expect(url).toMatch(/^https?:\/\//);
        const response = await fetch(url as string);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('presigned body');
      });

      it('gives part URLs a client can PUT to directly, or null when parts go through the API', async () => {
        const { uploadId } = await storage.createMultipartUpload(key('direct'));
        const url = await storage.presignUploadPart(key('direct'), uploadId, 1, 60);
        if (storage.kind === 'local') {
          expect(url).toBeNull();
          await storage.abortMultipartUpload(key('direct'), uploadId);
          return;
        }
        const response = await fetch(url as string, {
          method: 'PUT',
          body: new Uint8Array(Buffer.from('direct part')),
        });
        expect(response.status).toBe(200);
        const etag = response.headers.get('etag');
        expect(etag).toBeTruthy();
        await storage.completeMultipartUpload(key('direct'), uploadId, [{ partNumber: 1, etag: etag as string }]);
        expect((await read(key('direct'))).toString()).toBe('direct part');
      });

      function key(name: string) {
        return `presign/${name}`;
      }
    });
  });
}

export interface StallingBody {
  stream: Readable;
  /** Resolves once every byte has been read and the reader asks for more. */
  stalled: Promise<void>;
}

/**
 * A body that hands out `size` bytes, then never ends (until destroyed): a client whose
 * upload is slower than the store. Once `stalled`, the put is mid-way, waiting for more.
 */
export function stallingBody(size: number): StallingBody {
  let sent = 0;
  let onStalled: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => (onStalled = resolve));
  const stream = new Readable({
    read() {
      if (sent >= size) {
        onStalled();
        return;
      }
      const chunk = Buffer.alloc(Math.min(256 * 1024, size - sent), sent % 251);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, stalled };
}

/** Waits until `body` has stalled; fails at once if the put ends before (it cannot, whole). */
export async function untilStalled(body: StallingBody, putting: Promise<unknown>): Promise<void> {
  const ended = putting.then(
    () => Promise.reject(new Error('the put resolved before its body ended')),
    (error: unknown) => Promise.reject(new Error('the put failed before its body stalled', { cause: error })),
  );
  // Only the race cares once the body has stalled.
  ended.catch(() => undefined);
  await Promise.race([body.stalled, ended]);
}

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}
