import { tmpdir } from 'node:os';
import type { MediaLogger, ReceivedMessage } from '@aleflix/core';
import { consoleLogger } from './console-logger.js';
import { startTelemetry } from './observability/telemetry.js';
import { deadLetterPoison } from './poller.js';
import { createTranscodeHandler } from './transcode-handler.js';
import { createWorkerAdapters, loadWorkerConfig, transcodeOptionsFrom } from './worker-config.js';

/** The parts of an SQS event the handler reads (aws-lambda's SQSEvent, without the dependency). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string };
  messageAttributes?: Record<string, { stringValue?: string; dataType: string }>;
  eventSourceARN?: string;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Time kept back before the Lambda timeout to stop ffmpeg, clean up and answer. */
const SAFETY_MARGIN_MS = 15_000;

/**
 * AWS Lambda entrypoint for the transcode queue. Reports partial batch failures, so only
 * the records that must be retried return to the queue (the event source mapping needs
 * `ReportBatchItemFailures`). Poison records are sent to the DLQ with their reason and
 * reported as successes: the redrive policy cannot help a message that will never parse.
 * Records are handled one at a time (each encode uses every core); records there is no time
 * left for are reported as failures without being started.
 */
export function createLambdaHandler(env: NodeJS.ProcessEnv = process.env, overrides: { logger?: MediaLogger } = {}) {
  const config = loadWorkerConfig(env);
  const adapters = createWorkerAdapters(config);
  const logger = overrides.logger ?? consoleLogger({}, { level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const handle = createTranscodeHandler({
    storage: adapters.storage,
    events: adapters.events,
    logger,
    workerId: `lambda:${env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local'}`,
    tmpRoot: tmpdir(),
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
    transcodeOptions: transcodeOptionsFrom(config),
  });

  /**
   * A poison record goes to the jobs queue's DLQ (from its redrive policy) with its reason, the
   * same send-then-delete the poller does, and is reported as handled. Retrying cannot help it,
   * and left to the redrive policy it would come back `maxReceiveCount` times and reach the DLQ
   * without a reason. If parking fails, the record is reported as a failure, to be parked on a
   * later delivery (or moved by the redrive policy in the end).
   */
  const parkPoison = async (message: ReceivedMessage, reason: string): Promise<boolean> => {
    logger.error('poison message', { messageId: message.id, reason });
    try {
      await deadLetterPoison(adapters.jobs, message, reason, logger);
      return true;
    } catch (error) {
      logger.warn('could not dead-letter a poison message; it will come back', {
        messageId: message.id,
        error: String(error),
      });
      return false;
    }
  };

  return async function handler(event: SqsEvent, context?: LambdaContext): Promise<SqsBatchResponse> {
    const failures: SqsBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const remaining = context?.getRemainingTimeInMillis();
      if (remaining !== undefined && remaining <= SAFETY_MARGIN_MS) {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const abort = new AbortController();
      const timer = remaining !== undefined ? setTimeout(() => abort.abort(), remaining - SAFETY_MARGIN_MS) : undefined;
      const message = toReceivedMessage(record);
      const outcome = await handle(message, {
        signal: abort.signal,
        // The jobs queue adapter: a receipt that went stale is a no-op, not an error.
        extendVisibility: (seconds) => adapters.jobs.changeVisibility(record.receiptHandle, seconds),
      }).catch((error: unknown) => ({ kind: 'retry' as const, reason: String(error) }));
      clearTimeout(timer);
      if (outcome.kind === 'retry') {
        logger.warn('record will be retried', { messageId: record.messageId, reason: outcome.reason });
        failures.push({ itemIdentifier: record.messageId });
      }
      if (outcome.kind === 'poison' && !(await parkPoison(message, outcome.reason)))
        failures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures: failures };
  };
}

export function toReceivedMessage(record: SqsRecord): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined) attributes[name] = value.stringValue;
  }
  return {
    id: record.messageId,
    receipt: record.receiptHandle,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    attributes,
    sentAt: new Date(Number(record.attributes.SentTimestamp) || Date.now()),
  };
}

let cached: ReturnType<typeof createLambdaHandler> | undefined;

/**
 * The function Lambda calls (`handler` in the function configuration). With
 * OTEL_EXPORTER_OTLP_ENDPOINT set, each invocation's spans are flushed before it returns (a
 * frozen Lambda exports nothing). Tracing started here covers the handler's own spans; start
 * it with `NODE_OPTIONS="--import @aleflix/workers/telemetry/register"` to trace the AWS SDK too.
 */
export async function handler(event: SqsEvent, context?: LambdaContext): Promise<SqsBatchResponse> {
  const telemetry = await startTelemetry({ serviceName: 'aleflix-worker' });
  cached ??= createLambdaHandler();
  try {
    return await cached(event, context);
  } finally {
    await telemetry.forceFlush().catch(() => {});
  }
}
