// Public surface of the storage port and its adapters. The contract suite
// (storage.contract.ts) imports vitest and is for specs only: import it by path.
export * from './storage.port.js';
export * from './storage.errors.js';
export {
  MAX_OBJECT_KEY_LENGTH,
  MAX_PART_NUMBER,
  MAX_SEGMENT_LENGTH,
  RESERVED_KEY_PREFIX,
  S3_MIN_PART_SIZE,
  validateObjectKey,
} from './object-key.js';
export {
  LocalObjectStorage,
  guessContentType,
  type ExpiredUpload,
  type LocalObjectStorageOptions,
} from './local.storage.js';
export { S3ObjectStorage, createS3Client, type S3ClientOptions, type S3ObjectStorageOptions } from './s3.storage.js';
export {
  DEFAULT_LOCAL_STORAGE_DIR,
  InvalidStorageUrlError,
  parseStorageUrl,
  type LocalStorageConfig,
  type S3StorageConfig,
  type StorageConfig,
} from './storage-url.js';
export {
  createObjectStorage,
  createObjectStorageFromUrl,
  type CreateObjectStorageOptions,
  type S3Defaults,
} from './storage.factory.js';
