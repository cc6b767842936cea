import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/**
 * Spans of the media core. Only `@opentelemetry/api` is used: without an SDK registered by
 * the entrypoint (API, worker, Lambda) every call is a no-op, so the core costs nothing
 * extra when tracing is off.
 */
const tracer = trace.getTracer('@aleflix/core');

/** Runs `work` as the active span `name`; an error marks the span failed and is rethrown. */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
