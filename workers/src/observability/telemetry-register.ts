import { startTelemetry } from './telemetry.js';

/**
 * Preload for processes whose entrypoint cannot start tracing first, chiefly the Lambda:
 * `NODE_OPTIONS="--import @aleflix/workers/telemetry/register"`. It starts the SDK (when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) before the handler module loads the AWS SDK, so those
 * calls are traced too.
 */
await startTelemetry({ serviceName: 'aleflix-worker' });
