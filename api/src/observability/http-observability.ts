import type { FastifyInstance } from 'fastify';
import type { Logger } from '@aleflix/workers';
import type { MetricsService } from './metrics.service.js';
import { registerRequestContext } from './request-context.js';

/** Requests that a route did not match share one label, so random URLs cannot explode the series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Per-request observability on the Fastify instance: the request context (request id and
 * trace on every log line), the duration histogram by route template and status, and one
 * access log line per request. `logger` is absent when logging is off (tests).
 */
export function registerHttpObservability(
  fastify: FastifyInstance,
  metrics: MetricsService,
  logger: Logger | undefined,
): void {
  registerRequestContext(fastify);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    // Scrapes are not traffic.
    if (route !== '/metrics') metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // Probes and scrapes arrive every few seconds: only worth a line when debugging.
    const level = route === '/metrics' || route.startsWith('/health/') ? 'debug' : 'info';
    // The line's fields are gathered only when it will be written.
    if (logger?.isLevelEnabled(level))
      logger[level](
        {
          request_id: request.id,
          method: request.method,
          route,
          // The logger scrubs playback tokens and presigned signatures from it.
          url: request.url,
          status: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    done();
  });
}
