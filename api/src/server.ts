import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, type AppConfig } from './config/app-config.js';
import { initializeDatabase } from './database/data-source.factory.js';
import { HealthService } from './health/health.service.js';
import { EmbeddedWorker } from './media/embedded-worker.js';
import type { Telemetry } from './observability/telemetry.js';
import { UsersService } from './users/users.service.js';

/**
 * Starts the API: database, application, first admin, listening, the banner on stdout, and
 * graceful shutdown. `main` imports this module only after tracing has started.
 */
export async function serve(config: AppConfig, telemetry: Telemetry): Promise<void> {
  const logger = new Logger('AleFlix');
  const dataSource = await initializeDatabase(config.database);
  const app = await createApp({ config, dataSource });
  const users = app.get(UsersService);
  // Before listening, so nobody can reach the API before its first admin exists.
  const admin = await users.ensureAdmin(config.env.ALEFLIX_ADMIN_EMAIL, config.env.ALEFLIX_ADMIN_PASSWORD);

  try {
    await app.listen({ port: config.env.PORT, host: config.env.HOST });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A generated password nobody saw must not survive a failed start: the next start,
    // finding an admin, would print none.
    if (admin.created) await users.undoFirstAdmin(config.env.ALEFLIX_ADMIN_EMAIL).catch(() => {});
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      await app.close().catch(() => {});
      await dataSource.destroy().catch(() => {});
      const reason =
        code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges' : 'is not available';
      const variable = code === 'EADDRNOTAVAIL' ? 'HOST' : 'PORT';
      throw new ConfigError(
        `Invalid configuration: ${variable}: ${config.env.HOST}:${config.env.PORT} ${reason} (${code})`,
      );
    }
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.env.PORT;
  const host = config.env.HOST === '0.0.0.0' || config.env.HOST === '::' ? 'localhost' : config.env.HOST;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const lines = [
    '',
    `  AleFlix API   ${base}`,
    `  API docs      ${base}/docs`,
    `  Database      ${config.database.kind === 'pglite' ? `PGlite (embedded) in ${config.database.dataDir}` : 'PostgreSQL'}`,
  ];
  if (admin.created) {
    lines.push(`  Admin         ${config.env.ALEFLIX_ADMIN_EMAIL}`);
    if (admin.generatedPassword) {
      lines.push(`  Password      ${admin.generatedPassword}   (shown once: set ALEFLIX_ADMIN_PASSWORD to choose it)`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  // Graceful shutdown: fail readiness, stop accepting, let in-flight requests finish.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received, draining`);
    app.get(HealthService).markShuttingDown();
    const force = setTimeout(() => {
      logger.error(`Shutdown took longer than ${config.env.SHUTDOWN_GRACE_MS} ms; exiting`);
      process.exit(1);
    }, config.env.SHUTDOWN_GRACE_MS);
    force.unref();
    // The embedded worker drains alongside the HTTP server rather than after it (Nest calls
    // its shutdown hook once the server has closed), so both fit in the grace; app.close()
    // still waits for it through that hook.
    app
      .get(EmbeddedWorker)
      .stop()
      .catch((error: unknown) => logger.error(error));
    app
      .close()
      .then(() => dataSource.destroy())
      // The last spans (this shutdown included) are exported before the process ends.
      .then(() => telemetry.shutdown().catch(() => {}))
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error(error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
