import type { S3Client } from '@aws-sdk/client-s3';
import { LocalObjectStorage } from './local.storage.js';
import { createS3Client, S3ObjectStorage } from './s3.storage.js';
import { parseStorageUrl, type StorageConfig } from './storage-url.js';
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

/** Settings from the environment that apply when the URL itself does not say. */
export interface S3Defaults {
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

/**
 * STORAGE_URL to adapter, the one way the API and every worker entrypoint do it: options in
 * the URL (`?region=&endpoint=&forcePathStyle=`) win over the AWS_* environment defaults.
 */
export function createObjectStorageFromUrl(url: string, defaults: S3Defaults): ObjectStorage {
  const parsed = parseStorageUrl(url);
  if (parsed.kind === 'local') return createObjectStorage(parsed);
  return createObjectStorage({
    ...parsed,
    region: parsed.region ?? defaults.region,
    ...(defaults.endpoint && !parsed.endpoint ? { endpoint: defaults.endpoint } : {}),
    forcePathStyle: parsed.forcePathStyle ?? defaults.forcePathStyle,
  });
}
