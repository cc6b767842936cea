import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_MIN_PART_SIZE } from './object-key.js';
import { createS3Client, S3ObjectStorage } from './s3.storage.js';
import { describeStorageContract, stallingBody, untilStalled } from './storage.contract.js';
import { InvalidObjectKeyError } from './storage.errors.js';
import { ObjectNotFoundError } from './storage.port.js';

// fauxqs (an S3/SQS emulator) runs in this process on a free port; clients use it as a
// custom endpoint with path-style URLs, exactly like a MinIO or R2 deployment would.
let server: FauxqsServer;
let client: S3Client;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  client = createS3Client({
    region: 'us-east-1',
    endpoint: server.address,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function freshBucket(): Promise<string> {
  const bucket = `aleflix-${randomUUID()}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

describeStorageContract(
  'S3 (fauxqs)',
  // A small delete batch so that "more than one batch" needs 120 objects, not 1005: each
  // PutObject costs a few ms on fauxqs.
  async () => ({ storage: new S3ObjectStorage({ bucket: await freshBucket(), client, deleteBatchSize: 50 }) }),
  {
    // fauxqs routes GET ?uploadId= to GetObject; ListParts is covered below with a scripted client.
    unsupported: { listParts: 'fauxqs has no ListParts' },
    manyObjects: 120,
  },
);

describe('S3ObjectStorage', () => {
  it('keeps everything under its prefix, so several stores can share a bucket', async () => {
    const bucket = await freshBucket();
    const one = new S3ObjectStorage({ bucket, client, prefix: '/tenant-1/' });
    const two = new S3ObjectStorage({ bucket, client, prefix: 'tenant-2' });
    await one.put('assets/a/source', 'one');
    await two.put('assets/a/source', 'two');
    expect((await buffer(await one.get('assets/a/source'))).toString()).toBe('one');
    const listed: string[] = [];
    for await (const info of one.list('')) listed.push(info.key);
    expect(listed).toEqual(['assets/a/source']);
    expect(await one.deletePrefix('assets/')).toBe(1);
    expect(await two.head('assets/a/source')).toMatchObject({ key: 'assets/a/source', size: 3 });
    await expect(one.get('assets/a/source')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('counts the prefix in the 1024-character key limit', async () => {
    const storage = new S3ObjectStorage({ bucket: await freshBucket(), client, prefix: 'p' });
    await expect(storage.put(`a/${'x'.repeat(150)}/`.repeat(7).slice(0, 1023), 'x')).rejects.toBeInstanceOf(
      InvalidObjectKeyError,
    );
  });

  it('refuses a prefix with path tricks', () => {
    expect(() => new S3ObjectStorage({ bucket: 'b', client, prefix: '../x' })).toThrow(InvalidObjectKeyError);
  });

  it('presigns part URLs without a checksum of the empty body', async () => {
    // The SDK's default flexible checksums would sign CRC32("") = AAAAAA== into the URL, and
    // real S3 (unlike fauxqs) would then reject every part. The adapter strips it.
    const storage = new S3ObjectStorage({ bucket: await freshBucket(), client });
    const { uploadId } = await storage.createMultipartUpload('assets/p/source');
    const url = new URL((await storage.presignUploadPart('assets/p/source', uploadId, 3, 900)) as string);
    expect(url.searchParams.get('partNumber')).toBe('3');
    expect(url.searchParams.get('uploadId')).toBe(uploadId);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  });

  it('lists parts across pages (scripted S3, since fauxqs has no ListParts)', async () => {
    const calls: unknown[] = [];
    const scripted = {
      async send(command: unknown) {
        expect(command).toBeInstanceOf(ListPartsCommand);
        const input = (command as ListPartsCommand).input;
        calls.push(input);
        if (!input.PartNumberMarker) {
          return {
            IsTruncated: true,
            NextPartNumberMarker: '2',
            Parts: [
              { PartNumber: 2, ETag: '"b"', Size: 5 },
              { PartNumber: 1, ETag: '"a"', Size: 5 },
            ],
          };
        }
        return { IsTruncated: false, Parts: [{ PartNumber: 4, ETag: '"d"', Size: 1 }] };
      },
    } as unknown as S3Client;
    const storage = new S3ObjectStorage({ bucket: 'bucket', client: scripted, prefix: 'media' });
    expect(await storage.listParts('assets/x/source', 'upload-1')).toEqual([
      { partNumber: 1, etag: '"a"', size: 5 },
      { partNumber: 2, etag: '"b"', size: 5 },
      { partNumber: 4, etag: '"d"', size: 1 },
    ]);
    expect(calls).toEqual([
      { Bucket: 'bucket', Key: 'media/assets/x/source', UploadId: 'upload-1' },
      { Bucket: 'bucket', Key: 'media/assets/x/source', UploadId: 'upload-1', PartNumberMarker: '2' },
    ]);
  });

  it('maps NoSuchUpload from ListParts to ObjectNotFoundError', async () => {
    const scripted = {
      async send() {
        throw Object.assign(new Error('The specified upload does not exist'), { name: 'NoSuchUpload' });
      },
    } as unknown as S3Client;
    const storage = new S3ObjectStorage({ bucket: 'bucket', client: scripted });
    await expect(storage.listParts('assets/x/source', 'gone')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  describe('aborting an upload', () => {
    // The real fauxqs behind a client that records what the adapter sends and lets a test act
    // on a request as it is sent (before it reaches fauxqs) or once it is answered.
    interface Sent {
      command: unknown;
      output?: unknown;
      error?: unknown;
    }
    function watchedClient(hooks: { beforeSend?: (command: unknown) => void; afterSend?: (sent: Sent) => void } = {}) {
      const sent: Sent[] = [];
      const watched = Object.create(client) as S3Client;
      const call = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
      const send = async (command: unknown, options?: object) => {
        const entry: Sent = { command };
        sent.push(entry);
        hooks.beforeSend?.(command);
        try {
          entry.output = await call(command, options);
        } catch (error) {
          entry.error = error;
          throw error;
        }
        hooks.afterSend?.(entry);
        return entry.output;
      };
      watched.send = send as S3Client['send'];
      const uploadId = () => {
        const created = sent.find((entry) => entry.command instanceof CreateMultipartUploadCommand);
        return (created?.output as { UploadId?: string } | undefined)?.UploadId;
      };
      const sentOf = (type: new (...args: never[]) => unknown) => sent.filter((entry) => entry.command instanceof type);
      return { client: watched, sent, uploadId, sentOf };
    }
    const MIB = 1024 * 1024;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'aleflix-s3-abort-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('cuts short a multipart putFile and aborts the upload on S3; the key can be written again', async () => {
      const bucket = await freshBucket();
      const key = 'assets/f/source';
      const file = join(dir, 'three-parts.bin');
      const data = randomBytes(2 * S3_MIN_PART_SIZE + 1234);
      await writeFile(file, data);
      const controller = new AbortController();
      const reason = new Error('worker stopping');
      // Aborted as part 2 is sent: part 1 is being sent or stored, part 3 not sent yet.
      const watched = watchedClient({
        beforeSend: (command) => {
          if (command instanceof UploadPartCommand && command.input.PartNumber === 2) controller.abort(reason);
        },
      });
      const storage = new S3ObjectStorage({ bucket, client: watched.client, streamPartSize: S3_MIN_PART_SIZE });

      await expect(storage.putFile(key, file, { signal: controller.signal })).rejects.toBe(reason);

      const uploadId = watched.uploadId();
      expect(uploadId).toBeTruthy();
      expect(watched.sentOf(AbortMultipartUploadCommand)).toHaveLength(1);
      expect(watched.sentOf(CompleteMultipartUploadCommand)).toEqual([]);
      // The part being sent when the signal fired was cut short, not sent to its end.
      const part2 = watched
        .sentOf(UploadPartCommand)
        .find((entry) => (entry.command as UploadPartCommand).input.PartNumber === 2);
      expect(part2?.error).toMatchObject({ name: 'AbortError' });
      // The upload is gone on S3, not left dangling with its parts.
      await expect(storage.uploadPart(key, uploadId!, 3, Buffer.from('late'), 4)).rejects.toBeInstanceOf(
        ObjectNotFoundError,
      );
      expect(await storage.head(key)).toBeNull();

      await storage.putFile(key, file, { signal: new AbortController().signal });
      expect(sha(await buffer(await storage.get(key)))).toBe(sha(data));
    });

    it('cuts short a streamed put waiting on a slow body and aborts its multipart upload on S3', async () => {
      const bucket = await freshBucket();
      const key = 'assets/s/source';
      let partsStored = 0;
      const watched = watchedClient({
        afterSend: ({ command }) => {
          if (command instanceof UploadPartCommand) partsStored++;
        },
      });
      const storage = new S3ObjectStorage({ bucket, client: watched.client, streamPartSize: S3_MIN_PART_SIZE });
      const controller = new AbortController();
      const body = stallingBody(S3_MIN_PART_SIZE + MIB);
      const putting = storage.put(key, body.stream, { signal: controller.signal });
      await untilStalled(body, putting);
      // Wait on state: part 1 stored, the upload now only waits for the body.
      await expect.poll(() => partsStored, { timeout: 30_000, interval: 10 }).toBe(1);
      controller.abort();

      await expect(putting).rejects.toMatchObject({ name: 'AbortError' });
      expect(body.stream.destroyed).toBe(true);
      expect(watched.sentOf(AbortMultipartUploadCommand)).toHaveLength(1);
      await expect(storage.uploadPart(key, watched.uploadId()!, 2, Buffer.from('late'), 4)).rejects.toBeInstanceOf(
        ObjectNotFoundError,
      );
      expect(await storage.head(key)).toBeNull();
    });

    it('cuts short a single PutObject, from a buffer or a small file', async () => {
      const bucket = await freshBucket();
      const file = join(dir, 'small.bin');
      await writeFile(file, 'small file');
      let controller = new AbortController();
      const watched = watchedClient({
        beforeSend: (command) => {
          if (command instanceof PutObjectCommand) controller.abort(new Error(`stop ${command.input.Key}`));
        },
      });
      const storage = new S3ObjectStorage({ bucket, client: watched.client });
      await expect(storage.put('small/buffer', Buffer.from('buffer'), { signal: controller.signal })).rejects.toThrow(
        'stop small/buffer',
      );
      controller = new AbortController();
      await expect(storage.putFile('small/file', file, { signal: controller.signal })).rejects.toThrow(
        'stop small/file',
      );
      expect(watched.sentOf(PutObjectCommand)).toHaveLength(2);
      expect(watched.sentOf(CreateMultipartUploadCommand)).toEqual([]);
      expect(await storage.head('small/buffer')).toBeNull();
      expect(await storage.head('small/file')).toBeNull();
      const plain = new S3ObjectStorage({ bucket, client });
      await plain.putFile('small/file', file, { signal: new AbortController().signal });
      expect((await buffer(await plain.get('small/file'))).toString()).toBe('small file');
    });

    it('lets an upload complete when the abort comes as it is being completed: the object is whole', async () => {
      const bucket = await freshBucket();
      const key = 'assets/c/source';
      const file = join(dir, 'two-parts.bin');
      const data = randomBytes(S3_MIN_PART_SIZE + 10);
      await writeFile(file, data);
      const controller = new AbortController();
      const watched = watchedClient({
        beforeSend: (command) => {
          if (command instanceof CompleteMultipartUploadCommand) controller.abort();
        },
      });
      const storage = new S3ObjectStorage({ bucket, client: watched.client, streamPartSize: S3_MIN_PART_SIZE });
      await storage.putFile(key, file, { signal: controller.signal });
      expect(controller.signal.aborted).toBe(true);
      expect(watched.sentOf(AbortMultipartUploadCommand)).toEqual([]);
      expect(sha(await buffer(await storage.get(key)))).toBe(sha(data));
    });

    it('aborts an upload created by createMultipartUpload when the signal fires meanwhile', async () => {
      const bucket = await freshBucket();
      const controller = new AbortController();
      const reason = new Error('stopped');
      const watched = watchedClient({
        beforeSend: (command) => {
          if (command instanceof CreateMultipartUploadCommand) controller.abort(reason);
        },
      });
      const storage = new S3ObjectStorage({ bucket, client: watched.client });
      await expect(storage.createMultipartUpload('assets/m/source', { signal: controller.signal })).rejects.toBe(
        reason,
      );
      expect(watched.sentOf(AbortMultipartUploadCommand)).toHaveLength(1);
      await expect(
        storage.uploadPart('assets/m/source', watched.uploadId()!, 1, Buffer.from('x'), 1),
      ).rejects.toBeInstanceOf(ObjectNotFoundError);
    });
  });
});

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
