/**
 * How the AWS SDK clients of the S3 storage and the SQS queue retry. The SDK's `standard`
 * mode retries throttling (SlowDown, ThrottlingException...), 500/502/503/504 answers and
 * transient network errors (ECONNRESET, ETIMEDOUT...) with exponential backoff and full
 * jitter (100 ms base, 500 ms for throttling), within a client-wide retry quota that stops
 * retrying when most calls fail. 3 attempts in all: enough to ride out a throttled burst
 * or a dropped connection, short enough that an API request fails in about a second
 * rather than hanging. Longer outages are the job level's business (a transcode is
 * delivered again up to JOB_MAX_ATTEMPTS times).
 *
 * These are the SDK's defaults, written down so that a change of default in a new SDK
 * version cannot change them silently. `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS` in the
 * environment still win, as they do for any AWS SDK client.
 */
export const AWS_RETRY_MODE = 'standard';
export const AWS_MAX_ATTEMPTS = 3;

export interface AwsRetrySettings {
  retryMode?: string;
  maxAttempts?: number;
}

/** The retry part of an S3Client/SQSClient config: ours, unless the environment sets its own. */
export function awsRetrySettings(env: NodeJS.ProcessEnv = process.env): AwsRetrySettings {
  return {
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: AWS_RETRY_MODE }),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: AWS_MAX_ATTEMPTS }),
  };
}
