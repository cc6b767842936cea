import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { JobMessageSchema, type ReceivedMessage } from '@aleflix/core';
import { contextFromAttributes, inSpan } from './trace-context.js';

const tracer = trace.getTracer('@aleflix/workers');

/** The outcome kinds of a delivery, as the handler reports them. */
interface DeliveryOutcome {
  kind: 'done' | 'retry' | 'poison';
  reason?: string;
}

/**
 * Runs one delivery as the span `transcode job`, a child of the context the message carries
 * (the API request that queued it), so the API, the worker and the events it sends back
 * form one trace. Everything the handler does (download, probe, encode, upload, events)
 * happens inside it.
 */
export function inJobSpan<T extends DeliveryOutcome>(
  message: ReceivedMessage,
  workerId: string,
  work: () => Promise<T>,
): Promise<T> {
  const attributes: Attributes = {
    'messaging.operation.type': 'process',
    'messaging.message.id': message.id,
    'aleflix.receive_count': message.receiveCount,
    'aleflix.worker_id': workerId,
    ...jobAttributes(message.body),
  };
  return inSpan(
    tracer,
    'transcode job',
    { kind: SpanKind.CONSUMER, attributes, parent: contextFromAttributes(message.attributes) },
    async (span) => {
      const outcome = await work();
      span.setAttribute('aleflix.outcome', outcome.kind);
      if (outcome.kind !== 'done')
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason ?? outcome.kind });
      return outcome;
    },
  );
}

/** Marks the active span failed (the handler sent a `failed` event: the delivery is done, the job is not). */
export function markActiveSpanFailed(code: string): void {
  const span = trace.getActiveSpan();
  span?.setAttribute('aleflix.error_code', code);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Runs a step of a job (download, upload) as a child span. */
export function inJobStep<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return inSpan(tracer, name, { attributes }, () => work());
}

/** The job's ids for the span; a body the handler will reject as poison just has none. */
export function jobAttributes(body: string): Attributes {
  try {
    const job = JobMessageSchema.safeParse(JSON.parse(body));
    if (!job.success) return {};
    return {
      'aleflix.job_id': job.data.jobId,
      'aleflix.asset_id': job.data.assetId,
      'aleflix.attempt': job.data.attempt,
    };
  } catch {
    return {};
  }
}
