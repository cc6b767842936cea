import type { S3Client } from '@aws-sdk/client-s3';
import { LocalObjectStorage } from './local.storage.js';
import { createS3Client, S3ObjectStorage } from './s3.storage.js';
import type { StorageConfig } from './storage-url.js';
import type { ObjectStorage } from './storage.port.js';

export interface CreateObjectStorageOptions {
  /** Use this client instead of building one from the config (tests, custom credentials). */
  s3Client?: S3Client;
}

/** The adapter a `parseStorageUrl` config asks for. */
export function createObjectStorage(config: StorageConfig, options: CreateObjectStorageOptions = {}): ObjectStorage {
  if (config.kind === 'local') return new LocalObjectStorage(config.rootDir);
  const client =
    options.s3Client ??
    createS3Client({
      region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.forcePathStyle !== undefined ? { forcePathStyle: config.forcePathStyle } : {}),
    });
  return new S3ObjectStorage({ bucket: config.bucket, client, ...(config.prefix ? { prefix: config.prefix } : {}) });
}
