import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Trace context across the queues. Only `@opentelemetry/api` is used: with no SDK registered
 * (no OTEL_EXPORTER_OTLP_ENDPOINT) injecting writes nothing and extracting finds nothing,
 * which costs next to nothing; the incoming `traceparent` is then passed on as it came.
 */

/** Message attributes carrying the active trace context, or `fallbackTraceparent` when no span is active. */
export function traceContextAttributes(fallbackTraceparent?: string): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent && fallbackTraceparent) return { traceparent: fallbackTraceparent };
  return carrier;
}

/** The trace context a received message carries: the parent of whatever handles it. */
export function contextFromAttributes(attributes: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, attributes);
}

/** trace_id and span_id of the active span, for log lines; empty without one. */
export function activeTraceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

export interface InSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent context; the active one when absent. */
  parent?: Context;
}

/** Runs `work` as the active span `name`; an error marks the span failed and is rethrown. */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: InSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const spanOptions = {
    ...(options.kind !== undefined ? { kind: options.kind } : {}),
    ...(options.attributes ? { attributes: options.attributes } : {}),
  };
  return tracer.startActiveSpan(name, spanOptions, options.parent ?? context.active(), async (span) => {
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
