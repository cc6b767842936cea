import { CreateBucketCommand, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ObjectStorage } from './s3.storage.js';
import { describeStorageContract } from './storage.contract.js';
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
});
