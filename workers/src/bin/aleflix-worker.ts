#!/usr/bin/env node
import { startTelemetry } from '../observability/telemetry.js';

/**
 * `aleflix-worker` (see worker-process.ts). Tracing starts before anything else is loaded:
 * instrumentation patches the AWS SDK and http as they are imported, so the worker itself
 * comes in by dynamic import afterwards. Without OTEL_EXPORTER_OTLP_ENDPOINT nothing starts.
 */
try {
  const telemetry = await startTelemetry({ serviceName: 'aleflix-worker' });
  const { runWorkerProcess } = await import('../worker-process.js');
  await runWorkerProcess(telemetry);
} catch (error) {
  const { WorkerConfigError } = await import('../worker-config.js');
  process.stderr.write(
    `${error instanceof WorkerConfigError ? error.message : `aleflix-worker failed: ${String(error)}`}\n`,
  );
  process.exit(1);
}
