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

function queryFailedWith(driverError: Error): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
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
      queryFailed('42P01'),
      new Error('connection string postgres://u:secret@h'),
    ]) {
      const mapped = toApiError(error);
      expect(mapped).toMatchObject({ code: 'internal_error', status: 500 });
      expect(mapped.detail).not.toMatch(/secret|driver says no/);
    }
  });

  it.each([
    ['a refused connect', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a refused connect behind happy eyeballs',
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    ],
    ['a connection dropped mid-query', queryFailedWith(new Error('Connection terminated unexpectedly'))],
    ['a reset socket', queryFailedWith(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))],
    ['the server shutting down (57P01)', queryFailed('57P01')],
    [
      'a server still starting (57P03)',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    ['a connection exception (08006)', queryFailed('08006')],
    ['a statement timeout (57014)', queryFailed('57014')],
    ['no free pooled connection in time', new Error('timeout exceeded when trying to connect')],
    ['a server that stopped answering', queryFailedWith(new Error('Query read timeout'))],
  ])('maps %s to 503 service_unavailable with Retry-After, never a 500', (_case, error) => {
    const mapped = toApiError(error);
    expect(mapped).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(mapped.detail).toMatch(/database/i);
    expect(mapped.extras.headers).toEqual({ 'retry-after': '2' });
  });

  it('keeps errors that only look like a lost connection as 500', () => {
    expect(toApiError(queryFailedWith(new Error('Connection terminated unexpectedly!'))).code).toBe('internal_error');
    expect(toApiError(Object.assign(new Error('x'), { code: 'ENOENT' })).code).toBe('internal_error');
  });

  it('treats a thrown non-error as a 500', () => {
    expect(toApiError('a string').code).toBe('internal_error');
    expect(toApiError(null).code).toBe('internal_error');
    expect(toApiError(undefined).code).toBe('internal_error');
  });
});
