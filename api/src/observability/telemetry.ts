import { startTelemetry, type Instrumentation, type Telemetry } from '@aleflix/workers/telemetry';
import type { Env } from '../config/config.schema.js';

export type { Telemetry };

/**
 * Starts tracing for the API process when OTEL_EXPORTER_OTLP_ENDPOINT is set (see
 * @aleflix/workers/telemetry; nothing is loaded otherwise). `main` calls it before it
 * imports the application, because instrumentation patches http, Fastify, pg, ioredis and
 * the AWS SDK as they load. The API adds Fastify, pg and ioredis to the common HTTP and AWS
 * SDK instrumentation.
 */
export function startApiTelemetry(env: Env): Promise<Telemetry> {
  return startTelemetry({ serviceName: env.OTEL_SERVICE_NAME, instrumentations: apiInstrumentations });
}

async function apiInstrumentations(): Promise<Instrumentation[]> {
  const [{ FastifyOtelInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }] = await Promise.all([
    import('@fastify/otel'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  return [
    // Registered on every Fastify instance as it is created (Nest creates it in createApp);
    // lifecycle hooks get no spans of their own, the request and its handler do.
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      instrumentHooks: false,
      ignorePaths: (route) => route.url === '/metrics' || route.url.startsWith('/health/'),
    }) as unknown as Instrumentation,
    // Only queries made on behalf of something traced: not the queue polls between jobs.
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
}
