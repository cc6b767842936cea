import { expect } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../src/common/error-codes.js';
import type { InjectResult } from './http-harness.js';

/**
 * Asserts that `response` is the problem+json error `code`: its status, media type,
 * RFC 9457 shape and the request id both in the body and in the `x-request-id` header.
 * Returns the parsed body for further checks.
 */
export function expectProblem(response: InjectResult, code: ErrorCode, instance?: string): Record<string, any> {
  const { status } = ERROR_CODES[code];
  expect({ status: response.status, body: response.body.slice(0, 500) }).toMatchObject({ status });
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = response.json();
  expect(body).toMatchObject({
    type: `https://aleflix.dev/problems/${code.replaceAll('_', '-')}`,
    title: ERROR_CODES[code].title,
    status,
    code,
    instance: expect.any(String),
    requestId: expect.any(String),
  });
  if (instance !== undefined) expect(body.instance).toBe(instance);
  expect(body.requestId.length).toBeGreaterThan(0);
  expect(response.headers['x-request-id']).toBe(body.requestId);
  return body;
}
