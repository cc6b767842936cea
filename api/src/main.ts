// Tracing must start before anything it instruments (http, Fastify, pg, ioredis, the AWS
// SDK) is loaded, so this entrypoint imports only the configuration and the telemetry
// starter statically and brings the application in with a dynamic import afterwards.
import { ConfigError, loadConfig } from './config/app-config.js';
import { startApiTelemetry } from './observability/telemetry.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const telemetry = await startApiTelemetry(config.env);
  const { serve } = await import('./server.js');
  await serve(config, telemetry);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `AleFlix failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
