import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import type { Clock } from './common/clock.js';
import { createLogger, PinoNestLogger } from './common/logger.js';
import { registerHttpSecurity } from './common/http-security.js';
import { ProblemFilter, sendProblem, toApiError } from './common/problem.filter.js';
import { registerSharedJson } from './common/shared-json.js';
import type { AppConfig } from './config/app-config.js';
import { registerHttpObservability } from './observability/http-observability.js';
import { MetricsService } from './observability/metrics.service.js';
import { buildOpenApiDocument } from './openapi/openapi.document.js';

export interface CreateAppOptions {
  config: AppConfig;
  dataSource: DataSource;
  clock?: Clock;
  logger?: LoggerService | LogLevel[] | false;
  /** Where the default logger writes its JSON lines (tests capture them); stdout/stderr otherwise. */
  logDestination?: DestinationStream;
}

/** Builds the Nest application on Fastify; shared by `main`, the tests and the spec generator. */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.env.BODY_LIMIT_BYTES,
    trustProxy: options.config.env.TRUST_PROXY,
    // A slow or stalled client (slowloris) cannot hold a connection forever.
    requestTimeout: options.config.env.REQUEST_TIMEOUT_MS,
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    },
    // Reject prototype-pollution payloads outright instead of silently stripping them.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The router rejects a malformed URL (e.g. `/%zz`) before any hook or error handler.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(request, reply, toApiError(error)),
  });
  const logger =
    options.logger ??
    createLogger(options.config.env.LOG_LEVEL, {
      ...(options.config.env.LOG_FORMAT ? { format: options.config.env.LOG_FORMAT } : {}),
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({
      config: options.config,
      dataSource: options.dataSource,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    adapter,
    // Nest's body parsers would add application/x-www-form-urlencoded; the API takes JSON only.
    { logger, abortOnError: false, bodyParser: false },
  );
  // Errors raised by Fastify before routing (body parsing, 404s) go through the same filter.
  app.useGlobalFilters(new ProblemFilter());
  await registerHttpSecurity(app, options.config.env);
  const fastify = app.getHttpAdapter().getInstance();
  registerHttpObservability(
    fastify,
    app.get(MetricsService),
    logger instanceof PinoNestLogger ? logger.pino : undefined,
  );
  // Fastify's built-in text/plain parser would hand a string to the validation pipe (a 400);
  // without it, any body but JSON is a 415 unsupported_media_type.
  fastify.removeContentTypeParser('text/plain');
  registerSharedJson(fastify);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  await app.init();
  return app;
}
