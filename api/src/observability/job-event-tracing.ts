import { SpanKind, trace } from '@opentelemetry/api';
import type { JobEvent, ReceivedMessage } from '@aleflix/core';
import { contextFromAttributes, inSpan } from '@aleflix/workers';

const tracer = trace.getTracer('@aleflix/api');

/**
 * Applies a job event as a span that continues the trace the worker's event carries (the
 * job's span, itself a child of the request that queued the job), so one upload is one
 * trace from the API through the worker and back.
 */
export function inJobEventSpan<T>(message: ReceivedMessage, event: JobEvent, work: () => Promise<T>): Promise<T> {
  return inSpan(
    tracer,
    `apply job ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromAttributes(message.attributes),
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.message.id': message.id,
        'aleflix.job_id': event.jobId,
        'aleflix.asset_id': event.assetId,
        'aleflix.attempt': event.attempt,
      },
    },
    () => work(),
  );
}
