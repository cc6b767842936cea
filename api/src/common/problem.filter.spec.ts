import { BadRequestException, HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { toApiError } from './problem.filter.js';

function fastifyError(code: string, statusCode: number, message = code): Error {
  return Object.assign(new Error(message), { name: 'FastifyError', code, statusCode });
}

function queryFailed(sqlState: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT INTO t VALUES ($1)',
    ['x'],
    Object.assign(new Error('driver says no'), { code: sqlState }),
  );
}

describe('toApiError', () => {
  it('passes an ApiError through', () => {
    const error = new ApiError('email_taken', 'taken');
    expect(toApiError(error)).toBe(error);
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid_json'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalid_json'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['FST_ERR_BAD_URL', 400, 'validation_failed'],
  ])('maps %s by its code, wrapped in HttpException.cause by Nest or raw', (code, status, expected) => {
    // Nest's FastifyAdapter.mapException wraps a 4xx FastifyError like this.
    const wrapped = new HttpException('message', status, { cause: fastifyError(code, status) });
    expect(toApiError(wrapped).code).toBe(expected);
    expect(toApiError(fastifyError(code, status)).code).toBe(expected);
  });

  it('maps other HTTP exceptions by status', () => {
    expect(toApiError(new HttpException('Cannot GET /x', 404)).code).toBe('route_not_found');
    expect(toApiError(new HttpException('busy', 503)).code).toBe('service_unavailable');
    expect(toApiError(new HttpException('teapot', 418)).code).toBe('validation_failed');
    expect(toApiError(new HttpException('bad gateway', 502)).code).toBe('internal_error');
    expect(toApiError(new BadRequestException('nope'))).toMatchObject({ code: 'validation_failed', status: 400 });
  });

  it.each(['22001', '22003', '22021', '22P05'])(
    'maps PostgreSQL data exception %s, caused by a client value, to 400',
    (sqlState) => {
      expect(toApiError(queryFailed(sqlState))).toMatchObject({ code: 'validation_failed', status: 400 });
    },
  );

  it('keeps other database errors as 500 without leaking their text', () => {
    for (const error of [
      queryFailed('23505'),
      queryFailed('08006'),
      new Error('connection string postgres://u:secret@h'),
    ]) {
      const mapped = toApiError(error);
      expect(mapped).toMatchObject({ code: 'internal_error', status: 500 });
      expect(mapped.detail).not.toMatch(/secret|driver says no/);
    }
  });

  it('treats a thrown non-error as a 500', () => {
    expect(toApiError('a string').code).toBe('internal_error');
    expect(toApiError(null).code).toBe('internal_error');
    expect(toApiError(undefined).code).toBe('internal_error');
  });
});
