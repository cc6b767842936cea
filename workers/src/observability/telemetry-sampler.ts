import { trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';

/**
 * Parent-based sampling (a job follows the decision of the request that queued it), with
 * OTEL_TRACES_SAMPLER_ARG as the ratio of new traces when OTEL_TRACES_SAMPLER asks for one.
 * Root SQS calls are dropped: they are queue polls and metric scrapes, one every few
 * seconds per process, never part of an operation.
 */
export function createSampler(env: NodeJS.ProcessEnv): Sampler {
  const ratio = /traceidratio$/.test(env.OTEL_TRACES_SAMPLER ?? '') ? Number(env.OTEL_TRACES_SAMPLER_ARG ?? 1) : 1;
  const root =
    Number.isFinite(ratio) && ratio < 1 ? new TraceIdRatioBasedSampler(Math.max(0, ratio)) : new AlwaysOnSampler();
  return new SkipIdleQueueCalls(new ParentBasedSampler({ root }));
}

class SkipIdleQueueCalls implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (
      !trace.getSpanContext(context) &&
      attributes['rpc.system'] === 'aws-api' &&
      attributes['rpc.service'] === 'SQS'
    ) {
      return { decision: SamplingDecision.NOT_RECORD };
    }
    return this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `SkipIdleQueueCalls{${this.inner.toString()}}`;
  }
}
