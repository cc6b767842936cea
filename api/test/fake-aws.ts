import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createS3Client, ensureSqsQueues, type EnsureSqsQueuesOptions, type SqsQueueUrls } from '@aleflix/core';
import { buildApp } from 'fauxqs';

const REGION = 'us-east-1';

/**
 * The AWS SDK reads these from the environment when the API builds its own clients (the API
 * has no credential settings of its own: it uses the SDK's default chain, as in production).
 */
const TEST_CREDENTIALS_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

/** fauxqs (S3 + SQS) in this process on a free loopback port, with clients for the test's own checks. */
export interface FakeAws {
  /** The endpoint, e.g. `http://127.0.0.1:41234`. */
  address: string;
  s3: S3Client;
  sqs: SQSClient;
  createBucket(): Promise<string>;
  /** A queue and its DLQ with a redrive policy, as production infrastructure would create them. */
  createQueues(label: string, options: EnsureSqsQueuesOptions): Promise<SqsQueueUrls>;
  /** Every key under `prefix`, listed with the test's own S3 client (not through the API). */
  keysIn(bucket: string, prefix: string): Promise<string[]>;
  readObject(bucket: string, key: string): Promise<Buffer>;
  /** The settings that point the API (or a worker) at this endpoint. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const previous = Object.fromEntries(Object.keys(TEST_CREDENTIALS_ENV).map((name) => [name, process.env[name]]));
  Object.assign(process.env, TEST_CREDENTIALS_ENV);
  // buildApp rather than startFauxqs: it listens on loopback only, and takes the ListParts hooks.
  const app = buildApp({ logger: false, defaultRegion: REGION });
  addListParts(app);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const s3 = createS3Client({ region: REGION, endpoint: address, forcePathStyle: true, credentials });
  const sqs = new SQSClient({ region: REGION, endpoint: address, credentials });
  return {
    address,
    s3,
    sqs,
    async createBucket() {
      const bucket = `media-${randomUUID()}`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    createQueues: (label, options) => ensureSqsQueues(sqs, `${label}-${randomUUID()}`, options),
    async keysIn(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async readObject(bucket, key) {
      const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await output.Body!.transformToByteArray());
    },
    env: () => ({
      AWS_ENDPOINT_URL: address,
      AWS_REGION: REGION,
      S3_FORCE_PATH_STYLE: 'true',
      ...TEST_CREDENTIALS_ENV,
    }),
    async stop() {
      s3.destroy();
      sqs.destroy();
      await app.close();
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

type FauxqsApp = ReturnType<typeof buildApp>;

interface SeenPart {
  etag: string;
  size: number;
  at: Date;
}

/**
 * fauxqs 2.4 has no ListParts (`GET /bucket/key?uploadId=`), which the API needs to resume
 * and complete uploads whose parts went straight to storage. These hooks answer it the way
 * S3 does, from the multipart traffic they see: uploads created, parts stored (their ETag
 * and size as fauxqs answered them), uploads completed or aborted.
 */
function addListParts(app: FauxqsApp): void {
  const uploads = new Map<string, Map<number, SeenPart>>();
  app.addHook('onSend', async (request, reply, payload) => {
    const query = request.query as Record<string, string | undefined>;
    if (reply.statusCode >= 300) return payload;
    if (request.method === 'POST' && query.uploads !== undefined && typeof payload === 'string') {
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(payload)?.[1];
      if (uploadId) uploads.set(uploadId, new Map());
    } else if (request.method === 'PUT' && query.uploadId && query.partNumber) {
      const etag = reply.getHeader('etag');
      const size = Number(request.headers['x-amz-decoded-content-length'] ?? request.headers['content-length']);
      if (typeof etag === 'string')
        uploads.get(query.uploadId)?.set(Number(query.partNumber), { etag, size, at: new Date() });
    } else if ((request.method === 'POST' || request.method === 'DELETE') && query.uploadId) {
      uploads.delete(query.uploadId);
    }
    return payload;
  });
  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (request.method !== 'GET' || !query.uploadId) return;
    const parts = uploads.get(query.uploadId);
    void reply.header('content-type', 'application/xml');
    if (!parts) {
      await reply
        .status(404)
        .send(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>',
        );
      return;
    }
    const [, bucket, key] = /^\/([^/]+)\/([^?]+)/.exec(request.url) ?? [];
    const entries = [...parts.entries()].sort(([a], [b]) => a - b);
    await reply
      .status(200)
      .send(
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<ListPartsResult>',
          `<Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${query.uploadId}</UploadId>`,
          '<IsTruncated>false</IsTruncated>',
          ...entries.map(
            ([partNumber, part]) =>
              `<Part><PartNumber>${partNumber}</PartNumber><ETag>${part.etag.replaceAll('"', '&quot;')}</ETag><Size>${part.size}</Size><LastModified>${part.at.toISOString()}</LastModified></Part>`,
          ),
          '</ListPartsResult>',
        ].join(''),
      );
  });
}
