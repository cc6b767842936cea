import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { databaseTargets, type DatabaseTarget } from './database-targets.js';
import { startFakeAws } from './fake-aws.js';
import type { TestApp } from './http-harness.js';

/**
 * The storage and queue adapters a media test runs on: the embedded defaults (local disk and
 * the database queue) on every database target, and S3 + SQS (fauxqs, in this process) on
 * PGlite only, so the suite's runtime grows by one target rather than doubling.
 */
export interface MediaTarget {
  name: string;
  storage: 'local' | 's3';
  database: DatabaseTarget;
  start(): Promise<MediaStack>;
}

export interface MediaStack {
  /** Settings for `createTestApp`. */
  env: Record<string, string>;
  /**
   * Every stored key under `prefix`, read straight from the disk or the bucket rather than
   * through the API's storage adapter, so a test sees what is really there.
   */
  keysUnder(t: TestApp, prefix: string): Promise<string[]>;
  /** The bytes stored under `key`, read the same way. */
  readObject(t: TestApp, key: string): Promise<Buffer>;
  close(): Promise<void>;
}

export function mediaTargets(): MediaTarget[] {
  const local = databaseTargets().map((database): MediaTarget => ({
    name: `local disk + database queue on ${database.name}`,
    storage: 'local',
    database,
    start: async () => ({
      env: {},
      keysUnder: (t, prefix) => filesUnder(join(t.home, 'media'), prefix),
      readObject: (t, key) => readFile(join(t.home, 'media', key)),
      close: async () => {},
    }),
  }));
  const s3: MediaTarget = {
    name: 'S3 + SQS (fauxqs) on PGlite',
    storage: 's3',
    database: databaseTargets()[0]!,
    start: async () => {
      const aws = await startFakeAws();
      const [bucket, jobs, events] = await Promise.all([
        aws.createBucket(),
        // maxReceives matches JOB_MAX_ATTEMPTS (3), as the workers README asks.
        aws.createQueues('transcode', { maxReceives: 3, visibilityTimeoutSeconds: 30 }),
        aws.createQueues('transcode-events', { maxReceives: 5, visibilityTimeoutSeconds: 30 }),
      ]);
      return {
        env: {
          ...aws.env(),
          STORAGE_URL: `s3://${bucket}`,
          SQS_JOBS_QUEUE_URL: jobs.queueUrl,
          SQS_EVENTS_QUEUE_URL: events.queueUrl,
          // With SQS the worker is normally a Lambda or aleflix-worker; here it runs in the API.
          EMBEDDED_WORKER: 'true',
          // The smallest part S3 allows, so a multipart upload of a few MiB has several parts.
          UPLOAD_PART_SIZE_BYTES: String(5 * 1024 * 1024),
        },
        keysUnder: (_t, prefix) => aws.keysIn(bucket, prefix),
        readObject: (_t, key) => aws.readObject(bucket, key),
        close: () => aws.stop(),
      };
    },
  };
  return [...local, s3];
}

/** Keys (paths relative to `root`, with `/`) of the files under `root/prefix`. */
export async function filesUnder(root: string, prefix: string): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

export interface FetchedMedia {
  status: number;
  contentType: string | undefined;
  contentRange: string | undefined;
  cacheControl: string | undefined;
  body: Buffer;
  /** Where the API redirected to, when it answered with a redirect that was followed. */
  redirectedTo: string | undefined;
}

/**
 * GETs a playback URL the way a player does: API paths through Fastify's injection, a
 * redirect from the API (S3: presigned object URL) followed, and any other URL (a presigned
 * URL written into a playlist) fetched over real HTTP from storage.
 */
export async function fetchMedia(t: TestApp, url: string, range?: string): Promise<FetchedMedia> {
  const target = new URL(url, 'http://localhost');
  const headers: Record<string, string> = range ? { range } : {};
  if (!target.pathname.startsWith('/media/')) return fetchOverHttp(url, headers, undefined);
  const response = await t.app.inject({ method: 'GET', url: target.pathname + target.search, headers });
  if (response.statusCode === 302 && typeof response.headers.location === 'string') {
    return fetchOverHttp(response.headers.location, headers, response.headers.location);
  }
  return {
    status: response.statusCode,
    contentType: header(response.headers['content-type']),
    contentRange: header(response.headers['content-range']),
    cacheControl: header(response.headers['cache-control']),
    body: response.rawPayload,
    redirectedTo: undefined,
  };
}

async function fetchOverHttp(
  url: string,
  headers: Record<string, string>,
  redirectedTo: string | undefined,
): Promise<FetchedMedia> {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? undefined,
    contentRange: response.headers.get('content-range') ?? undefined,
    cacheControl: response.headers.get('cache-control') ?? undefined,
    body: Buffer.from(await response.arrayBuffer()),
    redirectedTo,
  };
}

function header(value: string | string[] | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}
