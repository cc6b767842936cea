import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateObjectKey } from './object-key.js';

/** Where the embedded default keeps media, relative to the working directory. */
export const DEFAULT_LOCAL_STORAGE_DIR = '.aleflix/media';

export interface LocalStorageConfig {
  kind: 'local';
  /** Absolute directory. */
  rootDir: string;
}

export interface S3StorageConfig {
  kind: 's3';
  bucket: string;
  /** Key prefix inside the bucket, without a trailing slash; undefined for the bucket root. */
  prefix?: string;
  /** From `?endpoint=` (S3-compatible stores); the SDK default otherwise. */
  endpoint?: string;
  /** From `?region=`; the SDK's own resolution (AWS_REGION, profile) otherwise. */
  region?: string;
  /** From `?forcePathStyle=true`; defaults to true when an endpoint is given. */
  forcePathStyle?: boolean;
}

export type StorageConfig = LocalStorageConfig | S3StorageConfig;

export class InvalidStorageUrlError extends Error {
  override readonly name = 'InvalidStorageUrlError';
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(
      `Invalid storage URL ${JSON.stringify(url)}: ${reason}. Expected s3://bucket[/prefix] or file:///absolute/path`,
    );
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_PARAMS = new Set(['endpoint', 'region', 'forcePathStyle']);

/**
 * Reads STORAGE_URL:
 * - unset or empty: local storage in `.aleflix/media` under the working directory;
 * - `file:///abs/path` (or a plain path): local storage there;
 * - `s3://bucket/optional/prefix[?region=…&endpoint=http://127.0.0.1:9000&forcePathStyle=true]`.
 * Throws InvalidStorageUrlError for anything else.
 */
export function parseStorageUrl(url: string | undefined, cwd: string = process.cwd()): StorageConfig {
  const value = url?.trim() ?? '';
  if (value === '') return { kind: 'local', rootDir: resolve(cwd, DEFAULT_LOCAL_STORAGE_DIR) };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    // A bare path: convenient in .env files, and unambiguous.
    return { kind: 'local', rootDir: resolve(cwd, value) };
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidStorageUrlError(value, 'not a URL');
  }
  if (parsed.protocol === 'file:') return { kind: 'local', rootDir: fileRoot(value, parsed) };
  if (parsed.protocol === 's3:') return s3Config(value, parsed);
  throw new InvalidStorageUrlError(value, `unsupported scheme ${parsed.protocol}`);
}

function fileRoot(value: string, parsed: URL): string {
  if (parsed.search || parsed.hash) throw new InvalidStorageUrlError(value, 'file URLs take no query or fragment');
  if (parsed.host !== '' && parsed.host !== 'localhost') {
    throw new InvalidStorageUrlError(value, 'file URLs need an absolute path (file:///dir), not a host');
  }
  const path = fileURLToPath(parsed);
  if (!isAbsolute(path)) throw new InvalidStorageUrlError(value, 'the path must be absolute');
  return resolve(path);
}

function s3Config(value: string, parsed: URL): S3StorageConfig {
  const bucket = parsed.hostname;
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new InvalidStorageUrlError(value, `bad bucket name "${bucket}"`);
  if (parsed.username || parsed.password || parsed.port) {
    throw new InvalidStorageUrlError(value, 'credentials and ports do not belong in the URL');
  }
  if (parsed.hash) throw new InvalidStorageUrlError(value, 'no fragment allowed');
  const config: S3StorageConfig = { kind: 's3', bucket };
  // URL parsing resolves "a/../b" silently; a prefix written that way is a mistake, so look
  // at the raw text too.
  const rawPath = (value.slice(value.indexOf('//') + 2).split(/[?#]/)[0] ?? '').split('/').slice(1);
  if (rawPath.some((segment) => segment === '.' || segment === '..'))
    throw new InvalidStorageUrlError(value, 'bad prefix: "." or ".." segment');
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix) {
    try {
      validateObjectKey(prefix);
    } catch (error) {
      throw new InvalidStorageUrlError(value, `bad prefix: ${(error as Error).message}`);
    }
    config.prefix = prefix;
  }
  for (const name of parsed.searchParams.keys()) {
    if (!S3_PARAMS.has(name)) throw new InvalidStorageUrlError(value, `unknown parameter "${name}"`);
  }
  const endpoint = parsed.searchParams.get('endpoint');
  if (endpoint) {
    if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new InvalidStorageUrlError(value, 'endpoint must be an http(s) URL');
    config.endpoint = endpoint;
  }
  const region = parsed.searchParams.get('region');
  if (region) config.region = region;
  const pathStyle = parsed.searchParams.get('forcePathStyle');
  if (pathStyle !== null) {
    if (pathStyle !== 'true' && pathStyle !== 'false')
      throw new InvalidStorageUrlError(value, 'forcePathStyle must be true or false');
    config.forcePathStyle = pathStyle === 'true';
  } else if (endpoint) {
    config.forcePathStyle = true;
  }
  return config;
}
