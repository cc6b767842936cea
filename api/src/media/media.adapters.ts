import { join } from 'node:path';
import {
  createObjectStorageFromUrl,
  createSqsClient,
  sqlClientFrom,
  SqlMessageQueue,
  SqsMessageQueue,
  type MessageQueue,
  type ObjectStorage,
} from '@aleflix/core';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';

export const JOBS_QUEUE_NAME = 'transcode-jobs';
export const EVENTS_QUEUE_NAME = 'transcode-events';

/** Local files under ALEFLIX_HOME/media by default; S3 when STORAGE_URL is s3://. */
export function createObjectStorageFor(config: AppConfig): ObjectStorage {
  return createObjectStorageFromUrl(config.env.STORAGE_URL ?? join(config.home, 'media'), {
    region: config.env.AWS_REGION,
    ...(config.env.AWS_ENDPOINT_URL ? { endpoint: config.env.AWS_ENDPOINT_URL } : {}),
    forcePathStyle: config.env.S3_FORCE_PATH_STYLE,
  });
}

/** The database queue by default; SQS when its queue URL is configured. */
export function createQueue(
  config: AppConfig,
  dataSource: DataSource,
  name: string,
  sqsUrl: string | undefined,
): MessageQueue {
  if (sqsUrl) {
    const client = createSqsClient({
      region: config.env.AWS_REGION,
      ...(config.env.AWS_ENDPOINT_URL ? { endpoint: config.env.AWS_ENDPOINT_URL } : {}),
    });
    // The DLQ comes from the queue's redrive policy, so dead letters (and the reasons of
    // poison messages parked there) show in GET /jobs/dead-letters without more settings.
    return new SqsMessageQueue({ name, queueUrl: sqsUrl, client, findDeadLetterQueue: true });
  }
  return new SqlMessageQueue({
    name,
    maxReceives: config.env.JOB_MAX_ATTEMPTS,
    sql: sqlClientFrom({
      query: async (text: string, params?: unknown[]) => ({ rows: await dataSource.query(text, params) }),
    }),
  });
}
