import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, transcodeOptionsFrom, WorkerConfigError } from './worker-config.js';

const valid = {
  STORAGE_URL: 's3://aleflix-media',
  SQS_JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/transcode',
  SQS_EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/transcode-events',
};

describe('loadWorkerConfig', () => {
  it('fills in defaults', () => {
    const config = loadWorkerConfig(valid);
    expect(config).toMatchObject({
      AWS_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: false,
      WORKER_CONCURRENCY: 1,
      JOB_MAX_ATTEMPTS: 3,
      VISIBILITY_TIMEOUT_SECONDS: 120,
      SHUTDOWN_GRACE_MS: 30_000,
    });
    expect(transcodeOptionsFrom(config)).toEqual({
      limits: { maxDurationSeconds: 21_600, maxWidth: 7680, maxHeight: 4320 },
    });
  });

  it.each([
    ['STORAGE_URL', { STORAGE_URL: 'ftp://media' }],
    ['STORAGE_URL', { STORAGE_URL: 's3://UPPER_case' }],
    ['STORAGE_URL', { STORAGE_URL: 's3://bucket?color=blue' }],
    ['SQS_JOBS_QUEUE_URL', { SQS_JOBS_QUEUE_URL: undefined }],
    ['VISIBILITY_TIMEOUT_SECONDS', { VISIBILITY_TIMEOUT_SECONDS: '5' }],
    ['S3_FORCE_PATH_STYLE', { S3_FORCE_PATH_STYLE: 'yes' }],
  ])('names %s in a one-line error', (variable, change) => {
    const load = () => loadWorkerConfig({ ...valid, ...change });
    expect(load).toThrow(WorkerConfigError);
    expect(load).toThrow(new RegExp(`^Invalid configuration: ${variable}: [^\\n]+$`));
  });
});
