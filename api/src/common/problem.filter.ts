import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { transientDatabaseFailure, type TransientDatabaseFailure } from '../database/transient-errors.js';
import { ApiError } from './api-error.js';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import type { Problem } from './problem.schema.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'validation_failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/**
 * PostgreSQL data exceptions that only a value sent by the client can cause once it has
 * passed validation: a NUL character (22021), a character without a UTF-8 form (22P05), a
 * string or number too large for its column (22001, 22003). Bad input, so a 400, not a 500.
 */
const SQLSTATE_CODES: Record<string, string> = {
  '22001': 'A value is too long',
  '22003': 'A number is out of range',
  '22021': 'A text value contains a character that cannot be stored (such as U+0000)',
  '22P05': 'A text value contains a character that cannot be stored',
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
    const error = toApiError(exception);
    if (error.code === 'service_unavailable') {
      // An outage answers every request with this: one line each, not a stack trace each.
      const cause = exception instanceof Error && exception !== error ? `: ${describe(exception)}` : '';
      this.logger.warn(`${error.detail ?? error.message}${cause}`);
    } else if (error.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), error);
  }
}

/** Renders `error` as the application/problem+json response of `request`. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: ApiError): void {
  // Headers are gone once a response has started (e.g. a stream failed half-way).
  if (reply.sent || reply.raw.headersSent) return;
  const body: Problem = {
    type: `https://aleflix.dev/problems/${error.code.replaceAll('_', '-')}`,
    title: ERROR_CODES[error.code].title,
    status: error.status,
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: (request.url ?? request.raw.url ?? '/').split('?')[0],
    requestId: String(request.id),
    ...(error.extras.errors ? { errors: error.extras.errors } : {}),
  };
  for (const [name, value] of Object.entries(error.extras.headers ?? {})) reply.header(name, value);
  void reply
    .status(error.status)
    .header('x-request-id', String(request.id))
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(body);
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
  const databaseFailure = transientDatabaseFailure(exception);
  if (databaseFailure) return databaseUnavailable(databaseFailure);
  const sqlState = (exception as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  if (typeof sqlState === 'string' && SQLSTATE_CODES[sqlState])
    return new ApiError('validation_failed', SQLSTATE_CODES[sqlState]);
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

/** Seconds a client should wait before trying again while the database is out of reach. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

const DATABASE_DETAILS: Record<TransientDatabaseFailure, string> = {
  unreachable: 'The database cannot be reached right now; try again shortly',
  lost: 'The connection to the database was lost; try again shortly',
  timeout: 'The database did not answer in time; try again shortly',
};

/**
 * A database that is down, restarting or overloaded is not the request's fault nor a bug:
 * 503 with Retry-After, so clients and load balancers back off and come back, never a 500.
 */
function databaseUnavailable(failure: TransientDatabaseFailure): ApiError {
  return new ApiError('service_unavailable', DATABASE_DETAILS[failure], {
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}

/** The driver's own words (and code) for the log; never sent to the client. */
function describe(error: Error): string {
  const inner = (error as { driverError?: unknown }).driverError;
  const source = inner instanceof Error ? inner : error;
  const code = (source as { code?: unknown }).code;
  return `${source.message}${typeof code === 'string' ? ` (${code})` : ''}`;
}
