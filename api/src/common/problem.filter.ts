import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import type { Problem } from './problem.schema.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'authentication_required',
  403: 'forbidden',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Turns anything thrown into one application/problem+json response. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const error = toApiError(exception);
    if (error.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const body: Problem = {
      type: `https://aleflix.dev/problems/${error.code.replaceAll('_', '-')}`,
      title: ERROR_CODES[error.code].title,
      status: error.status,
      code: error.code,
      ...(error.detail ? { detail: error.detail } : {}),
      instance: request.url.split('?')[0],
      requestId: String(request.id),
      ...(error.extras.errors ? { errors: error.extras.errors } : {}),
    };
    for (const [name, value] of Object.entries(error.extras.headers ?? {})) reply.header(name, value);
    void reply.status(error.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  // Fastify's own errors arrive as-is or wrapped by Nest's adapter in HttpException.cause.
  const fastifyError = exception instanceof HttpException ? exception.cause : exception;
  const fastifyCode = (fastifyError as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    return new ApiError(FASTIFY_CODES[fastifyCode], (fastifyError as Error).message);
  }
  if (exception instanceof SyntaxError) return new ApiError('invalid_json', exception.message);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'validation_failed');
    return new ApiError(code, exception.message);
  }
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(STATUS_CODES[status] ?? 'validation_failed', (exception as Error).message);
  }
  return new ApiError('internal_error', 'An unexpected error occurred');
}
