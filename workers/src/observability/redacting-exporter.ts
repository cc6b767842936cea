import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { isSecretKey, REDACTED, scrubString } from './redact.js';

/**
 * Scrubs span attributes and event attributes before export with the same rules as the
 * logs: URLs keep their path but lose presigned signatures and playback tokens, and values
 * under secret-looking keys (a captured authorization header) are replaced.
 */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    for (const span of spans) {
      scrubAttributes(span.attributes);
      for (const event of span.events) if (event.attributes) scrubAttributes(event.attributes);
    }
    this.inner.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function scrubAttributes(attributes: ReadableSpan['attributes']): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (isSecretKey(key)) attributes[key] = REDACTED;
    else if (typeof value === 'string') attributes[key] = scrubString(value);
    else if (Array.isArray(value))
      attributes[key] = value.map((item) => (typeof item === 'string' ? scrubString(item) : item)) as typeof value;
  }
}
