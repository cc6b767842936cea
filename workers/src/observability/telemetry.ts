import { register } from 'node:module';
import { trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

export type { Instrumentation };

/**
 * Starts OpenTelemetry tracing for a process (the API, `aleflix-worker`, the Lambda) when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and does
 * nothing at all otherwise: the SDK, the exporters and the instrumentations are imported
 * only then, so an unconfigured process pays nothing. Instrumentation patches modules as
 * they load, so this must run before the code it traces is imported (entrypoints import
 * their application dynamically after it).
 *
 * Export goes over OTLP/HTTP, protobuf by default or JSON with
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/json; the other standard OTEL_* variables (headers,
 * resource attributes, batch delays, OTEL_TRACES_SAMPLER_ARG) are honoured by the SDK.
 */
export interface TelemetryOptions {
  /** service.name of the spans, unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  /**
   * Instrumentations beyond HTTP and the AWS SDK (the API adds Fastify, pg, ioredis). A
   * factory, because instrumentations hook the module loader when they are constructed, which
   * must happen after the ESM loader hook is registered here.
   */
  instrumentations?: () => Promise<Instrumentation[]>;
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Exports the spans still buffered (a Lambda calls it before its invocation returns). */
  forceFlush(): Promise<void>;
  /** Flushes and stops; later spans are dropped. */
  shutdown(): Promise<void>;
}

const disabled: Telemetry = {
  enabled: false,
  forceFlush: async () => {},
  shutdown: async () => {},
};

let started: Promise<Telemetry> | undefined;

export function telemetryConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && env.OTEL_SDK_DISABLED !== 'true';
}

/** Starts tracing once per process; later calls return the same handle. */
export function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  started ??= telemetryConfigured(options.env) ? startSdk(options) : Promise.resolve(disabled);
  return started;
}

/** The handle of the tracing this process started, if any (for flushing). */
export function currentTelemetry(): Promise<Telemetry> {
  return started ?? Promise.resolve(disabled);
}

async function startSdk(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  // ESM modules are instrumented through import-in-the-middle's loader hook; the message
  // channel limits it to the modules an instrumentation asked for.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [{ NodeSDK }, { HttpInstrumentation }, { AwsInstrumentation }, exporter, sampler] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-aws-sdk'),
    createExporter(env),
    import('./telemetry-sampler.js').then(({ createSampler }) => createSampler(env)),
  ]);
  const { RedactingSpanExporter } = await import('./redacting-exporter.js');
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({
      // Probes and scrapes would otherwise be most of the traces.
      ignoreIncomingRequestHook: (request) => /^\/(metrics|health\/(live|ready))(\?|$)/.test(request.url ?? ''),
      // Outgoing calls outside any operation (queue polls) are noise, not traces.
      requireParentforOutgoingSpans: true,
    }),
    new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ...((await options.instrumentations?.()) ?? []),
  ];
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || options.serviceName,
    // Batched as OTEL_BSP_* say (every 5 s by default).
    traceExporter: new RedactingSpanExporter(exporter),
    sampler,
    instrumentations,
    // Metrics go to Prometheus (/metrics) and logs to stdout: no OTLP metrics or logs.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return {
    enabled: true,
    forceFlush: () => flushTracerProvider(),
    shutdown: async () => {
      await sdk.shutdown();
      trace.disable();
    },
  };
}

async function createExporter(env: NodeJS.ProcessEnv) {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  ).trim();
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

/** The SDK's tracer provider flushes its batch processor; the API's interface does not show it. */
async function flushTracerProvider(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}
